// The pure analysis on hand-built snapshots: every diagnosis code, its severity, evidence and advice, and the
// cases that must NOT raise a problem (virtual NICs, one sample, counter resets).
#include "nettool/link/analysis.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace nettool;
using namespace nettool::link;

namespace {

const std::vector<std::string> gigabit{"10baseT/Half", "10baseT/Full", "100baseT/Half", "100baseT/Full",
                                       "1000baseT/Full"};

InterfaceSnapshot healthy_gigabit() {
    InterfaceSnapshot s;
    s.name = "eth0";
    s.operstate = "up";
    s.carrier = true;
    s.admin_up = true;
    s.mtu = 1500;
    s.carrier_changes = 2;
    s.type = 1;
    s.has_device = true;
    s.settings.source = "ETHTOOL_GLINKSETTINGS";
    s.settings.speed_mbps = 1000;
    s.settings.duplex = Duplex::full;
    s.settings.autoneg = true;
    s.settings.port = "twisted_pair";
    s.settings.supported = gigabit;
    s.settings.supported.push_back("Autoneg");
    s.settings.advertised = gigabit;
    s.settings.lp_advertised = gigabit;
    s.driver = DriverInfo{"e1000e", "6.1", "0.13-4", "0000:00:19.0"};
    s.counters = {{"rx_packets", 1000}, {"tx_packets", 1000}, {"rx_bytes", 600000}, {"tx_bytes", 400000},
                  {"rx_errors", 0},     {"tx_errors", 0},     {"rx_crc_errors", 0}, {"rx_frame_errors", 0},
                  {"rx_dropped", 0},    {"tx_dropped", 0},    {"collisions", 0},    {"tx_window_errors", 0},
                  {"rx_missed_errors", 0}};
    return s;
}

const Diagnosis* find(const InterfaceReport& r, const std::string& code) {
    auto it = std::find_if(r.diagnoses.begin(), r.diagnoses.end(), [&](const Diagnosis& d) { return d.code == code; });
    return it == r.diagnoses.end() ? nullptr : &*it;
}

std::vector<std::string> codes(const InterfaceReport& r) {
    std::vector<std::string> out;
    for (const auto& d : r.diagnoses) out.push_back(d.code);
    return out;
}

bool evidence_has(const Diagnosis& d, const std::string& what, const std::string& observed_part) {
    return std::any_of(d.evidence.begin(), d.evidence.end(), [&](const Evidence& e) {
        return e.what == what && e.observed.find(observed_part) != std::string::npos;
    });
}

}  // namespace

TEST_CASE("ok: a healthy gigabit link with traffic, rates computed") {
    auto a = healthy_gigabit();
    auto b = a;
    b.counters["rx_packets"] += 3000;
    b.counters["tx_packets"] += 1500;
    b.counters["rx_bytes"] += 3'000'000;
    b.counters["tx_bytes"] += 750'000;
    auto r = analyze_interface(a, b, 3.0);
    CHECK(codes(r) == std::vector<std::string>{"ok"});
    CHECK_FALSE(has_problem(r.diagnoses));
    REQUIRE(r.traffic.rx_bits_per_second);
    CHECK(*r.traffic.rx_bits_per_second == Approx(8'000'000.0));
    CHECK(*r.traffic.tx_bits_per_second == Approx(2'000'000.0));
    CHECK(*r.traffic.rx_packets_per_second == Approx(1000.0));
    CHECK(r.counters.at("rx_packets").delta == 3000U);
    CHECK(r.counters.at("rx_packets").per_second == Approx(1000.0));
    REQUIRE(find(r, "ok"));
    CHECK(find(r, "ok")->summary.find("1000 Mb/s full duplex") != std::string::npos);
    CHECK_FALSE(r.virtual_nic);
}

TEST_CASE("link_down: admin up without carrier is critical; admin down is info only") {
    auto s = healthy_gigabit();
    s.carrier = false;
    s.operstate = "down";
    s.settings.speed_mbps.reset();
    s.settings.duplex = Duplex::unknown;
    auto r = analyze_interface(s, s, 3.0);
    const auto* d = find(r, "link_down");
    REQUIRE(d);
    CHECK(d->severity == Severity::critical);
    CHECK(evidence_has(*d, "carrier", "0"));
    CHECK(evidence_has(*d, "operstate", "down"));
    CHECK_FALSE(find(r, "ok"));
    CHECK_FALSE(find(r, "speed_unknown"));  // a down link has no speed; that is not a second finding

    auto admin = healthy_gigabit();
    admin.admin_up = false;
    admin.operstate = "down";
    admin.carrier.reset();
    auto r2 = analyze_interface(admin, admin, 3.0);
    const auto* d2 = find(r2, "link_down");
    REQUIRE(d2);
    CHECK(d2->severity == Severity::info);
    CHECK(d2->summary.find("administratively down") != std::string::npos);
    CHECK(d2->advice.find("ip link set eth0 up") != std::string::npos);
    CHECK(codes(r2) == std::vector<std::string>{"link_down"});
    CHECK_FALSE(has_problem(r2.diagnoses));
}

