// nettool ike-log end to end: exit statuses, --json document, stdin, --peer, --format, usage errors, help.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

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

namespace {

std::size_t lines_in(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

// ASCII text as UTF-16LE with a byte-order mark, as Windows tools write it.
std::string utf16le(const std::string& text) {
    std::string out = "\xff\xfe";
    for (char c : text) {
        out += c;
        out += '\0';
    }
    return out;
}

}  // namespace

TEST_CASE("ike-log exits 2 with one line for input that cannot be a log") {
    TempDir dir;
    write_file(dir.path() / "empty.log", "");
    write_file(dir.path() / "blank.log", "\n  \n\n");
    write_file(dir.path() / "utf16.log", utf16le(read_file(fixtures_dir() / "ikelog/strongswan/ikev2-ok.log")));
    write_file(dir.path() / "prose.log", "Dear customer,\nyour order has shipped.\nRegards\n");
    struct Case {
        std::string path, why;
    };
    for (const Case& c : {Case{nettool_binary(), "binary data"}, Case{(dir.path() / "empty.log").string(), "empty"},
                          Case{(dir.path() / "blank.log").string(), "empty"},
                          Case{(dir.path() / "utf16.log").string(), "UTF-16"},
                          Case{dir.path().string(), "a directory, not a log file"},
                          Case{(dir.path() / "prose.log").string(), "no known IKE log format"}}) {
        INFO(c.path);
        auto r = run_command(ike_log() + shell_quote(c.path));
        CHECK(r.exit_status == 2);
        CHECK(lines_in(r.err) == 1);
        CHECK(r.err.find(c.why) != std::string::npos);
        CHECK(r.out.empty());
        auto j = run_command(ike_log() + "--json " + shell_quote(c.path));
        CHECK(j.exit_status == 2);
        // With --json the error is also a JSON document on stdout (scripts always get JSON).
        CHECK(j.out.find("\"error\"") != std::string::npos);
    }
    auto empty_stdin = run_command(ike_log() + "-", "");
    CHECK(empty_stdin.exit_status == 2);
    CHECK(empty_stdin.err.find("(stdin): empty") != std::string::npos);
}

TEST_CASE("ike-log --peer that matches no peer exits 2 and lists the peers there are") {
    auto r = run_command(ike_log() + "--peer 203.0.113.99 " + fixture("fortigate/eventlog.log"));
    CHECK(r.exit_status == 2);
    CHECK(lines_in(r.err) == 1);
    CHECK(r.err.find("203.0.113.99 matches no peer") != std::string::npos);
    CHECK(r.err.find("203.0.113.46") != std::string::npos);
    auto by_connection = run_command(ike_log() + "--json --peer nosuch-tunnel " + fixture("etx-vrt/hq-fail.log"));
    CHECK(by_connection.exit_status == 2);
    CHECK(by_connection.out.find("\"error\"") != std::string::npos);
}

TEST_CASE("ike-log --format with an unknown name says so on one line") {
    auto r = run_command(ike_log() + "--format nosuch " + fixture("etx-vrt/hq-ok.log"));
    CHECK(r.exit_status == 2);
    CHECK(lines_in(r.err) == 1);
    CHECK(r.err.find("\\n") == std::string::npos);
    // The choices are a CLI11 check (they reach --help, the man page and completion): the message lists them.
    CHECK(r.err.find("nosuch") != std::string::npos);
    CHECK(r.err.find("cisco-asa") != std::string::npos);
}

TEST_CASE("ike-log exits 1 on any warning, also when the last attempt is up") {
    // Three refusals, then phase 1 comes up: the refusals are still a finding.
    auto up_after_refusals = run_command(ike_log() + "--json " + fixture("etx-vrt/factory-ok.log"));
    CHECK(up_after_refusals.exit_status == 1);
    auto doc = nlohmann::json::parse(up_after_refusals.out);
    CHECK(doc["peers"][0]["last_attempt_established"] == true);
    CHECK(doc["peers"][0]["failure"] == "none");
    CHECK(doc["peers"][0]["root_cause"]["code"] == "no_proposal_chosen");
    CHECK(doc["peers"][0]["diagnoses"][0]["severity"] == "warning");
    // Everything up, nothing else: 0 and no root cause.
    auto ok = run_command(ike_log() + "--json " + fixture("strongswan/ikev2-ok.log"));
    CHECK(ok.exit_status == 0);
    CHECK(nlohmann::json::parse(ok.out)["peers"][0]["root_cause"].is_null());
    // A flapping tunnel whose last attempt is up (labelled corpus, when present): dpd_timeout is critical.
    auto shared = shared_dir();
    if (shared && std::filesystem::exists(*shared / "corpus/ike/strongswan/ikev1-flapping/initiator.log")) {
        auto flap = run_command(ike_log() + "--json " +
                                shell_quote((*shared / "corpus/ike/strongswan/ikev1-flapping/initiator.log").string()));
        CHECK(flap.exit_status == 1);
        auto f = nlohmann::json::parse(flap.out);
        CHECK(f["peers"][0]["last_attempt_established"] == true);
        CHECK(f["peers"][0]["root_cause"]["code"] == "dpd_timeout");
    }
}

TEST_CASE("ike-log exits 1 when a log in a known format shows no negotiation to follow") {
    TempDir dir;
    write_file(dir.path() / "charon.log",
               "2026-11-28 09:03:10.434 00[DMN] Starting IKE charon daemon (strongSwan 5.9.8, Linux 6.1.0, x86_64)\n"
               "2026-11-28 09:03:10.438 00[JOB] spawning 16 worker threads\n"
               "2026-11-28 09:03:10.639 11[CFG] loaded IKE shared key with id 'k' for: '198.51.100.20', '192.0.2.10'\n"
               "2026-11-28 09:05:10.100 00[DMN] SIGTERM received, shutting down\n");
    auto r = run_command(ike_log() + shell_quote((dir.path() / "charon.log").string()));
    CHECK(r.exit_status == 1);
    CHECK(r.out.find("strongswan (detected") != std::string::npos);
    CHECK(r.out.find("could not follow any negotiation") != std::string::npos);
    CHECK(r.out.find("[warning] no_negotiation") != std::string::npos);
}

TEST_CASE("ike-log on both ends: one verdict per tunnel naming the end to change") {
    auto r = run_command(ike_log() + "--json " + fixture("etx-vrt/factory-fail.log") + " " + fixture("etx-vrt/hq-fail.log"));
    CHECK(r.exit_status == 1);
    auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc["correlation"].size() == 1);
    const auto& verdict = doc["correlation"][0]["verdict"];
    CHECK(verdict["code"] == "unknown_peer");
    CHECK(verdict["severity"] == "critical");
    CHECK(verdict["change"]["role"] == "responder");
    CHECK(verdict["change"]["file"].get<std::string>().find("hq-fail.log") != std::string::npos);
    // The initiator's own log shows only NO_PROPOSAL_CHOSEN; the responder's proves the cause.
    for (const auto& peer : doc["peers"]) {
        INFO(peer["file"]);
        CHECK(peer["root_cause"]["code"] == "unknown_peer");
        CHECK(peer["diagnoses"][0]["code"] == "unknown_peer");
        CHECK(peer["diagnoses"][0]["severity"] == "critical");
        CHECK(peer["diagnoses"][1]["code"] == "no_proposal_chosen");
        CHECK(peer["diagnoses"][1]["follows_from"] == "unknown_peer");
        CHECK(peer["diagnoses"][1]["severity"] == "warning");
    }
    CHECK(doc["peers"][0]["failure"] == "no_proposal_chosen");  // `failure` keeps its meaning
    CHECK(doc["peers"][0]["root_cause"]["proved_by"].get<std::string>().find("hq-fail.log") != std::string::npos);
    auto human = run_command(ike_log() + fixture("etx-vrt/factory-fail.log") + " " + fixture("etx-vrt/hq-fail.log"));
    auto first_root = human.out.find("root cause: unknown_peer");
    CHECK(first_root != std::string::npos);
    CHECK(first_root < human.out.find("[critical] unknown_peer"));
    CHECK(first_root < human.out.find("no_proposal_chosen: follows from unknown_peer"));
    CHECK(human.out.find("tunnel verdict: unknown_peer; change: ") != std::string::npos);
}
