// The committed recordings (tests/fixtures/link, written by make-fixtures.py) through analyze_recording and
// through the nettool binary: every code from recorded data, JSON shape, exit statuses, usage and input errors,
// and a --record / --sysfs-root round trip on this machine's own interfaces (reading only, no traffic).
#include "nettool/link/link_check.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

using namespace nettool;
using namespace nettool::link;
using namespace nettool::test;

namespace {

std::filesystem::path fixture(const std::string& name) { return fixtures_dir() / "link" / name; }

LinkReport recorded(const std::string& name) {
    LinkRequest request;
    request.sysfs_root = fixture(name);
    auto report = analyze_recording(request);
    if (!report) FAIL(report.error().describe());
    return std::move(report).value();
}

const Diagnosis* find(const InterfaceReport& r, const std::string& code) {
    auto it = std::find_if(r.diagnoses.begin(), r.diagnoses.end(), [&](const Diagnosis& d) { return d.code == code; });
    return it == r.diagnoses.end() ? nullptr : &*it;
}

CommandResult nettool_link(const std::string& args) {
    return run_command(shell_quote(nettool_binary()) + " link " + args);
}

}  // namespace

TEST_CASE("recorded: the seed's bad gigabit link (downshift + CRC growth)") {
    auto report = recorded("downshift-crc");
    CHECK(report.source == "recorded");
    CHECK(report.window_seconds == Approx(3.0));
    REQUIRE(report.interfaces.size() == 1);
    const auto& eth0 = report.interfaces[0];
    CHECK(eth0.name == "eth0");
    CHECK(eth0.settings.speed_mbps == 100U);
    CHECK(eth0.driver->driver == "e1000e");
    const auto* downshift = find(eth0, "speed_downshift");
    REQUIRE(downshift);
    CHECK(downshift->severity == Severity::warning);
    const auto* errors = find(eth0, "errors_rising");
    REQUIRE(errors);
    CHECK(errors->summary.find("CRC 84, frame/alignment 6") != std::string::npos);
    CHECK(errors->summary.find("30.0/s") != std::string::npos);
    CHECK(eth0.counters.at("rx_crc_errors").delta == 84U);
    CHECK(eth0.driver_stats.at("rx_align_errors").delta == 6U);
    CHECK_FALSE(find(eth0, "ok"));
}

TEST_CASE("recorded: one case per code") {
    const auto half = recorded("half-duplex").interfaces.at(0);
    REQUIRE(find(half, "half_duplex"));
    CHECK(find(half, "half_duplex")->severity == Severity::critical);
    const auto forced = recorded("autoneg-off").interfaces.at(0);
    REQUIRE(find(forced, "autoneg_off"));
    CHECK(find(forced, "autoneg_off")->severity == Severity::warning);
    const auto flapping = recorded("flapping").interfaces.at(0);
    REQUIRE(find(flapping, "link_flapping"));
    CHECK(find(flapping, "link_flapping")->summary.find("6 time(s)") != std::string::npos);
    const auto drops = recorded("drops").interfaces.at(0);
    REQUIRE(find(drops, "drops_rising"));
    CHECK(find(drops, "drops_rising")->severity == Severity::warning);
    CHECK(drops.driver_stats.at("rx_no_buffer_count").delta == 1600U);
    const auto no_carrier = recorded("no-carrier").interfaces.at(0);
    REQUIRE(find(no_carrier, "link_down"));
    CHECK(find(no_carrier, "link_down")->severity == Severity::critical);
    const auto virt = recorded("virtual").interfaces.at(0);
    CHECK(find(virt, "speed_unknown"));
    CHECK(find(virt, "ok"));
    const auto healthy = recorded("healthy").interfaces.at(0);
    REQUIRE(healthy.diagnoses.size() == 1);
    CHECK(healthy.diagnoses[0].code == "ok");
    CHECK(healthy.traffic.rx_packets_per_second == Approx(2000.0));
}

TEST_CASE("recorded: a plain sysfs root is one sample; loopback skipped unless named") {
    auto report = recorded("single-sample");
    CHECK(report.window_seconds == 0);
    REQUIRE(report.interfaces.size() == 2);
    CHECK(report.interfaces[0].name == "eth0");
    CHECK(report.interfaces[0].settings.source == "sysfs");
    CHECK(report.interfaces[0].settings.speed_mbps == 1000U);
    CHECK(report.interfaces[1].name == "eth2");
    REQUIRE(find(report.interfaces[1], "link_down"));
    CHECK(find(report.interfaces[1], "link_down")->severity == Severity::info);

    LinkRequest named;
    named.sysfs_root = fixture("single-sample");
    named.interfaces = {"lo"};
    auto lo = analyze_recording(named);
    REQUIRE(lo.ok());
    REQUIRE(lo->interfaces.size() == 1);
    CHECK(lo->interfaces[0].name == "lo");
    named.interfaces = {"eth7"};
    auto missing = analyze_recording(named);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::input);
}

