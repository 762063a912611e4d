// The one Catch2 main, compiled once and shared by every test executable.
//
// Catch2 v2 has no skip: NETTOOL_SKIP prints "SKIPPED: reason" and records it, and a run whose assertions all
// passed but that skipped ends with test_skip_exit_code, which CTest (SKIP_RETURN_CODE) reports as Skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "test_support.hpp"

int main(int argc, char* argv[]) {
    const int status = Catch::Session().run(argc, argv);
    // Catch2 exits with the number of failed assertions: 77 failures must not read as a skip.
    if (status == nettool::test::test_skip_exit_code) return 1;
    if (status == 0 && nettool::test::test_skipped()) return nettool::test::test_skip_exit_code;
    return status;
}
