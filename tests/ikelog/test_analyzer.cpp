// The reader and analyser end to end on committed fixtures and generated input: gzip, hostile lines, forced
// formats, correlation of two logs, --resolve checks, the JSON shape.
#include "nettool/ikelog/ike_log.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>

using namespace nettool;
using namespace nettool::ikelog;
using nettool::test::fixtures_dir;

namespace {

IkeReport run(const std::vector<std::string>& paths, const FormatInfo* forced = nullptr,
              std::vector<NameCheck> names = {}) {
    Analyzer analyzer;
    analyzer.set_name_checks(std::move(names));
    for (const auto& p : paths) REQUIRE(read_log(p, analyzer, forced).ok());
    return analyzer.report();
}

std::string fixture(const std::string& name) { return (fixtures_dir() / "ikelog" / name).string(); }

}  // namespace

TEST_CASE("gzip-compressed logs read like plain ones, damaged ones are an input error") {
    nettool::test::TempDir dir;
    std::string gz = (dir.path() / "hq-fail.log.gz").string();
    REQUIRE(std::system(("gzip -c " + nettool::test::shell_quote(fixture("etx-vrt/hq-fail.log")) + " > " +
                         nettool::test::shell_quote(gz))
                            .c_str()) == 0);
    IkeReport plain = run({fixture("etx-vrt/hq-fail.log")});
    IkeReport packed = run({gz});
    REQUIRE(packed.peers.size() == 1);
    CHECK(packed.files[0].lines == plain.files[0].lines);
    CHECK(packed.peers[0].failure == plain.peers[0].failure);
    CHECK(packed.peers[0].attempts == 3);
    // Truncate the compressed file: what was read is kept, the damage is reported.
    std::string data = nettool::test::read_file(gz);
    std::string cut = (dir.path() / "cut.gz").string();
    nettool::test::write_file(cut, data.substr(0, data.size() / 2));
    Analyzer analyzer;
    Status s = read_log(cut, analyzer, nullptr);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == ErrorKind::input);
    Analyzer missing;
    Status m = read_log((dir.path() / "nope.log").string(), missing, nullptr);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().message.find("cannot open") != std::string::npos);
}

TEST_CASE("binary data, huge lines and garbage are counted as skipped, never fatal") {
    nettool::test::TempDir dir;
    std::string path = (dir.path() / "hostile.log").string();
    std::string content = nettool::test::read_file(fixture("strongswan/ikev2-ok.log"));
    content += std::string(200000, 'x') + "\n";                         // one huge line
    content += std::string("\x00\x01\x02 binary \xff\xfe\n", 14);        // binary
    content += "just some words\n\n\n";                                  // garbage and blanks
    content += std::string(100000, 'y');                                 // huge last line without newline
    nettool::test::write_file(path, content);
    IkeReport r = run({path});
    REQUIRE(r.files.size() == 1);
    const FileSummary& f = r.files[0];
    CHECK(f.format == "strongswan");
    CHECK(f.skipped_too_long == 2);
    CHECK(f.skipped_binary == 1);
    CHECK(f.skipped_unrecognised == 1);
    CHECK(f.skipped == 4);
    CHECK(f.lines == 10 + 1 + 1 + 1 + 2 + 1);  // fixture, huge, binary, words, blanks, huge
    REQUIRE(r.peers.size() == 1);
    CHECK(r.peers[0].failure == "none");
    bool reported = std::any_of(r.diagnoses.begin(), r.diagnoses.end(),
                                [](const Diagnosis& d) { return d.code == "skipped_lines"; });
    CHECK(reported);
}