TEST_CASE("half_duplex: warning on its own, critical with late collisions") {
    auto a = healthy_gigabit();
    a.settings.speed_mbps = 100;
    a.settings.duplex = Duplex::half;
    a.settings.lp_advertised = {"100baseT/Half", "100baseT/Full"};
    auto r = analyze_interface(a, a, 3.0);
    const auto* d = find(r, "half_duplex");
    REQUIRE(d);
    CHECK(d->severity == Severity::warning);
    CHECK(evidence_has(*d, "duplex", "half"));
    CHECK(d->advice.find("nettool dnscheck") != std::string::npos);

    auto b = a;
    b.counters["tx_window_errors"] = 12;
    b.counters["collisions"] = 80;
    auto r2 = analyze_interface(a, b, 2.0);
    const auto* d2 = find(r2, "half_duplex");
    REQUIRE(d2);
    CHECK(d2->severity == Severity::critical);
    CHECK(d2->summary.find("late collisions") != std::string::npos);
    CHECK(evidence_has(*d2, "late collisions (tx_window_errors)", "+12"));
    CHECK(evidence_has(*d2, "collisions", "+80"));
}

TEST_CASE("speed_downshift: 100 Mb/s although both ends advertise gigabit; the seed's remedy in the advice") {
    auto a = healthy_gigabit();
    a.settings.speed_mbps = 100;
    auto r = analyze_interface(a, a, 3.0);
    const auto* d = find(r, "speed_downshift");
    REQUIRE(d);
    CHECK(d->severity == Severity::warning);
    CHECK(d->confidence == Approx(0.9));
    CHECK(evidence_has(*d, "best mode both ends advertise", "1000baseT/Full"));
    CHECK(evidence_has(*d, "speed", "100 Mb/s"));
    CHECK(d->advice.find("ethtool -s eth0 speed 100 duplex full autoneg off") != std::string::npos);
    CHECK(d->advice.find("nettool dnscheck") != std::string::npos);

    SECTION("a 100 Mb/s partner is no downshift") {
        auto p = healthy_gigabit();
        p.settings.speed_mbps = 100;
        p.settings.lp_advertised = {"10baseT/Half", "10baseT/Full", "100baseT/Half", "100baseT/Full", "Autoneg"};
        auto rp = analyze_interface(p, p, 3.0);
        CHECK_FALSE(find(rp, "speed_downshift"));
        CHECK(codes(rp) == std::vector<std::string>{"ok"});
    }
    SECTION("partner modes not reported: info with low confidence, not a problem") {
        auto p = healthy_gigabit();
        p.settings.speed_mbps = 100;
        p.settings.lp_advertised.clear();
        auto rp = analyze_interface(p, p, 3.0);
        const auto* dp = find(rp, "speed_downshift");
        REQUIRE(dp);
        CHECK(dp->severity == Severity::info);
        CHECK(dp->confidence == Approx(0.4));
        CHECK_FALSE(has_problem(rp.diagnoses));
    }
}

TEST_CASE("autoneg_off: a forced port that could negotiate; virtual NICs without Autoneg are left alone") {
    auto a = healthy_gigabit();
    a.settings.autoneg = false;
    a.settings.speed_mbps = 100;
    a.settings.advertised = {"100baseT/Full"};
    auto r = analyze_interface(a, a, 3.0);
    const auto* d = find(r, "autoneg_off");
    REQUIRE(d);
    CHECK(d->severity == Severity::warning);
    CHECK(evidence_has(*d, "auto-negotiation", "off"));
    CHECK(d->advice.find("ethtool -s eth0 autoneg on") != std::string::npos);
    CHECK_FALSE(find(r, "speed_downshift"));  // a forced speed is not a negotiation fallback

    auto tap = healthy_gigabit();
    tap.settings = LinkSettings{"ETHTOOL_GLINKSETTINGS", 10000, Duplex::full, false, "twisted_pair", {}, {}, {}};
    tap.driver = DriverInfo{"tun", "1.6", "", "tap"};
    tap.has_device = false;
    auto rt = analyze_interface(tap, tap, 1.0);
    CHECK(codes(rt) == std::vector<std::string>{"ok"});
    CHECK(rt.virtual_nic);
}

