// nettool ike-log end to end: exit statuses, --json document, stdin, --peer, --format, usage errors, help.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nettool::test;

namespace {

std::string fixture(const std::string& name) { return shell_quote((fixtures_dir() / "ikelog" / name).string()); }
std::string ike_log() { return shell_quote(nettool_binary()) + " ike-log --no-color "; }

}  // namespace

TEST_CASE("ike-log exits 0 when every peer is up, 1 when not, with one JSON document") {
    auto ok = run_command(ike_log() + fixture("strongswan/ikev2-ok.log"));
    CHECK(ok.exit_status == 0);
    CHECK(ok.out.find("strongswan (detected") != std::string::npos);
    CHECK(ok.out.find("failure: none") != std::string::npos);
    auto fail = run_command(ike_log() + "--json " + fixture("etx-vrt/factory-fail.log") + " " + fixture("etx-vrt/hq-fail.log"));
    CHECK(fail.exit_status == 1);
    auto doc = nlohmann::json::parse(fail.out);
    CHECK(doc["schema_version"] == 1);
    CHECK(doc["command"] == "ike-log");
    CHECK(doc["files"].size() == 2);
    CHECK(doc["peers"].size() == 2);
    CHECK(doc["correlation"].size() == 1);
    CHECK(doc["peers"][1]["failures"][1]["code"] == "unknown_peer");
}

TEST_CASE("ike-log reads standard input and gzip, filters with --peer, forces --format") {
    auto in = run_command(ike_log() + "--json -", read_file(fixtures_dir() / "ikelog/cisco-ios/ok.log"));
    CHECK(in.exit_status == 0);
    auto doc = nlohmann::json::parse(in.out);
    CHECK(doc["files"][0]["path"] == "(stdin)");
    CHECK(doc["files"][0]["format"] == "cisco-ios");
    TempDir dir;
    std::string gz = shell_quote((dir.path() / "x.log.gz").string());
    REQUIRE(run_command("gzip -c " + fixture("yamaha-rtx/ok-then-keepalive.log") + " > " + gz).exit_status == 0);
    auto packed = run_command(ike_log() + "--json " + gz);
    CHECK(packed.exit_status == 1);
    CHECK(nlohmann::json::parse(packed.out)["peers"][0]["failure"] == "dpd_timeout");
    auto only = run_command(ike_log() + "--json --peer 203.0.113.46 " + fixture("fortigate/eventlog.log"));
    auto only_doc = nlohmann::json::parse(only.out);
    REQUIRE(only_doc["peers"].size() == 1);
    CHECK(only_doc["peers"][0]["failure"] == "auth_failed");
    auto forced = run_command(ike_log() + "--json --format etx-vrt " + fixture("etx-vrt/hq-ok.log"));
    CHECK(forced.exit_status == 0);
    CHECK(nlohmann::json::parse(forced.out)["files"][0]["format_forced"] == true);
}

TEST_CASE("ike-log usage errors exit 2 with one line; help lists formats and codes") {
    for (const std::string& args : {std::string(""), std::string("--format nonesuch x.log"),
                                    std::string("--follow a b"), std::string("--listen tcp://1.2.3.4:5"),
                                    std::string("--listen udp://127.0.0.1:99999"), std::string("--resolve =1.2.3.4 x"),
                                    std::string("--follow x --listen udp://127.0.0.1:5514")}) {
        INFO(args);
        auto r = run_command(ike_log() + args + " " + fixture("etx-vrt/hq-ok.log"));
        if (args.empty()) r = run_command(ike_log());
        CHECK(r.exit_status == 2);
        CHECK(r.err.find("usage error") != std::string::npos);
    }
    auto missing = run_command(ike_log() + "/nonexistent/ike.log");
    CHECK(missing.exit_status == 2);
    CHECK(missing.err.find("cannot open") != std::string::npos);
    auto help = run_command(shell_quote(nettool_binary()) + " ike-log --help");
    CHECK(help.exit_status == 0);
    for (const char* word : {"etx-vrt", "strongswan", "libreswan", "cisco-ios", "cisco-asa", "yamaha-rtx", "fortigate",
                             "no_proposal_chosen", "unknown_peer", "--follow", "--listen", "--resolve", "Exit status"}) {
        CHECK(help.out.find(word) != std::string::npos);
    }
}
