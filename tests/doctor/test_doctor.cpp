// doctor's pure parts: the kernel-table parsers, the ARP packet, --tcp targets, and the judgement (which layer is
// the root cause, what it explains, when two problems stay independent) on hand-made observations.
#include "nettool/doctor/doctor.hpp"
#include "nettool/doctor/system.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace nettool;
using namespace nettool::doctor;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

dnscheck::QueryProbe answered(dnscheck::QueryKind kind, int rcode = 0) {
    dnscheck::QueryProbe q;
    q.kind = kind;
    q.name = "www.test";
    q.status = dnscheck::QueryStatus::answered;
    q.rcode = rcode;
    q.answer_records = rcode == 0 ? 1 : 0;
    q.answer_bytes = 60;
    q.rtt_ms = 1.0;
    return q;
}

dnscheck::QueryProbe lost(dnscheck::QueryKind kind) {
    dnscheck::QueryProbe q;
    q.kind = kind;
    q.name = "www.test";
    q.status = dnscheck::QueryStatus::timeout;
    q.waited_ms = 2400;
    return q;
}

dnscheck::EchoProbe reply() {
    dnscheck::EchoProbe e;
    e.status = dnscheck::EchoOutcome::reply;
    e.rtt_ms = 0.5;
    return e;
}

dnscheck::EchoProbe no_reply() { return dnscheck::EchoProbe{}; }

dnscheck::ResolverReport resolver(const char* address, bool udp_ok, bool tcp_ok = true, int rcode = 0) {
    dnscheck::ResolverReport r;
    r.probes.server = DnsServer{ip(address), 53};
    r.probes.source = "test";
    for (int k = 0; k < 5; ++k) {
        r.probes.udp.push_back(udp_ok ? answered(dnscheck::QueryKind::udp, rcode) : lost(dnscheck::QueryKind::udp));
    }
    r.probes.tcp.push_back(tcp_ok ? answered(dnscheck::QueryKind::tcp, rcode) : lost(dnscheck::QueryKind::tcp));
    r.probes.large.push_back(tcp_ok ? answered(dnscheck::QueryKind::large) : lost(dnscheck::QueryKind::large));
    r.probes.icmp = {reply(), reply()};
    return r;
}

// A healthy office: eth0 10.0.0.2/24, gateway and resolver 10.0.0.1, everything answering.
Observations healthy() {
    Observations o;
    link::InterfaceReport l;
    l.name = "eth0";
    l.carrier = true;
    l.settings.speed_mbps = 1000;
    l.settings.duplex = link::Duplex::full;
    l.diagnoses.push_back(Diagnosis{"ok", Severity::info, "link ok", {}, "", std::nullopt});
    o.link.report = l;
    o.link.source = "live";
    o.address.interface = "eth0";
    o.address.interface_source = "IPv4 default route";
    o.address.addresses = {"10.0.0.2/24"};
    o.address.default_route_v4 = true;
    o.address.default_route_v4_interface = "eth0";
    o.address.gateway_v4 = ip("10.0.0.1");
    GatewayObservation g;
    g.address = ip("10.0.0.1");
    g.echoes = {reply(), reply(), reply()};
    g.neighbour = NeighbourState::resolved;
    o.gateways.push_back(g);
    o.dns.names = {"www.test"};
    o.dns.high_latency_ms = 500;
    o.dns.timeout_ms = 2500;
    o.dns.servers.push_back(resolver("10.0.0.1", true));
    o.dns.reach.attempted = true;
    o.dns.reach.target = ip("10.0.0.1");
    o.dns.reach.echoes = g.echoes;
    dnscheck::QueryProbe local = answered(dnscheck::QueryKind::udp);
    local.name = "localhost";
    o.dns_local.push_back(local);
    return o;
}

void add_link_errors(Observations& o) {
    o.link.report->diagnoses = {Diagnosis{"errors_rising", Severity::critical, "CRC errors rising", {}, "check the cable",
                                          std::nullopt}};
}

const LayerReport& layer(const DoctorResult& r, const std::string& name) {
    auto it = std::find_if(r.layers.begin(), r.layers.end(), [&](const LayerReport& l) { return l.name == name; });
    REQUIRE(it != r.layers.end());
    return *it;
}

}  // namespace