TEST_CASE("recorded: broken recordings are input errors") {
    TempDir tmp;
    LinkRequest request;
    request.sysfs_root = tmp.path();
    auto empty = analyze_recording(request);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().kind == ErrorKind::input);
    CHECK(empty.error().message.find("no class/net directory") != std::string::npos);

    std::filesystem::create_directories(tmp.path() / "start" / "class" / "net" / "eth0");
    std::filesystem::create_directories(tmp.path() / "end" / "class" / "net" / "eth0");
    auto no_window = analyze_recording(request);
    REQUIRE_FALSE(no_window.ok());
    CHECK(no_window.error().message.find("window_seconds") != std::string::npos);
    for (const char* bad : {"0", "-3", "nan", "abc", "1e99", ""}) {
        write_file(tmp.path() / "window_seconds", bad);
        auto r = analyze_recording(request);
        INFO(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::input);
    }
    write_file(tmp.path() / "window_seconds", "2.5\n");
    auto ok = analyze_recording(request);
    REQUIRE(ok.ok());  // an interface directory with no files at all: unknowns, not a crash
    CHECK(ok->interfaces.size() == 1);

    write_file(tmp.path() / "ethtool.json", "{\"samples\": 5}");
    request.ethtool_json = tmp.path() / "ethtool.json";
    auto bad_json = analyze_recording(request);
    REQUIRE_FALSE(bad_json.ok());
    CHECK(bad_json.error().kind == ErrorKind::input);
    CHECK(bad_json.error().describe().find("ethtool.json: $.samples") != std::string::npos);
}

TEST_CASE("request validation: contradictions are usage errors") {
    LinkRequest r;
    r.watch_seconds = -1;
    CHECK(validate_request(r).error().kind == ErrorKind::usage);
    r.watch_seconds = 1;
    r.sysfs_root = "/tmp";
    r.record_dir = "/tmp/x";
    CHECK(validate_request(r).error().kind == ErrorKind::usage);
    r = LinkRequest{};
    r.ethtool_json = "/tmp/e.json";
    CHECK(validate_request(r).error().kind == ErrorKind::usage);
    r = LinkRequest{};
    r.interfaces = {"eth0", "eth0"};
    CHECK(validate_request(r).error().kind == ErrorKind::usage);
    r.interfaces = {"a/b"};
    CHECK(validate_request(r).error().kind == ErrorKind::usage);
}

TEST_CASE("CLI: recorded downshift gives exit 1 and the documented JSON shape") {
    auto r = nettool_link("--sysfs-root " + shell_quote(fixture("downshift-crc").string()) + " --json");
    CHECK(r.exit_status == 1);
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["schema_version"] == 1);
    CHECK(doc["command"] == "link");
    REQUIRE(doc["interfaces"].size() == 1);
    const auto& eth0 = doc["interfaces"][0];
    for (const char* key : {"name", "operstate", "carrier", "speed_mbps", "duplex", "autoneg", "port",
                            "supported_modes", "advertised_modes", "link_partner_modes", "driver", "mtu",
                            "carrier_changes", "counters", "driver_stats", "traffic", "diagnoses"}) {
        INFO(key);
        CHECK(eth0.contains(key));
    }
    std::vector<std::string> codes;
    for (const auto& d : eth0["diagnoses"]) {
        codes.push_back(d["code"]);
        CHECK(d["evidence"].is_array());
        CHECK(d["advice"].is_string());
        CHECK(d["severity"].is_string());
        CHECK(d["summary"].is_string());
    }
    CHECK(std::find(codes.begin(), codes.end(), "speed_downshift") != codes.end());
    CHECK(std::find(codes.begin(), codes.end(), "errors_rising") != codes.end());
}

TEST_CASE("CLI: human report, exit 0 when healthy, explicit --ethtool-json") {
    auto r = nettool_link("--sysfs-root " + shell_quote((fixture("healthy") / "sysfs").string()) + " --ethtool-json " +
                          shell_quote((fixture("healthy") / "ethtool.json").string()));
    CHECK(r.exit_status == 0);
    CHECK(r.out.find("eth0: up, carrier yes, 1000 Mb/s full duplex, autoneg on") != std::string::npos);
    CHECK(r.out.find("[info] ok:") != std::string::npos);
    CHECK(r.out.find("no link problem found") != std::string::npos);
    auto down = nettool_link("--sysfs-root " + shell_quote(fixture("no-carrier").string()));
    CHECK(down.exit_status == 1);
    CHECK(down.out.find("[critical] link_down") != std::string::npos);
    CHECK(down.out.find("link problems: eth0 (link_down)") != std::string::npos);
}

TEST_CASE("CLI: usage and input errors exit 2, a missing interface exits 3") {
    CHECK(nettool_link("--watch -1").exit_status == 2);
    CHECK(nettool_link("--watch abc").exit_status == 2);
    auto watch_recorded = nettool_link("--watch 1 --sysfs-root " + shell_quote(fixture("healthy").string()));
    CHECK(watch_recorded.exit_status == 2);
    CHECK(watch_recorded.err.find("--watch applies to live readings") != std::string::npos);
    CHECK(nettool_link("--ethtool-json /nonexistent.json").exit_status == 2);
    auto bad_root = nettool_link("--sysfs-root /nonexistent-nettool-link");
    CHECK(bad_root.exit_status == 2);
    CHECK(bad_root.err.find("no class/net directory") != std::string::npos);
    auto missing = nettool_link("--watch 0 ntlink-none0");
    CHECK(missing.exit_status == 3);
    CHECK(missing.err.find("no such interface") != std::string::npos);
    auto help = nettool_link("--help");
    CHECK(help.exit_status == 0);
    for (const char* word : {"--watch", "--sysfs-root", "--ethtool-json", "--record", "--json", "speed_downshift",
                             "link_flapping", "Exit status"}) {
        INFO(word);
        CHECK(help.out.find(word) != std::string::npos);
    }
}