TEST_CASE("errors_rising: CRC and frame growth with rate and share of packets") {
    auto a = healthy_gigabit();
    auto b = a;
    b.counters["rx_packets"] += 2900;
    b.counters["tx_packets"] += 0;
    b.counters["rx_crc_errors"] += 90;
    b.counters["rx_frame_errors"] += 10;
    b.counters["rx_errors"] += 100;
    auto r = analyze_interface(a, b, 2.0);
    const auto* d = find(r, "errors_rising");
    REQUIRE(d);
    CHECK(d->severity == Severity::critical);  // 100 of 3000 = 3.33 %
    CHECK(d->summary.find("grew by 100") != std::string::npos);
    CHECK(d->summary.find("50.0/s") != std::string::npos);
    CHECK(d->summary.find("3.33%") != std::string::npos);
    CHECK(d->summary.find("CRC 90") != std::string::npos);
    CHECK(evidence_has(*d, "rx_crc_errors", "+90"));
    CHECK(evidence_has(*d, "rx_crc_errors", "45.0/s"));
    CHECK(d->advice.find("ethtool -s eth0 speed 100 duplex full autoneg off") != std::string::npos);
    CHECK_FALSE(find(r, "ok"));

    SECTION("a trickle is a warning") {
        auto c = a;
        c.counters["rx_packets"] += 100000;
        c.counters["rx_crc_errors"] += 3;
        c.counters["rx_errors"] += 3;
        auto rc = analyze_interface(a, c, 3.0);
        const auto* dc = find(rc, "errors_rising");
        REQUIRE(dc);
        CHECK(dc->severity == Severity::warning);
    }
    SECTION("driver-only CRC counters count too") {
        auto s = a;
        s.driver_stats = {{"rx_crc_errors", 5}, {"rx_align_errors", 0}, {"tx_packets_ok", 10}};
        auto e = s;
        e.driver_stats["rx_align_errors"] = 4;
        e.driver_stats["tx_packets_ok"] = 99;
        auto re = analyze_interface(s, e, 1.0);
        const auto* dd = find(re, "errors_rising");
        REQUIRE(dd);
        CHECK(evidence_has(*dd, "rx_align_errors", "+4"));
        CHECK(dd->summary.find("grew by 4") != std::string::npos);
    }
}

TEST_CASE("drops_rising: sustained drops warn, a stray drop is info") {
    auto a = healthy_gigabit();
    auto b = a;
    b.counters["rx_packets"] += 50000;
    b.counters["rx_dropped"] += 400;
    b.counters["rx_missed_errors"] += 100;
    auto r = analyze_interface(a, b, 3.0);
    const auto* d = find(r, "drops_rising");
    REQUIRE(d);
    CHECK(d->severity == Severity::warning);
    CHECK(evidence_has(*d, "rx_dropped", "+400"));
    CHECK(evidence_has(*d, "rx_missed_errors", "+100"));
    CHECK(d->advice.find("ethtool -G eth0") != std::string::npos);

    auto c = a;
    c.counters["rx_packets"] += 50000;
    c.counters["rx_dropped"] += 1;
    auto r2 = analyze_interface(a, c, 3.0);
    const auto* d2 = find(r2, "drops_rising");
    REQUIRE(d2);
    CHECK(d2->severity == Severity::info);
    CHECK_FALSE(has_problem(r2.diagnoses));
    CHECK(find(r2, "ok"));
}

TEST_CASE("link_flapping: carrier_changes grew during the window") {
    auto a = healthy_gigabit();
    auto b = a;
    b.carrier_changes = *a.carrier_changes + 2;
    auto r = analyze_interface(a, b, 3.0);
    const auto* d = find(r, "link_flapping");
    REQUIRE(d);
    CHECK(d->severity == Severity::warning);
    CHECK(d->summary.find("2 time(s)") != std::string::npos);
    CHECK(evidence_has(*d, "carrier_changes", "+2"));
    REQUIRE(r.carrier_changes);
    CHECK(r.carrier_changes->delta == 2U);

    auto c = a;
    c.carrier_changes = *a.carrier_changes + 6;
    auto rf = analyze_interface(a, c, 3.0);
    const auto* d2 = find(rf, "link_flapping");
    REQUIRE(d2);
    CHECK(d2->severity == Severity::critical);
}