TEST_CASE("IPv6 default route from /proc/net/ipv6_route", "[doctor]") {
    const std::string table =
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 "
        "ffffffff 00000001 00000000 00200200       lo\n"
        "20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 "
        "00000100 00000001 00000000 00000001     eth0\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 "
        "00000400 00000001 00000000 00000003     eth0\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000002 "
        "00000100 00000001 00000000 00000003    wlan0\n"
        "garbage line\n";
    auto best = parse_ipv6_default_route(table);
    REQUIRE(best);
    CHECK(best->interface == "wlan0");
    CHECK(best->gateway == ip("fe80::2"));
    auto eth0 = parse_ipv6_default_route(table, "eth0");
    REQUIRE(eth0);
    CHECK(eth0->gateway == ip("fe80::1"));
    CHECK_FALSE(parse_ipv6_default_route(table, "eth1"));
    CHECK_FALSE(parse_ipv6_default_route(""));
}

TEST_CASE("neighbour entries from /proc/net/arp", "[doctor]") {
    const std::string table =
        "IP address       HW type     Flags       HW address            Mask     Device\n"
        "10.0.0.1         0x1         0x2         02:00:00:00:00:01     *        eth0\n"
        "10.0.0.9         0x1         0x0         00:00:00:00:00:00     *        eth0\n";
    auto stale = parse_arp_entry(table, ip("10.0.0.1"), "eth0");
    CHECK(stale.state == NeighbourState::unknown);  // complete, but possibly from before the run
    CHECK(stale.detail.find("02:00:00:00:00:01") != std::string::npos);
    CHECK(parse_arp_entry(table, ip("10.0.0.9"), "eth0").state == NeighbourState::failed);
    CHECK(parse_arp_entry(table, ip("10.0.0.1"), "eth1").state == NeighbourState::unknown);
    CHECK(parse_arp_entry(table, ip("10.0.0.7")).detail.empty());
}

TEST_CASE("ARP request and answer", "[doctor]") {
    const MacAddress mine = *parse_mac("02:00:5e:10:00:02\n");
    CHECK(format_mac(mine) == "02:00:5e:10:00:02");
    CHECK_FALSE(parse_mac("02:00:5e:10:00"));
    CHECK_FALSE(parse_mac("02-00-5e-10-00-02"));
    auto request = build_arp_request(mine, ip("10.0.0.2"), ip("10.0.0.1"));
    REQUIRE(request.size() == 28);
    CHECK(request[7] == 1);
    // Our own request is not an answer from the target; the reply (operation 2, sender 10.0.0.1) is.
    CHECK_FALSE(parse_arp_answer(request, ip("10.0.0.1")));
    auto answer = request;
    answer[7] = 2;
    const std::uint8_t router[] = {0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1};
    std::copy(std::begin(router), std::end(router), answer.begin() + 8);
    auto mac = parse_arp_answer(answer, ip("10.0.0.1"));
    REQUIRE(mac);
    CHECK(format_mac(*mac) == "02:00:00:00:00:01");
    CHECK_FALSE(parse_arp_answer(std::span<const std::uint8_t>(answer.data(), 20), ip("10.0.0.1")));
    CHECK_FALSE(parse_arp_answer(answer, ip("10.0.0.3")));
}

TEST_CASE("doctor --tcp targets", "[doctor]") {
    auto v4 = TcpTarget::parse("192.0.2.1:443");
    REQUIRE(v4.ok());
    CHECK(v4->to_string() == "192.0.2.1:443");
    auto v6 = TcpTarget::parse("[2001:db8::1]:53");
    REQUIRE(v6.ok());
    CHECK(v6->to_string() == "[2001:db8::1]:53");
    for (const char* bad : {"example.com:443", "192.0.2.1", "192.0.2.1:0", "192.0.2.1:65536", "2001:db8::1:53",
                            "[2001:db8::1]", "192.0.2.1:https"}) {
        INFO(bad);
        auto parsed = TcpTarget::parse(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().kind == ErrorKind::usage);
    }
}