TEST_CASE("CLI: --record then --sysfs-root reproduces this machine's reading") {
    TempDir tmp;
    auto dir = tmp.path() / "rec";
    auto live = nettool_link("--watch 0.2 --json --record " + shell_quote(dir.string()));
    REQUIRE((live.exit_status == 0 || live.exit_status == 1));
    auto live_doc = nlohmann::json::parse(live.out);
    CHECK(live_doc["source"] == "live");
    CHECK(live_doc["recorded_to"] == dir.string());
    CHECK(std::filesystem::exists(dir / "ethtool.json"));
    CHECK(std::filesystem::exists(dir / "sysfs" / "window_seconds"));
    auto again = nettool_link("--json --sysfs-root " + shell_quote(dir.string()));
    CHECK(again.exit_status == live.exit_status);
    auto doc = nlohmann::json::parse(again.out);
    CHECK(doc["source"] == "recorded");
    REQUIRE(doc["interfaces"].size() == live_doc["interfaces"].size());
    for (std::size_t i = 0; i < doc["interfaces"].size(); ++i) {
        const auto& a = live_doc["interfaces"][i];
        const auto& b = doc["interfaces"][i];
        CHECK(a["name"] == b["name"]);
        CHECK(a["speed_mbps"] == b["speed_mbps"]);
        CHECK(a["duplex"] == b["duplex"]);
        CHECK(a["driver"] == b["driver"]);
        CHECK(a["virtual"] == b["virtual"]);  // hardware stays hardware: the device marker is a file
        for (const auto& [counter, change] : a["counters"].items()) {
            INFO(counter);
            CHECK(change["end"] == b["counters"][counter]["end"]);
            CHECK(change["delta"] == b["counters"][counter]["delta"]);
        }
        std::vector<std::string> ca, cb;
        for (const auto& d : a["diagnoses"]) ca.push_back(d["code"]);
        for (const auto& d : b["diagnoses"]) cb.push_back(d["code"]);
        CHECK(ca == cb);
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        INFO(entry.path());
        if (entry.is_directory()) CHECK_FALSE(std::filesystem::is_empty(entry.path()));  // git keeps no empty dir
    }
    auto refuse = nettool_link("--watch 0 --record " + shell_quote(dir.string()));
    CHECK(refuse.exit_status == 2);
    CHECK(refuse.err.find("not empty") != std::string::npos);
}

TEST_CASE("CLI: SIGINT ends the watch window early and the report still comes out") {
    auto started = std::chrono::steady_clock::now();
    auto r = run_command("timeout --preserve-status -s INT 3 " + shell_quote(nettool_binary()) +
                         " link --watch 60 --json");
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(elapsed < 30);
    REQUIRE((r.exit_status == 0 || r.exit_status == 1));
    auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["interrupted"] == true);
    CHECK(doc["requested_seconds"] == 60.0);
    CHECK(doc["window_seconds"].get<double>() < 30);
}

TEST_CASE("recordings are self-contained: no empty directory, a hardware NIC replays as hardware from git") {
    // Everything a recording says is in files: git (and tar, zip, many copy tools) drop empty directories.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(fixtures_dir() / "link")) {
        INFO(entry.path());
        if (entry.is_directory()) CHECK_FALSE(std::filesystem::is_empty(entry.path()));
    }
    CHECK_FALSE(recorded("healthy").interfaces.at(0).virtual_nic);
    CHECK_FALSE(recorded("downshift-crc").interfaces.at(0).virtual_nic);
    CHECK(recorded("virtual").interfaces.at(0).virtual_nic);
    // What a clean clone holds: the committed tree (git archive of HEAD), replayed.
    auto src = shell_quote(source_dir().string());
    if (run_command("git -C " + src + " rev-parse --is-inside-work-tree").exit_status != 0) {
        NETTOOL_SKIP("the source is not a git work tree: cannot replay what a clean clone holds");
    }
    TempDir tmp;
    auto extracted = run_command("git -C " + src + " archive HEAD tests/fixtures/link | tar -x -C " +
                                 shell_quote(tmp.path().string()));
    REQUIRE(extracted.exit_status == 0);
    auto replay = nettool_link("--json --sysfs-root " + shell_quote((tmp.path() / "tests/fixtures/link/healthy").string()));
    REQUIRE(replay.exit_status == 0);
    auto doc = nlohmann::json::parse(replay.out);
    CHECK(doc["interfaces"][0]["virtual"] == false);
    CHECK(replay.out.find("virtual NIC") == std::string::npos);
}
