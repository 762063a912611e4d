// sysfs value parsers, the sysfs reader on hand-made roots (including hostile ones) and the ethtool JSON parser.
#include "nettool/link/snapshot.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

using namespace nettool;
using namespace nettool::link;
using nettool::test::TempDir;
using nettool::test::write_file;

TEST_CASE("sysfs numbers: decimal only, overflow rejected") {
    CHECK(parse_sysfs_uint("0\n") == 0U);
    CHECK(parse_sysfs_uint("18446744073709551615\n") == 18446744073709551615ULL);
    CHECK_FALSE(parse_sysfs_uint("18446744073709551616"));
    CHECK_FALSE(parse_sysfs_uint("-1"));
    CHECK_FALSE(parse_sysfs_uint(""));
    CHECK_FALSE(parse_sysfs_uint("\n"));
    CHECK_FALSE(parse_sysfs_uint("12abc"));
    CHECK_FALSE(parse_sysfs_uint("1 2"));
    CHECK_FALSE(parse_sysfs_uint(std::string(5000, '9')));
}

TEST_CASE("sysfs speed: SPEED_UNKNOWN in both spellings is unknown") {
    CHECK(parse_sysfs_speed("1000\n") == 1000U);
    CHECK(parse_sysfs_speed("10000") == 10000U);
    CHECK_FALSE(parse_sysfs_speed("-1\n"));
    CHECK_FALSE(parse_sysfs_speed("4294967295\n"));
    CHECK_FALSE(parse_sysfs_speed("0\n"));
    CHECK_FALSE(parse_sysfs_speed("fast"));
}

TEST_CASE("sysfs duplex, flags and operstate") {
    CHECK(parse_sysfs_duplex("full\n") == Duplex::full);
    CHECK(parse_sysfs_duplex("half\n") == Duplex::half);
    CHECK(parse_sysfs_duplex("unknown\n") == Duplex::unknown);
    CHECK(parse_sysfs_duplex("FULL") == Duplex::unknown);
    CHECK(parse_sysfs_flags("0x1003\n") == 0x1003U);
    CHECK(parse_sysfs_flags("0x9") == 0x9U);
    CHECK_FALSE(parse_sysfs_flags("4099"));
    CHECK_FALSE(parse_sysfs_flags("0x"));
    CHECK_FALSE(parse_sysfs_flags("0x1g"));
    CHECK_FALSE(parse_sysfs_flags("0x123456789"));
    CHECK(parse_sysfs_operstate("up\n") == "up");
    CHECK(parse_sysfs_operstate("lowerlayerdown\n") == "lowerlayerdown");
    CHECK(parse_sysfs_operstate("\x1b[31mup").empty());
    CHECK(parse_sysfs_operstate("").empty());
}

TEST_CASE("interface names") {
    CHECK(valid_interface_name("eth0"));
    CHECK(valid_interface_name("enp0s31f6"));
    CHECK(valid_interface_name("ntlink-a.100"));
    CHECK_FALSE(valid_interface_name(""));
    CHECK_FALSE(valid_interface_name("."));
    CHECK_FALSE(valid_interface_name(".."));
    CHECK_FALSE(valid_interface_name("../etc"));
    CHECK_FALSE(valid_interface_name("a b"));
    CHECK_FALSE(valid_interface_name("sixteen-chars-xx"));
    CHECK_FALSE(valid_interface_name(std::string("e\0th", 4)));
}

namespace {

void put(const std::filesystem::path& dir, const std::string& file, const std::string& text) {
    std::filesystem::create_directories((dir / file).parent_path());
    write_file(dir / file, text);
}

}  // namespace

TEST_CASE("reading a sysfs root: values, device link, statistics, loopback in the listing") {
    TempDir tmp;
    auto eth = tmp.path() / "class" / "net" / "eth0";
    put(eth, "operstate", "up\n");
    put(eth, "carrier", "1\n");
    put(eth, "flags", "0x1003\n");
    put(eth, "mtu", "9000\n");
    put(eth, "type", "1\n");
    put(eth, "speed", "1000\n");
    put(eth, "duplex", "full\n");
    put(eth, "carrier_changes", "5\n");
    put(eth, "statistics/rx_crc_errors", "12\n");
    put(eth, "statistics/rx_packets", "1000\n");
    std::filesystem::create_directories(eth / "device");
    put(tmp.path() / "class" / "net" / "lo", "type", "772\n");
    put(tmp.path() / "class" / "net", "bonding_masters", "bond0\n");  // a file, not an interface

    auto names = list_sysfs_interfaces(tmp.path());
    REQUIRE(names.ok());
    CHECK(*names == std::vector<std::string>{"eth0", "lo"});

    auto iface = read_sysfs_interface(tmp.path(), "eth0");
    REQUIRE(iface.ok());
    CHECK(iface->operstate == "up");
    CHECK(iface->carrier == true);
    CHECK(iface->flags == 0x1003U);
    CHECK(iface->mtu == 9000U);
    CHECK(iface->speed_mbps == 1000U);
    CHECK(iface->duplex == Duplex::full);
    CHECK(iface->carrier_changes == 5U);
    CHECK(iface->has_device);
    CHECK(iface->statistics.at("rx_crc_errors") == 12U);
    CHECK(iface->notes.empty());

    auto missing = read_sysfs_interface(tmp.path(), "eth9");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::environment);
    CHECK(missing.error().describe().find("no such interface") != std::string::npos);
    auto traversal = read_sysfs_interface(tmp.path(), "../../etc");
    REQUIRE_FALSE(traversal.ok());
    CHECK(traversal.error().kind == ErrorKind::usage);
}