TEST_CASE("a file in no known format is an input error, and a forced format is used as asked") {
    nettool::test::TempDir dir;
    std::string path = (dir.path() / "prose.txt").string();
    nettool::test::write_file(path, "Dear admin,\nthe VPN is down again.\n");
    Analyzer analyzer;
    Status read = read_log(path, analyzer, nullptr);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().kind == ErrorKind::input);
    CHECK(read.error().message.find("no known IKE log format recognised in 2 lines") != std::string::npos);
    IkeReport r = analyzer.report();
    CHECK(r.files[0].format == "unknown");
    CHECK(r.files[0].skipped == 2);
    CHECK(r.peers.empty());
    CHECK(std::any_of(r.diagnoses.begin(), r.diagnoses.end(), [](const Diagnosis& d) { return d.code == "unknown_format"; }));
    // Why a summary cannot be a log: empty, binary, UTF-16.
    FileSummary f;
    f.format = "unknown";
    CHECK(not_a_log(f).value().rfind("empty", 0) == 0);
    f.lines = 10;
    f.skipped = f.skipped_binary = 9;
    CHECK(not_a_log(f).value().rfind("binary data", 0) == 0);
    f.skipped_utf16 = 9;
    CHECK(not_a_log(f).value().rfind("UTF-16", 0) == 0);
    f.format = "strongswan";
    CHECK_FALSE(not_a_log(f).has_value());
    IkeReport forced = run({fixture("etx-vrt/hq-ok.log")}, find_format("etx-vrt"));
    CHECK(forced.files[0].forced);
    CHECK(forced.files[0].confidence == 1.0);
    REQUIRE(forced.peers.size() == 1);
    CHECK(forced.peers[0].established_counts_phase1);
}

TEST_CASE("both ends of the field case are paired side by side") {
    IkeReport r = run({fixture("etx-vrt/factory-fail.log"), fixture("etx-vrt/hq-fail.log")});
    REQUIRE(r.peers.size() == 2);
    REQUIRE(r.correlations.size() == 1);
    const Correlation& c = r.correlations[0];
    CHECK(c.matched_by == "only peers");
    CHECK(c.paired_by == "order (from the end)");
    REQUIRE(c.pairs.size() == 3);
    for (const auto& pair : c.pairs) {
        REQUIRE(pair.a);
        REQUIRE(pair.b);
        CHECK(pair.a->code == "no_proposal_chosen");
        CHECK(pair.b->code == "no_proposal_chosen");
        CHECK(pair.b->notes.find("sent NO_PROPOSAL_CHOSEN") != std::string::npos);
    }
    // ok pair: the factory saw 2 attempts (one refused), HQ only the successful one: aligned from the end.
    IkeReport ok = run({fixture("etx-vrt/factory-ok.log"), fixture("etx-vrt/hq-ok.log")});
    REQUIRE(ok.correlations.size() == 1);
    const auto& pairs = ok.correlations[0].pairs;
    REQUIRE(pairs.size() == 2);
    CHECK_FALSE(pairs[0].b.has_value());
    REQUIRE(pairs[1].a);
    REQUIRE(pairs[1].b);
    CHECK(pairs[1].a->outcome == "established");
    CHECK(pairs[1].b->outcome == "established");
    // Addresses: the factory's own address (ID Data) is the address HQ saw.
    CHECK(ok.correlations[0].matched_by == "addresses");
}

TEST_CASE("resolve checks (--resolve) say whether DNS returns the address in the log") {
    auto stale = parse_resolve_argument("factory.example.net=192.0.2.200");
    REQUIRE(stale.ok());
    auto current = parse_resolve_argument("factory.example.net=203.0.113.45,2001:db8::1");
    REQUIRE(current.ok());
    CHECK(current->addresses.size() == 2);
    CHECK(parse_resolve_argument("name.example").value().source == "dns");
    for (const char* bad : {"=1.2.3.4", "x=1.2.3", "x=", "a b=1.2.3.4", "x=1.2.3.4,"}) {
        CHECK_FALSE(parse_resolve_argument(bad).ok());
    }
    auto advice_of = [](const IkeReport& r) {
        for (const auto& d : r.peers.at(0).diagnoses) {
            if (d.code == "unknown_peer") return d.advice;
        }
        return std::string();
    };
    IkeReport r1 = run({fixture("etx-vrt/hq-fail.log")}, nullptr, {*stale});
    CHECK(advice_of(r1).find("stale") != std::string::npos);
    CHECK(advice_of(r1).find("192.0.2.200") != std::string::npos);
    IkeReport r2 = run({fixture("etx-vrt/hq-fail.log")}, nullptr, {*current});
    CHECK(advice_of(r2).find("caught up") != std::string::npos);
    NameCheck literal{"203.0.113.45", {}, "dns", ""};
    lookup_name(literal, {});
    CHECK(literal.addresses == std::vector<std::string>{"203.0.113.45"});
}