TEST_CASE("speed_unknown: a virtual NIC without speed is said, not turned into a problem") {
    auto v = healthy_gigabit();
    v.settings = LinkSettings{"ETHTOOL_GLINKSETTINGS", std::nullopt, Duplex::unknown, false, "other", {}, {}, {}};
    v.driver = DriverInfo{"virtio_net", "1.0.0", "", "0000:00:03.0"};
    auto r = analyze_interface(v, v, 3.0);
    const auto* d = find(r, "speed_unknown");
    REQUIRE(d);
    CHECK(d->severity == Severity::info);
    CHECK(d->summary.find("virtual NIC (driver virtio_net)") != std::string::npos);
    CHECK(find(r, "ok"));
    CHECK_FALSE(has_problem(r.diagnoses));
    CHECK(r.virtual_nic);
}

TEST_CASE("one sample: no rates and no rising codes, even with big counters") {
    auto a = healthy_gigabit();
    a.counters["rx_crc_errors"] = 1'000'000;
    auto r = analyze_interface(a, a, 0);
    CHECK(codes(r) == std::vector<std::string>{"ok"});
    CHECK_FALSE(r.traffic.rx_bits_per_second);
    CHECK(std::find(r.notes.begin(), r.notes.end(),
                    "one sample only: no rates, and rising counters cannot be judged") != r.notes.end());
}

TEST_CASE("a counter that goes backwards is a reset, never a huge rise") {
    auto a = healthy_gigabit();
    a.counters["rx_crc_errors"] = 500;
    a.counters["rx_errors"] = 500;
    auto b = a;
    b.counters["rx_crc_errors"] = 2;
    b.counters["rx_errors"] = 2;
    auto r = analyze_interface(a, b, 3.0);
    CHECK_FALSE(find(r, "errors_rising"));
    CHECK_FALSE(r.counters.at("rx_crc_errors").delta);
    CHECK(r.notes.front().find("2 counter(s) went backwards") != std::string::npos);
}

TEST_CASE("several findings on one interface, all in the JSON shape") {
    auto a = healthy_gigabit();
    a.settings.speed_mbps = 100;
    a.settings.duplex = Duplex::half;
    auto b = a;
    b.carrier_changes = *a.carrier_changes + 1;
    b.counters["rx_crc_errors"] = 7;
    b.counters["rx_errors"] = 7;
    auto r = analyze_interface(a, b, 1.0);
    CHECK(find(r, "half_duplex"));
    CHECK(find(r, "speed_downshift"));
    CHECK(find(r, "errors_rising"));
    CHECK(find(r, "link_flapping"));
    nlohmann::json j = r;
    CHECK(j["name"] == "eth0");
    CHECK(j["speed_mbps"] == 100);
    CHECK(j["duplex"] == "half");
    CHECK(j["autoneg"] == true);
    CHECK(j["port"] == "twisted_pair");
    CHECK(j["supported_modes"].size() == 6);
    CHECK(j["link_partner_modes"].size() == 5);
    CHECK(j["driver"]["driver"] == "e1000e");
    CHECK(j["mtu"] == 1500);
    CHECK(j["carrier_changes"]["delta"] == 1);
    CHECK(j["counters"]["rx_crc_errors"]["delta"] == 7);
    CHECK(j["counters"]["rx_crc_errors"]["per_second"] == 7.0);
    CHECK(j["traffic"].contains("rx_bits_per_second"));
    REQUIRE(j["diagnoses"].is_array());
    for (const auto& d : j["diagnoses"]) {
        CHECK(d.contains("code"));
        CHECK(d["severity"].is_string());
        CHECK(d.contains("summary"));
        CHECK(d["evidence"].is_array());
        CHECK(d.contains("advice"));
    }
}

TEST_CASE("an interface gone before the end of the window is interface_vanished, its start snapshot kept") {
    InterfaceSnapshot start = healthy_gigabit();
    InterfaceReport r = analyze_vanished(start, 3.0);
    CHECK(r.vanished);
    CHECK(r.name == start.name);
    CHECK(r.settings.speed_mbps == start.settings.speed_mbps);
    CHECK(r.mtu == start.mtu);
    REQUIRE(r.diagnoses.size() == 1);
    CHECK(r.diagnoses[0].code == "interface_vanished");
    CHECK(r.diagnoses[0].severity == Severity::critical);
    CHECK(r.diagnoses[0].summary == start.name + " disappeared during the 3.0 s window");
    CHECK(has_problem(r.diagnoses));
}
