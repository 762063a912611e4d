// The bar: every labelled peer of ../shared/corpus/ike/labels.json gets its labelled phase1_established,
// established, failure and `also` codes, from its file alone, with the format auto-detected.
#include "nettool/ikelog/ike_log.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

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

struct Corpus {
    std::filesystem::path root;
    nlohmann::json labels;
};

// The labelled corpus of ../shared, or nullopt when it is absent (the caller skips).
std::optional<Corpus> labelled_corpus() {
    auto shared = nettool::test::shared_dir();
    if (!shared || !std::filesystem::exists(*shared / "corpus/ike/labels.json")) return std::nullopt;
    Corpus c{*shared / "corpus/ike", {}};
    c.labels = nlohmann::json::parse(nettool::test::read_file(c.root / "labels.json"));
    return c;
}

}  // namespace

TEST_CASE("every labelled peer of the shared IKE corpus gets its labelled outcome") {
    auto corpus = labelled_corpus();
    if (!corpus) NETTOOL_SKIP("../shared/corpus/ike is absent: the corpus bar cannot run here");
    const auto& root = corpus->root;
    const auto& labels = corpus->labels;
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

namespace {

// What a correct root_cause is for one labelled peer, from its file alone. The label's root_cause is the truth of
// the scenario; a single log proves it only sometimes:
// - stale_dns shows as unknown_peer where the responder refused an address it had no configuration for (`also`
//   or `failure` say so); the initiator of such a pair sees only the symptom (its `failure`);
// - lab_kernel_no_esp shows as sa_install_failed on the end whose kernel refused (its failure is none there);
//   the other end sees only the symptom;
// - any other cause is the root cause where this file shows it, else the file's own failure;
// - a peer that ended up fine but saw failures on the way has the first of them as root cause; none: no root.
std::string expected_root_cause(const nlohmann::json& label) {
    const std::string failure = label["failure"].get<std::string>();
    const std::string truth = label["root_cause"].get<std::string>();
    std::vector<std::string> seen, also;
    for (const auto& s : label["failures_seen"]) seen.push_back(s.get<std::string>());
    for (const auto& s : label["also"]) also.push_back(s.get<std::string>());
    if (failure == "unknown_peer" || std::find(also.begin(), also.end(), "unknown_peer") != also.end()) {
        return "unknown_peer";
    }
    if (truth == "lab_kernel_no_esp") return failure == "none" ? "sa_install_failed" : failure;
    if (truth == failure || std::find(seen.begin(), seen.end(), truth) != seen.end()) return truth;
    if (failure != "none") return failure;
    return seen.empty() ? "none" : seen.front();
}

// The verdict for a labelled pair, from the responder's label (the end that sees the cause).
std::string expected_verdict(const nlohmann::json& responder_label) {
    const std::string truth = responder_label["root_cause"].get<std::string>();
    if (truth == "stale_dns") return "unknown_peer";
    if (truth == "lab_kernel_no_esp") return "sa_install_failed";
    return truth;
}

}  // namespace

TEST_CASE("every labelled peer of the shared IKE corpus gets the root cause its label implies") {
    auto corpus = labelled_corpus();
    if (!corpus) NETTOOL_SKIP("../shared/corpus/ike is absent: the root-cause bar cannot run here");
    const auto& root = corpus->root;
    const auto& labels = corpus->labels;
    std::size_t checked = 0;
    for (const auto& [relative, entry] : labels["files"].items()) {
        IkeReport report = analyse((root / relative).string());
        for (const auto& label : entry["peers"]) {
            std::string want = label.value("peer_in_log", true) ? label["peer"].get<std::string>()
                                                                : label["connection"].get<std::string>();
            auto it = std::find_if(report.peers.begin(), report.peers.end(),
                                   [&](const PeerReport& p) { return p.peer == want; });
            if (it == report.peers.end()) continue;  // the outcome bar above reports a missing peer
            const std::string expected = expected_root_cause(label);
            INFO("file " << relative << " peer " << want << " label root_cause " << label["root_cause"]
                         << " -> expected " << expected);
            if (expected == "none") {
                CHECK_FALSE(it->root_cause.has_value());
                CHECK_FALSE(has_problem(it->diagnoses));
            } else {
                REQUIRE(it->root_cause.has_value());
                CHECK(it->root_cause->code == expected);
                CHECK(it->root_cause->proved_by.empty());  // one file: nothing proved elsewhere
                // Shown first, with the highest severity; what it explains follows, marked.
                REQUIRE_FALSE(it->diagnoses.empty());
                CHECK(it->diagnoses.front().code == expected);
                CHECK(it->diagnoses.front().severity == worst_severity(it->diagnoses));
                for (const auto& code : it->root_cause->explains) {
                    auto d = std::find_if(it->diagnoses.begin(), it->diagnoses.end(),
                                          [&](const Diagnosis& x) { return x.code == code; });
                    REQUIRE(d != it->diagnoses.end());
                    CHECK(d->summary.rfind("follows from " + expected, 0) == 0);
                }
            }
            ++checked;
        }
    }
    CHECK(checked >= 70);
    WARN("root-cause bar: " << checked << " labelled peers checked");
}

TEST_CASE("both ends of every labelled corpus pair get one tunnel verdict, proved by the end that sees it") {
    auto corpus = labelled_corpus();
    if (!corpus) NETTOOL_SKIP("../shared/corpus/ike is absent: the pairing bar cannot run here");
    const auto& root = corpus->root;
    const auto& labels = corpus->labels;
    std::size_t pairs = 0;
    for (const auto& [relative, entry] : labels["files"].items()) {
        if (entry["role"] != "initiator") continue;
        std::string responder = relative;
        auto at = responder.rfind("initiator");
        responder.replace(at, std::string("initiator").size(), "responder");
        if (!labels["files"].contains(responder)) continue;
        const auto& rentry = labels["files"][responder];
        // One peer on each side (a responder that also saw the peer's new address is a second tunnel).
        if (entry["peers"].size() != 1 || rentry["peers"].size() != 1) continue;
        if (entry["scenario"] == "field-case" && relative.find("-ok") != std::string::npos) continue;
        INFO("pair " << relative << " + " << responder);
        Analyzer analyzer;
        REQUIRE(read_log((root / relative).string(), analyzer, nullptr).ok());
        REQUIRE(read_log((root / responder).string(), analyzer, nullptr).ok());
        IkeReport report = analyzer.report();
        REQUIRE(report.correlations.size() == 1);
        REQUIRE(report.correlations[0].verdict.has_value());
        const TunnelVerdict& v = *report.correlations[0].verdict;
        const std::string expected = expected_verdict(rentry["peers"][0]);
        CHECK(v.diagnosis.code == expected);
        if (expected == "none") {
            CHECK(v.change_role == "none");
        } else if (expected == "auth_failed") {
            CHECK(v.change_role == "both");  // the keys differ: neither end is "the" wrong one
        } else if (expected == "dpd_timeout") {
            CHECK(v.change_role == "path");
        } else {
            // The responder's log proves the cause: that end is named.
            CHECK(v.change_role == "responder");
            CHECK(v.change_file == (root / responder).string());
        }
        // Both ends now lead with the tunnel's cause; the initiator's guess (e.g. "PSK differ" for an ID
        // mismatch) is replaced by what the responder's log proves.
        for (const auto& p : report.peers) {
            INFO("peer " << p.peer << " in " << p.file);
            if (expected == "none") {
                CHECK_FALSE(p.root_cause.has_value());
                continue;
            }
            REQUIRE(p.root_cause.has_value());
            CHECK(p.root_cause->code == expected);
            CHECK(p.diagnoses.front().code == expected);
        }
        ++pairs;
    }
    CHECK(pairs >= 30);
    WARN("pairing bar: " << pairs << " pairs checked");
}
