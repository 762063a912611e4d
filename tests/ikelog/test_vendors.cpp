// Published vendor excerpts (tests/fixtures/ikelog/vendors/<vendor>/, sources in each README.md) against their
// labels.json: the format is detected, the order (newest first) found, and every labelled peer gets its labelled
// phase 1 / established outcome and failure codes, from the file alone.
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

IkeReport analyse(const fs::path& path) {
    Analyzer analyzer;
    REQUIRE(read_log(path.string(), analyzer, nullptr).ok());
    return analyzer.report();
}

}  // namespace

TEST_CASE("published vendor excerpts give their labelled peers, outcomes and failure codes") {
    const fs::path root = nettool::test::fixtures_dir() / "ikelog/vendors";
    std::set<std::string> formats, real_formats;
    std::size_t files = 0, peers_checked = 0;
    for (const auto& vendor : fs::directory_iterator(root)) {
        fs::path labels_path = vendor.path() / "labels.json";
        if (!fs::exists(labels_path)) continue;
        INFO("labels " << labels_path.string());
        REQUIRE(fs::exists(vendor.path() / "README.md"));
        auto labels = nlohmann::json::parse(nettool::test::read_file(labels_path));
        for (const auto& [name, entry] : labels["files"].items()) {
            fs::path log = vendor.path() / name;
            INFO("fixture " << log.string());
            REQUIRE(fs::exists(log));
            IkeReport report = analyse(log);
            ++files;
            REQUIRE(report.files.size() == 1);
            const FileSummary& f = report.files[0];
            CHECK(f.format == entry["daemon"].get<std::string>());
            CHECK(f.skipped == 0);
            CHECK(f.newest_first == (entry.value("order", "oldest_first") == "newest_first"));
            formats.insert(f.format);
            if (!entry.value("handmade", false)) real_formats.insert(f.format);
            CHECK(report.peers.size() == entry["peers"].size());
            for (const auto& want : entry["peers"]) {
                std::string peer = want["peer"].get<std::string>();
                INFO("peer " << peer);
                auto it = std::find_if(report.peers.begin(), report.peers.end(),
                                       [&](const PeerReport& p) { return p.peer == peer; });
                REQUIRE(it != report.peers.end());
                const PeerReport& p = *it;
                ++peers_checked;
                CHECK((p.phase1_established > 0) == want["phase1_established"].get<bool>());
                CHECK((p.established > 0) == want["established"].get<bool>());
                CHECK(p.failure == want["failure"].get<std::string>());
                if (want.contains("role")) CHECK(to_string(p.role) == want["role"].get<std::string>());
                std::set<std::string> got, expected;
                for (const auto& c : p.failures) got.insert(c.code);
                for (const auto& c : want["failures_seen"]) expected.insert(c.get<std::string>());
                CHECK(got == expected);
                if (want.contains("evidence_line")) {
                    auto reported = std::find_if(p.failures.begin(), p.failures.end(),
                                                 [&](const FailureCount& c) { return c.code == p.failure; });
                    REQUIRE(reported != p.failures.end());
                    REQUIRE_FALSE(reported->evidence.empty());
                    std::string at = log.string() + ":" + std::to_string(want["evidence_line"].get<int>());
                    CHECK(reported->evidence.front().source == at);
                }
                for (const auto& c : p.failures) {
                    bool diagnosed = std::any_of(p.diagnoses.begin(), p.diagnoses.end(),
                                                 [&](const Diagnosis& d) { return d.code == c.code; });
                    CHECK(diagnosed);
                }
            }
        }
    }
    CHECK(files >= 25);
    CHECK(peers_checked >= files);
    // Every vendor of issue 21 has published (not hand-made) excerpts among its fixtures.
    for (const char* name : {"juniper-srx", "mikrotik", "panos", "sonicwall", "fortigate"}) {
        INFO("vendor " << name);
        CHECK(real_formats.count(name) == 1);
    }
}

TEST_CASE("a newest-first export is read in reverse, and the same lines oldest first give the same verdict") {
    const fs::path log = nettool::test::fixtures_dir() / "ikelog/vendors/sonicwall/handmade-ikev2-no-proposal.log";
    IkeReport reversed = analyse(log);
    REQUIRE(reversed.files.size() == 1);
    CHECK(reversed.files[0].newest_first);
    // The same lines turned around by hand: read in file order, same peers and failures.
    std::string text = nettool::test::read_file(log);
    std::vector<std::string> lines;
    std::size_t at = 0;
    while (at < text.size()) {
        auto nl = text.find('\n', at);
        lines.push_back(text.substr(at, nl - at));
        at = nl == std::string::npos ? text.size() : nl + 1;
    }
    std::reverse(lines.begin(), lines.end());
    nettool::test::TempDir dir;
    fs::path forward = dir.path() / "oldest-first.log";
    std::string turned;
    for (const auto& l : lines) turned += l + "\n";
    nettool::test::write_file(forward, turned);
    IkeReport plain = analyse(forward);
    CHECK_FALSE(plain.files[0].newest_first);
    // A forced format skips detection, not the order check.
    Analyzer forced;
    REQUIRE(read_log(log.string(), forced, find_format("sonicwall")).ok());
    IkeReport forced_report = forced.report();
    CHECK(forced_report.files[0].forced);
    CHECK(forced_report.files[0].newest_first);
    CHECK(forced_report.peers.size() == reversed.peers.size());
    REQUIRE(plain.peers.size() == reversed.peers.size());
    for (std::size_t i = 0; i < plain.peers.size(); ++i) {
        CHECK(plain.peers[i].peer == reversed.peers[i].peer);
        CHECK(plain.peers[i].failure == reversed.peers[i].failure);
        CHECK(plain.peers[i].established == reversed.peers[i].established);
    }
}

TEST_CASE("a traffic-selector refusal is never reported as phase 1 not coming up") {
    IkeReport report =
        analyse(nettool::test::fixtures_dir() / "ikelog/vendors/fixes/strongswan-ts-after-quick-mode.log");
    REQUIRE(report.peers.size() == 1);
    const PeerReport& p = report.peers[0];
    CHECK(p.failure == "ts_unacceptable");
    for (const Diagnosis& d : p.diagnoses) CHECK(d.summary.find("never came up") == std::string::npos);
}

TEST_CASE("vendor lines inside a mixed syslog file are found and the rest is counted, not misread") {
    nettool::test::TempDir dir;
    fs::path log = dir.path() / "messages";
    nettool::test::write_file(log,
        "Aug  3 10:18:40 srx1 sshd[1200]: Accepted publickey for admin from 192.0.2.50 port 50122 ssh2\n"
               "Aug  3 10:18:41 srx1 mgd[1300]: UI_COMMIT_COMPLETED: commit complete\n"
               "Aug  3 10:18:44  srx1 kmd[14162]: IKE negotiation failed with error: No proposal chosen. IKE Version: "
               "1, VPN: vpn1 Gateway: gw1, Local: 192.0.2.1/500, Remote: 203.0.113.2/500, Local IKE-ID: 192.0.2.1, "
               "Remote IKE-ID: 203.0.113.2, VR-ID: 0, Role: Responder\n"
               "Aug  3 10:18:45 srx1 sshd[1200]: Disconnected from user admin 192.0.2.50 port 50122\n");
    IkeReport report = analyse(log);
    REQUIRE(report.files.size() == 1);
    CHECK(report.files[0].format == "juniper-srx");
    CHECK(report.files[0].skipped == 3);
    REQUIRE(report.peers.size() == 1);
    CHECK(report.peers[0].peer == "203.0.113.2");
    CHECK(report.peers[0].failure == "no_proposal_chosen");
}