TEST_CASE("a healthy office: no root cause, exit 0", "[doctor]") {
    auto r = judge_doctor(healthy(), DoctorRequest{});
    CHECK_FALSE(r.root_cause);
    CHECK(doctor_exit_status(r) == ExitStatus::ok);
    CHECK(layer(r, "link").status == LayerStatus::ok);
    CHECK(layer(r, "gateway").status == LayerStatus::ok);
    CHECK(layer(r, "internet").status == LayerStatus::skipped);
    CHECK(layer(r, "dns").status == LayerStatus::ok);
    CHECK(layer(r, "traffic").status == LayerStatus::skipped);
    nlohmann::json j = r;
    CHECK(j["root_cause"].is_null());
    CHECK(j["layers"].size() == 6);
    CHECK(j["layers"][0]["name"] == "link");
}

TEST_CASE("DNS loss over a link with rising errors: the link is the root cause", "[doctor]") {
    auto o = healthy();
    add_link_errors(o);
    o.dns.servers = {resolver("10.0.0.1", false, true)};
    auto r = judge_doctor(o, DoctorRequest{});
    REQUIRE(r.root_cause);
    CHECK(r.root_cause->layer == "link");
    CHECK(r.root_cause->code == "errors_rising");
    CHECK(r.independent.empty());
    CHECK(std::find(r.root_cause->explains.begin(), r.root_cause->explains.end(), "dns: udp_blocked (10.0.0.1)") !=
          r.root_cause->explains.end());
    CHECK(doctor_exit_status(r) == ExitStatus::problem);
    // At 1000 Mb/s the advice names the field case's cure.
    CHECK(r.root_cause->advice.find("100 Mb/s") != std::string::npos);
}

TEST_CASE("a resolver's SERVFAIL is not explained by a bad link: two independent problems", "[doctor]") {
    auto o = healthy();
    add_link_errors(o);
    o.dns.servers = {resolver("10.0.0.1", true, true, 2)};
    auto r = judge_doctor(o, DoctorRequest{});
    REQUIRE(r.root_cause);
    CHECK(r.root_cause->layer == "link");
    REQUIRE(r.independent.size() == 1);
    CHECK(r.independent[0].layer == "dns");
    CHECK(r.independent[0].code == "servfail");
    CHECK(r.verdict.find("2 independent problems") == 0);
}

TEST_CASE("a dead gateway explains its own resolver, not another resolver on the LAN", "[doctor]") {
    auto o = healthy();
    o.gateways[0].echoes = {no_reply(), no_reply(), no_reply()};
    o.gateways[0].neighbour = NeighbourState::failed;
    o.gateways[0].neighbour_detail = "no reply to 3 ARP requests";
    o.dns.reach.echoes = o.gateways[0].echoes;
    o.dns.servers = {resolver("10.0.0.1", false, false)};
    o.dns_local[0] = lost(dnscheck::QueryKind::udp);
    o.dns.servers[0].probes.icmp = {no_reply(), no_reply()};
    auto r = judge_doctor(o, DoctorRequest{});
    REQUIRE(r.root_cause);
    CHECK(r.root_cause->layer == "gateway");
    CHECK(r.root_cause->code == "gateway_unreachable");
    CHECK(r.root_cause->summary.find("ARP got no answer") != std::string::npos);
    CHECK(r.independent.empty());

    o.dns.servers.push_back(resolver("10.0.0.53", false, false));
    o.dns.servers[1].probes.icmp = {no_reply(), no_reply()};
    o.dns_local.push_back(lost(dnscheck::QueryKind::udp));
    auto both = judge_doctor(o, DoctorRequest{});
    REQUIRE(both.root_cause);
    CHECK(both.root_cause->layer == "gateway");
    REQUIRE(both.independent.size() == 1);
    CHECK(both.independent[0].layer == "dns");
}

TEST_CASE("ARP answered but no echo reply is only a warning worded as such", "[doctor]") {
    auto o = healthy();
    o.gateways[0].echoes = {no_reply(), no_reply(), no_reply()};
    o.gateways[0].neighbour = NeighbourState::resolved;
    auto r = judge_doctor(o, DoctorRequest{});
    REQUIRE(r.root_cause);
    CHECK(r.root_cause->code == "gateway_unreachable");
    CHECK(r.root_cause->summary.find("ARP ok, ICMP dropped") != std::string::npos);
    CHECK(layer(r, "gateway").diagnoses[0].severity == Severity::warning);
}