TEST_CASE("hostile sysfs files give unknowns and a counted skip, never a crash or a hang") {
    TempDir tmp;
    auto eth = tmp.path() / "class" / "net" / "eth0";
    put(eth, "operstate", std::string(10000, 'u'));
    put(eth, "carrier", "7\n");
    put(eth, "speed", "-1\n");
    put(eth, "mtu", "99999999999\n");
    put(eth, "statistics/rx_errors", "lots\n");
    put(eth, "statistics/rx_crc_errors", "3\n");
    put(eth, "statistics/BAD NAME", "3\n");
    REQUIRE(::mkfifo((eth / "statistics" / "tx_errors").c_str(), 0600) == 0);  // would block a naive reader
    REQUIRE(::mkfifo((eth / "duplex").c_str(), 0600) == 0);
    auto iface = read_sysfs_interface(tmp.path(), "eth0");
    REQUIRE(iface.ok());
    CHECK(iface->operstate.empty());
    CHECK_FALSE(iface->carrier);
    CHECK_FALSE(iface->speed_mbps);
    CHECK_FALSE(iface->mtu);
    CHECK(iface->duplex == Duplex::unknown);
    CHECK(iface->statistics.size() == 1);
    CHECK(iface->statistics.at("rx_crc_errors") == 3U);
    REQUIRE(iface->notes.size() == 1);
    CHECK(iface->notes[0] == "skipped 3 unreadable or malformed statistics file(s)");
}

TEST_CASE("write_sysfs_interface round-trips through read_sysfs_interface") {
    TempDir tmp;
    SysfsInterface in;
    in.name = "eth3";
    in.operstate = "up";
    in.carrier = true;
    in.flags = 0x1003;
    in.speed_mbps = 100;
    in.duplex = Duplex::half;
    in.mtu = 1500;
    in.type = 1;
    in.carrier_changes = 9;
    in.has_device = true;
    in.statistics = {{"rx_crc_errors", 4}, {"tx_packets", 77}};
    REQUIRE(write_sysfs_interface(tmp.path(), in).ok());
    auto out = read_sysfs_interface(tmp.path(), "eth3");
    REQUIRE(out.ok());
    CHECK(out->operstate == "up");
    CHECK(out->carrier == true);
    CHECK(out->flags == 0x1003U);
    CHECK(out->speed_mbps == 100U);
    CHECK(out->duplex == Duplex::half);
    CHECK(out->mtu == 1500U);
    CHECK(out->type == 1U);
    CHECK(out->carrier_changes == 9U);
    CHECK(out->has_device);
    CHECK(out->statistics == in.statistics);
}

TEST_CASE("merge: ethtool settings win, sysfs fills gaps, notes from both") {
    SysfsInterface sysfs;
    sysfs.name = "eth0";
    sysfs.flags = 0x1002;
    sysfs.speed_mbps = 1000;
    sysfs.duplex = Duplex::full;
    sysfs.notes = {"from sysfs"};
    EthtoolData none;
    auto a = merge_snapshot(sysfs, none);
    CHECK(a.settings.source == "sysfs");
    CHECK(a.settings.speed_mbps == 1000U);
    CHECK(a.admin_up == false);
    EthtoolData eth;
    eth.settings = LinkSettings{"ETHTOOL_GLINKSETTINGS", 100, Duplex::half, true, "twisted_pair", {}, {}, {}};
    eth.notes = {"from ethtool"};
    auto b = merge_snapshot(sysfs, eth);
    CHECK(b.settings.source == "ETHTOOL_GLINKSETTINGS");
    CHECK(b.settings.speed_mbps == 100U);
    CHECK(b.settings.duplex == Duplex::half);
    CHECK(b.notes == std::vector<std::string>{"from sysfs", "from ethtool"});
    eth.settings->speed_mbps.reset();
    eth.settings->duplex = Duplex::unknown;
    auto c = merge_snapshot(sysfs, eth);
    CHECK(c.settings.speed_mbps == 1000U);
    CHECK(c.settings.duplex == Duplex::full);
}

