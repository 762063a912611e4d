// The bar: every labelled peer of ../shared/corpus/ike/labels.json gets its labelled phase1_established,
// established, failure and `also` codes, from its file alone, with the format auto-detected.
#include "nettool/ikelog/ike_log.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace nettool;
using namespace nettool::ikelog;

namespace {

IkeReport analyse(const std::string& path) {
    Analyzer analyzer;
    Status s = read_log(path, analyzer, nullptr);
    REQUIRE(s.ok());
    return analyzer.report();
}

bool reports_code(const PeerReport& p, const std::string& code) {
    bool in_failures = std::any_of(p.failures.begin(), p.failures.end(), [&](const auto& f) { return f.code == code; });
    bool in_diagnoses =
        std::any_of(p.diagnoses.begin(), p.diagnoses.end(), [&](const auto& d) { return d.code == code; });
    return in_failures && in_diagnoses;
}

}  // namespace

TEST_CASE("every labelled peer of the shared IKE corpus gets its labelled outcome") {
    auto shared = nettool::test::shared_dir();
    if (!shared || !std::filesystem::exists(*shared / "corpus/ike/labels.json")) {
        NETTOOL_SKIP("../shared/corpus/ike is absent: the corpus bar cannot run here");
    }
    const auto root = *shared / "corpus/ike";
    nlohmann::json labels = nlohmann::json::parse(nettool::test::read_file(root / "labels.json"));
    REQUIRE(labels["files"].size() >= 80);
    std::size_t peers_checked = 0, files_checked = 0;
    for (const auto& [relative, entry] : labels["files"].items()) {
        INFO("file " << relative);
        IkeReport report = analyse((root / relative).string());
        REQUIRE(report.files.size() == 1);
        CHECK(report.files[0].format == entry["daemon"].get<std::string>());
        CHECK(report.files[0].skipped == 0);
        ++files_checked;
        if (entry["peers"].empty()) {
            CHECK(report.peers.empty());
            continue;
        }
        CHECK(report.peers.size() == entry["peers"].size());
        for (const auto& label : entry["peers"]) {
            bool in_log = label.value("peer_in_log", true);
            std::string want = in_log ? label["peer"].get<std::string>() : label["connection"].get<std::string>();
            INFO("peer " << want << " (root cause " << label["root_cause"].get<std::string>() << ")");
            auto it = std::find_if(report.peers.begin(), report.peers.end(),
                                   [&](const PeerReport& p) { return p.peer == want; });
            CHECK(it != report.peers.end());
            if (it == report.peers.end()) {
                for (const auto& other : report.peers) WARN("  reported peer " << other.peer << " failure " << other.failure);
                continue;
            }
            const PeerReport& p = *it;
            CHECK(p.peer_is_address == in_log);
            CHECK((p.phase1_established > 0) == label["phase1_established"].get<bool>());
            CHECK((p.established > 0) == label["established"].get<bool>());
            CHECK(p.failure == label["failure"].get<std::string>());
            if (label["failure"] != "none") CHECK(reports_code(p, label["failure"].get<std::string>()));
            for (const auto& also : label["also"]) CHECK(reports_code(p, also.get<std::string>()));
            if (label.contains("ike_version")) CHECK(p.ike_version == label["ike_version"].get<int>());
            // The connection name when the log prints one (a responder that found no config never does).
            if (!p.connection.empty() && label.contains("connection") && label["connection"].is_string()) {
                CHECK(p.connection == label["connection"].get<std::string>());
            }
            CHECK(p.role == (entry["role"] == "initiator" ? Role::initiator : Role::responder));
            ++peers_checked;
        }
    }
    CHECK(files_checked == labels["files"].size());
    WARN("corpus bar: " << files_checked << " files, " << peers_checked << " labelled peers checked");
}
