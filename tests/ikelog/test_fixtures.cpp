// Every fixture log under tests/fixtures/ikelog/<vendor>/NAME.log has NAME.expect.json next to it: the detected
// format, the skipped-line count, and per peer the counts, the failure and the codes reported. Adding a vendor
// adds its parser file and fixtures; this test picks them up.
#include "nettool/ikelog/ike_log.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

using namespace nettool;
using namespace nettool::ikelog;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> fixture_logs() {
    std::vector<fs::path> out;
    for (const auto& entry : fs::recursive_directory_iterator(nettool::test::fixtures_dir() / "ikelog")) {
        // vendors/: published excerpts with a labels.json per vendor instead (test_vendors.cpp)
        if (entry.path().extension() == ".log" && entry.path().string().find("/vendors/") == std::string::npos) {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("each vendor fixture yields its expected peers, failures and codes") {
    auto logs = fixture_logs();
    REQUIRE(logs.size() >= 25);
    std::set<std::string> formats_seen, codes_seen;
    for (const auto& log : logs) {
        fs::path expect_path = log;
        expect_path.replace_extension(".expect.json");
        INFO("fixture " << log.string());
        REQUIRE(fs::exists(expect_path));
        auto expect = nlohmann::json::parse(nettool::test::read_file(expect_path));
        Analyzer analyzer;
        REQUIRE(read_log(log.string(), analyzer, nullptr).ok());
        IkeReport report = analyzer.report();
        REQUIRE(report.files.size() == 1);
        CHECK(report.files[0].format == expect["format"].get<std::string>());
        CHECK(report.files[0].confidence > 0.3);
        CHECK(report.files[0].skipped == expect["skipped"].get<std::size_t>());
        formats_seen.insert(report.files[0].format);
        CHECK(report.peers.size() == expect["peers"].size());
        for (const auto& want : expect["peers"]) {
            std::string name = want["peer"].get<std::string>();
            INFO("peer " << name);
            auto it = std::find_if(report.peers.begin(), report.peers.end(),
                                   [&](const PeerReport& p) { return p.peer == name; });
            REQUIRE(it != report.peers.end());
            const PeerReport& p = *it;
            CHECK(p.peer_is_address == want.value("peer_is_address", true));
            CHECK(to_string(p.role) == want["role"].get<std::string>());
            CHECK(p.attempts == want["attempts"].get<std::size_t>());
            CHECK(p.phase1_established == want["phase1_established"].get<std::size_t>());
            CHECK(p.established == want["established"].get<std::size_t>());
            CHECK(p.failure == want["failure"].get<std::string>());
            if (want.contains("ike_version")) CHECK(p.ike_version == want["ike_version"].get<int>());
            if (want.contains("local")) CHECK(p.local == want["local"].get<std::string>());
            if (want.contains("flaps")) CHECK(p.flaps == want["flaps"].get<std::size_t>());
            std::set<std::string> got;
            for (const auto& f : p.failures) got.insert(f.code);
            std::set<std::string> expected;
            for (const auto& c : want["codes"]) expected.insert(c.get<std::string>());
            CHECK(got == expected);
            for (const auto& f : p.failures) {
                codes_seen.insert(f.code);
                REQUIRE_FALSE(f.evidence.empty());
                // Evidence points at a line of this file.
                CHECK(f.evidence.front().source.rfind(log.string() + ":", 0) == 0);
                bool diagnosed = std::any_of(p.diagnoses.begin(), p.diagnoses.end(),
                                             [&](const Diagnosis& d) { return d.code == f.code && !d.advice.empty(); });
                CHECK(diagnosed);
            }
            if (p.failures.empty()) {
                REQUIRE_FALSE(p.diagnoses.empty());
                CHECK(p.diagnoses.front().code == "none");
            }
        }
    }
    // The fixtures cover every vendor format and every failure code.
    // (or by published excerpts under vendors/<format>/, which test_vendors.cpp checks against their labels).
    for (const FormatInfo* f : all_formats()) {
        std::string name(f->name);
        bool labelled = fs::exists(nettool::test::fixtures_dir() / "ikelog/vendors" / name / "labels.json");
        CHECK((formats_seen.count(name) == 1 || labelled));
    }
    for (const char* code : {codes::no_proposal_chosen, codes::auth_failed, codes::peer_unreachable, codes::id_mismatch,
                             codes::ts_unacceptable, codes::dpd_timeout, codes::unknown_peer}) {
        CHECK(codes_seen.count(code) == 1);
    }
}