TEST_CASE("ethtool JSON: a full document parses and round-trips") {
    RecordedEthtool rec;
    EthtoolData d;
    d.settings = LinkSettings{"ETHTOOL_GLINKSETTINGS", 100, Duplex::full, true, "twisted_pair",
                              {"100baseT/Full", "1000baseT/Full", "Autoneg"}, {"1000baseT/Full"}, {"1000baseT/Full"}};
    d.driver = DriverInfo{"e1000e", "6.1", "0.13-4", "0000:00:19.0"};
    d.driver_stats = {{"rx_crc_errors", 5}};
    d.notes = {"a note"};
    rec.samples["start"]["eth0"] = d;
    rec.samples["end"]["eth0"] = d;
    auto text = ethtool_json(rec).dump();
    auto parsed = parse_ethtool_json(text);
    REQUIRE(parsed.ok());
    const auto& back = parsed->samples.at("end").at("eth0");
    REQUIRE(back.settings);
    CHECK(back.settings->speed_mbps == 100U);
    CHECK(back.settings->duplex == Duplex::full);
    CHECK(back.settings->autoneg == true);
    CHECK(back.settings->supported.size() == 3);
    CHECK(back.settings->lp_advertised == std::vector<std::string>{"1000baseT/Full"});
    REQUIRE(back.driver);
    CHECK(back.driver->firmware == "0.13-4");
    CHECK(back.driver_stats.at("rx_crc_errors") == 5U);
    CHECK(back.notes == std::vector<std::string>{"a note"});
}

TEST_CASE("ethtool JSON: the single-sample form and nulls") {
    auto parsed = parse_ethtool_json(
        R"({"interfaces": {"eth0": {"link_settings": {"speed_mbps": null, "duplex": "unknown", "autoneg": null},
                                    "driver": null}}})");
    REQUIRE(parsed.ok());
    const auto& d = parsed->samples.at("start").at("eth0");
    REQUIRE(d.settings);
    CHECK(d.settings->source == "recorded");
    CHECK_FALSE(d.settings->speed_mbps);
    CHECK_FALSE(d.settings->autoneg);
    CHECK_FALSE(d.driver);
    CHECK(parsed->samples.count("end") == 0);
}

TEST_CASE("ethtool JSON: malformed input is one clear input error naming the place") {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        {"", "not valid JSON"},
        {"{", "not valid JSON"},
        {"[]", "$: expected a JSON object"},
        {"{}", "needs \"samples\""},
        {R"({"format": "pcap", "interfaces": {}})", "$.format"},
        {R"({"version": 2, "interfaces": {}})", "$.version"},
        {R"({"samples": {"end": {}}})", "missing the \"start\" sample"},
        {R"({"samples": {"middle": {}}})", "$.samples.middle"},
        {R"({"interfaces": {"../x": {}}})", "not a valid interface name"},
        {R"({"interfaces": {"eth0": []}})", "$.interfaces.eth0: expected an object"},
        {R"({"interfaces": {"eth0": {"link_settings": {"speed_mbps": -5}}}})", "speed_mbps"},
        {R"({"interfaces": {"eth0": {"link_settings": {"speed_mbps": 1e30}}}})", "speed_mbps"},
        {R"({"interfaces": {"eth0": {"link_settings": {"speed_mbps": 99999999999}}}})", "above 10 Tb/s"},
        {R"({"interfaces": {"eth0": {"link_settings": {"duplex": "Full"}}}})", "duplex"},
        {R"({"interfaces": {"eth0": {"link_settings": {"autoneg": "yes"}}}})", "autoneg"},
        {R"({"interfaces": {"eth0": {"link_settings": {"supported": "1000baseT/Full"}}}})", "supported"},
        {R"({"interfaces": {"eth0": {"link_settings": {"advertised": [5]}}}})", "advertised[0]"},
        {R"({"interfaces": {"eth0": {"driver_stats": {"rx": -1}}}})", "driver_stats.rx"},
        {R"({"interfaces": {"eth0": {"driver_stats": {"rx": "1"}}}})", "driver_stats.rx"},
        {R"({"interfaces": {"eth0": {"driver": {"driver": 7}}}})", "driver.driver"},
        {R"({"interfaces": {"eth0": {"notes": [1]}}})", "notes[0]"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto parsed = parse_ethtool_json(c.text);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().kind == ErrorKind::input);
        CHECK(parsed.error().message.find(c.expected) != std::string::npos);
        CHECK(parsed.error().message.find('\n') == std::string::npos);
    }
}

TEST_CASE("ethtool JSON: hostile sizes and nesting are refused or bounded") {
    std::string deep(100000, '[');
    CHECK_FALSE(parse_ethtool_json(deep).ok());
    nlohmann::json many = nlohmann::json::object();
    for (int i = 0; i < 600; ++i) many[std::to_string(i)] = "x";
    nlohmann::json modes = nlohmann::json::array();
    for (int i = 0; i < 600; ++i) modes.push_back("1000baseT/Full");
    auto too_many_modes = parse_ethtool_json(
        nlohmann::json{{"interfaces", {{"eth0", {{"link_settings", {{"supported", modes}}}}}}}}.dump());
    REQUIRE_FALSE(too_many_modes.ok());
    CHECK(too_many_modes.error().message.find("more than 512") != std::string::npos);
    auto long_text = parse_ethtool_json(
        nlohmann::json{{"interfaces", {{"eth0", {{"driver", {{"driver", std::string(300, 'a')}}}}}}}}.dump());
    REQUIRE_FALSE(long_text.ok());
    CHECK(long_text.error().message.find("longer than 256") != std::string::npos);
}
