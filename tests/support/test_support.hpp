#pragma once
// Helpers shared by the tests: where things are, whether we are root, where ../shared is, running commands.
#include <filesystem>
#include <optional>
#include <string>

namespace nettool::test {

std::filesystem::path source_dir();       // the repository
std::filesystem::path fixtures_dir();     // tests/fixtures
std::string nettool_binary();             // the built nettool
bool running_as_root();
// ../shared next to the repository (or $NETTOOL_SHARED_DIR), when it exists.
std::optional<std::filesystem::path> shared_dir();

struct CommandResult {
    int exit_status = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};
// Runs `command` with /bin/sh, capturing stdout and stderr; `input` goes to stdin.
CommandResult run_command(const std::string& command, const std::string& input = {});
// Quotes one shell word.
std::string shell_quote(const std::string& word);

// A temporary directory removed when the object goes away.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& contents);

// The exit status of a test run that skipped (SKIP_RETURN_CODE in cmake/NettoolCatchTests.cmake, and what the
// script tests use).
inline constexpr int test_skip_exit_code = 77;
// Records that the running test case skipped (NETTOOL_SKIP); test_skipped() tells the main at the end.
void mark_test_skipped();
bool test_skipped();

}  // namespace nettool::test

// Skips the rest of a test case, saying why (Catch2 v2 has no SKIP): the reason shows in the test output, and the
// test executable then exits with test_skip_exit_code, which CTest shows as Skipped (unless an assertion failed).
#define NETTOOL_SKIP(reason)                         \
    do {                                             \
        WARN("SKIPPED: " << (reason));               \
        ::nettool::test::mark_test_skipped();        \
        return;                                      \
    } while (false)