TEST_CASE("the JSON document has the shape of the issue") {
    IkeReport r = run({fixture("etx-vrt/hq-fail.log")});
    nlohmann::json j = r;
    REQUIRE(j["files"].size() == 1);
    for (const char* key : {"path", "format", "lines", "skipped"}) CHECK(j["files"][0].contains(key));
    REQUIRE(j["peers"].size() == 1);
    const auto& p = j["peers"][0];
    for (const char* key : {"peer", "connection", "role", "ike_version", "attempts", "phase1_established", "established",
                            "last_state", "failures", "diagnoses", "failure", "flaps", "failed", "time_to_establish_s"}) {
        CHECK(p.contains(key));
    }
    CHECK(p["peer"] == "203.0.113.45");
    CHECK(p["role"] == "responder");
    CHECK(p["ike_version"] == 1);
    CHECK(p["attempts"] == 3);
    CHECK(p["established"] == 0);
    CHECK(p["failure"] == "no_proposal_chosen");
    REQUIRE(p["failures"].size() == 2);
    CHECK(p["failures"][0]["code"] == "no_proposal_chosen");
    CHECK(p["failures"][0]["count"] == 3);
    CHECK(p["failures"][0]["evidence"][0]["source"].get<std::string>().find("hq-fail.log:") != std::string::npos);
    CHECK(p["failures"][1]["code"] == "unknown_peer");
    CHECK(p["diagnoses"][0]["severity"] == "critical");
    CHECK_FALSE(p["diagnoses"][0]["advice"].get<std::string>().empty());
    CHECK(j["all_established"] == false);
    // The root cause: the DIALUP CASE refusal means the responder did not know the address.
    CHECK(p["failure"] == "no_proposal_chosen");
    CHECK(p["root_cause"]["code"] == "unknown_peer");
    CHECK_FALSE(p["root_cause"]["summary"].get<std::string>().empty());
    CHECK(p["root_cause"]["explains"] == nlohmann::json::array({"no_proposal_chosen"}));
    CHECK(p["root_cause"]["proved_by"].is_null());
    CHECK(p["diagnoses"][0]["code"] == "unknown_peer");
    CHECK(p["diagnoses"][0]["follows_from"].is_null());
    CHECK(p["diagnoses"][1]["code"] == "no_proposal_chosen");
    CHECK(p["diagnoses"][1]["follows_from"] == "unknown_peer");
    CHECK(p["diagnoses"][1]["severity"] == "warning");
}

TEST_CASE("memory stays bounded on long logs: attempts fold into counters") {
    Analyzer analyzer;
    std::size_t file = analyzer.add_file("synthetic");
    LogFeeder feeder(analyzer, file, find_format("etx-vrt"));
    for (int i = 0; i < 20000; ++i) {
        feeder.line("[==== IKE PHASE 1(to 198.51.100.7) START (initiator) ====]");
        feeder.line("**** SENT OUT FIRST MESSAGE OF MAIN MODE ****");
        feeder.line("**** RECEIVED IKE NOTIFY PAYLOAD(NO_PROPOSAL_CHOSEN) ****");
    }
    feeder.flush(true);
    IkeReport r = analyzer.report();
    REQUIRE(r.peers.size() == 1);
    CHECK(r.peers[0].attempts == 20000);
    CHECK(r.peers[0].recent_attempts.size() <= 64);
    CHECK(r.peers[0].failures[0].evidence.size() <= 4);
    CHECK(r.files[0].lines == 60000);
}
