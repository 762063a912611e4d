// End-to-end checks of the driver: help lists subcommands, usage errors exit 2 (never CLI11's 100+).
#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace nettool::test;

TEST_CASE("nettool --help lists the subcommands and exits 0") {
    auto r = run_command(shell_quote(nettool_binary()) + " --help");
    CHECK(r.exit_status == 0);
    CHECK(r.out.find("ping") != std::string::npos);
    CHECK(r.out.find("Exit status") != std::string::npos);
}

TEST_CASE("usage errors exit 2 with one clear line") {
    auto none = run_command(shell_quote(nettool_binary()));
    CHECK(none.exit_status == 2);
    auto unknown = run_command(shell_quote(nettool_binary()) + " frobnicate");
    CHECK(unknown.exit_status == 2);
    CHECK(unknown.err.find("usage error") != std::string::npos);
    auto version = run_command(shell_quote(nettool_binary()) + " --version");
    CHECK(version.exit_status == 0);
    CHECK(version.out.find("nettool") != std::string::npos);
}
