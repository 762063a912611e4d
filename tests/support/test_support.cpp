#include "test_support.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace nettool::test {

std::filesystem::path source_dir() { return NETTOOL_SOURCE_DIR; }
std::filesystem::path fixtures_dir() { return source_dir() / "tests" / "fixtures"; }
std::string nettool_binary() { return NETTOOL_BINARY; }
bool running_as_root() { return ::geteuid() == 0; }

namespace {
bool skipped_a_test = false;
}  // namespace
void mark_test_skipped() { skipped_a_test = true; }
bool test_skipped() { return skipped_a_test; }

std::optional<std::filesystem::path> shared_dir() {
    if (const char* env = std::getenv("NETTOOL_SHARED_DIR"); env != nullptr && *env != '\0') {
        if (std::filesystem::is_directory(env)) return std::filesystem::path(env);
        return std::nullopt;
    }
    auto candidate = source_dir().parent_path() / "shared";
    if (std::filesystem::is_directory(candidate)) return candidate;
    return std::nullopt;
}

std::string shell_quote(const std::string& word) {
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

CommandResult run_command(const std::string& command, const std::string& input) {
    TempDir dir;
    auto in_path = dir.path() / "stdin";
    auto out_path = dir.path() / "stdout";
    auto err_path = dir.path() / "stderr";
    write_file(in_path, input);
    std::string full = "(" + command + ") <" + shell_quote(in_path) + " >" + shell_quote(out_path) + " 2>" +
                       shell_quote(err_path);
    int status = std::system(full.c_str());
    CommandResult result;
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_file(out_path);
    result.err = read_file(err_path);
    return result;
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "nettool-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

void write_file(const std::filesystem::path& path, const std::string& contents) {
    std::ofstream out(path, std::ios::binary);
    out << contents;
}

}  // namespace nettool::test