TEST_CASE("no default route explains unreachable targets but not a broken resolver on the LAN", "[doctor]") {
    auto o = healthy();
    o.address.default_route_v4 = false;
    o.address.gateway_v4.reset();
    o.gateways.clear();
    o.dns.reach = {};
    TargetObservation t;
    t.kind = "ping";
    t.target = "192.0.2.1";
    t.detail = "network unreachable";
    o.targets.push_back(t);
    auto r = judge_doctor(o, DoctorRequest{});
    REQUIRE(r.root_cause);
    CHECK(r.root_cause->layer == "address");
    CHECK(r.root_cause->code == "no_default_route");
    CHECK(layer(r, "gateway").status == LayerStatus::skipped);
    CHECK(r.independent.empty());

    o.dns.servers = {resolver("10.0.0.1", false, true)};
    auto two = judge_doctor(o, DoctorRequest{});
    REQUIRE(two.independent.size() == 1);
    CHECK(two.independent[0].code == "udp_blocked");
}

TEST_CASE("uplink down: the internet layer explains every DNS failure", "[doctor]") {
    auto o = healthy();
    TargetObservation t;
    t.kind = "ping";
    t.target = "192.0.2.1";
    t.detail = "unreachable: Destination Net Unreachable";
    o.targets.push_back(t);
    o.dns.servers = {resolver("10.0.0.1", true, true, 2)};
    auto r = judge_doctor(o, DoctorRequest{});
    REQUIRE(r.root_cause);
    CHECK(r.root_cause->layer == "internet");
    CHECK(r.root_cause->code == "internet_unreachable");
    CHECK(r.independent.empty());
}

TEST_CASE("a resolver that answers localhost but nothing recursive: upstream_failure", "[doctor]") {
    auto o = healthy();
    o.dns.servers = {resolver("10.0.0.1", false, false)};
    auto r = judge_doctor(o, DoctorRequest{});
    REQUIRE(r.root_cause);
    CHECK(r.root_cause->layer == "dns");
    CHECK(r.root_cause->code == "upstream_failure");
    // Without the local answer the same probes are dnscheck's path diagnosis.
    o.dns_local[0] = lost(dnscheck::QueryKind::udp);
    auto path = judge_doctor(o, DoctorRequest{});
    REQUIRE(path.root_cause);
    CHECK(path.root_cause->code != "upstream_failure");
}

TEST_CASE("nothing examined: exit 3", "[doctor]") {
    DoctorResult r;
    r.layers = {LayerReport{"link", LayerStatus::skipped, "no interface", {}},
                LayerReport{"address", LayerStatus::inconclusive, "not here", {}}};
    CHECK(doctor_exit_status(r) == ExitStatus::cannot_run);
}

TEST_CASE("traffic: another host with most of the bytes is the hog, the capturing host never is", "[doctor]") {
    auto o = healthy();
    o.traffic.attempted = true;
    o.traffic.seconds = 10;
    p2p::P2pReport report;
    report.summary.packets = 5000;
    p2p::TopTalker self;
    self.address = ip("10.0.0.2");
    self.local = true;
    self.share = 1.0;
    report.top_talkers.push_back(self);
    o.traffic.report = report;
    auto quiet = judge_doctor(o, DoctorRequest{});
    CHECK(layer(quiet, "traffic").status == LayerStatus::ok);
    CHECK_FALSE(quiet.root_cause);

    p2p::TopTalker hog;
    hog.address = ip("10.0.0.7");
    hog.local = true;
    hog.share = 0.72;
    hog.verdict = "p2p";
    o.traffic.report->top_talkers.insert(o.traffic.report->top_talkers.begin() + 1, hog);
    auto r = judge_doctor(o, DoctorRequest{});
    REQUIRE(r.root_cause);
    CHECK(r.root_cause->layer == "traffic");
    CHECK(r.root_cause->code == "traffic_hog");
    CHECK(r.root_cause->summary == "one host, 10.0.0.7, is 72% of the traffic and runs P2P file sharing");
}
