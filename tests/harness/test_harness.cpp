// Test cases about the harness itself. The visible one runs as a CTest entry of its own and must keep its whole
// name; the hidden ones ([.] tags: not listed, so not CTest entries) are run by harness_selftest.sh, which checks
// the exit statuses CTest sees.
#include "test_support.hpp"

#include <catch2/catch.hpp>

TEST_CASE("harness: a name with ; and , [in brackets] \"quoted\" \\ runs whole; every part") {
    // Run under a cut name, this test case would not be selected at all; -w NoTests makes that a failure.
    CHECK(Catch::getResultCapture().getCurrentTestName() ==
          "harness: a name with ; and , [in brackets] \"quoted\" \\ runs whole; every part");
}

TEST_CASE("harness: a skip after passing checks", "[.harness-skip]") {
    CHECK(1 + 1 == 2);
    NETTOOL_SKIP("the harness self-test skips on purpose");
}

TEST_CASE("harness: a failed check before a skip is a failure", "[.harness-fail-then-skip]") {
    CHECK(1 + 1 == 3);
    NETTOOL_SKIP("this skip must not hide the failed check above");
}

TEST_CASE("harness: exactly 77 failed checks are a failure, not a skip", "[.harness-77-failures]") {
    for (int i = 0; i < nettool::test::test_skip_exit_code; ++i) CHECK(i < 0);
}
