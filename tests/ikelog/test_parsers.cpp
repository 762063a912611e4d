// Line-level parser checks: typed events from single lines, time stamps, detection, and hostile input.
#include "nettool/ikelog/format.hpp"
#include "nettool/ikelog/ike_log.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace nettool::ikelog;

namespace {

std::vector<Event> parse_lines(const char* format, const std::vector<std::string>& lines, bool* all_known = nullptr) {
    const FormatInfo* f = find_format(format);
    REQUIRE(f != nullptr);
    auto parser = f->create();
    std::vector<Event> events;
    bool known = true;
    for (const auto& l : lines) known = parser->parse(l, events) && known;
    if (all_known) *all_known = known;
    return events;
}

}  // namespace

TEST_CASE("the registry lists every vendor format once, sorted, each with sniff and create") {
    const auto& formats = all_formats();
    std::vector<std::string> names;
    for (const FormatInfo* f : formats) {
        names.emplace_back(f->name);
        CHECK(f->sniff != nullptr);
        CHECK(f->create != nullptr);
        CHECK_FALSE(f->description.empty());
    }
    CHECK(names == std::vector<std::string>{"cisco-asa", "cisco-ios", "etx-vrt", "fortigate", "juniper-srx",
                                            "libreswan", "mikrotik", "panos", "sonicwall", "strongswan",
                                            "yamaha-rtx"});
    CHECK(find_format("strongswan") == formats[9]);
    CHECK(find_format("nonesuch") == nullptr);
    CHECK_FALSE(find_format("etx-vrt")->logs_phase2);
}

TEST_CASE("strongSwan lines become typed events with peer, SA id and codes") {
    auto ev = parse_lines("strongswan",
                          {"2026-11-28 09:01:23.542 01[IKE] <site|1> initiating Main Mode IKE_SA site[1] to 198.51.100.20",
                           "Nov 28 08:52:37 hq-gw charon: 04[IKE] <1> no IKE config found for 198.51.100.20...192.0.2.66, "
                           "sending NO_PROPOSAL_CHOSEN",
                           "2026-11-28 09:01:23.549 01[IKE] <site|2> IKE_SA site[2] established between "
                           "192.0.2.10[branch1.corp.example]...198.51.100.20[gw.corp.example]",
                           "2026-11-28 09:01:23.553 03[IKE] <site|2> CHILD_SA lan{1} established with SPIs 85ecb10f_i "
                           "222f1540_o and TS 10.30.0.0/24 === 10.40.0.0/24",
                           "2026-11-28 09:00:52.205 11[JOB] <site|1> DPD check timed out, enforcing DPD action",
                           "2026-11-28 09:00:52.205 11[KNL] interface ipsec0 activated"});
    REQUIRE(ev.size() == 5);
    CHECK(ev[0].kind == EventKind::negotiation_start);
    CHECK(ev[0].role == Role::initiator);
    CHECK(ev[0].ike_version == 1);
    CHECK(ev[0].exchange == Exchange::main_mode);
    CHECK(ev[0].peer == "198.51.100.20");
    CHECK(ev[0].connection == "site");
    CHECK(ev[0].sa == "1");
    CHECK(ev[0].time == "2026-11-28 09:01:23.542");
    CHECK(ev[0].seconds > 0);
    CHECK(ev[1].kind == EventKind::error);
    CHECK(ev[1].code == "no_proposal_chosen");
    CHECK(ev[1].also == "unknown_peer");
    CHECK(ev[1].peer == "192.0.2.66");
    CHECK(ev[1].local == "198.51.100.20");
    CHECK(ev[2].kind == EventKind::phase1_established);
    CHECK(ev[2].peer == "198.51.100.20");
    CHECK(ev[2].local == "192.0.2.10");
    CHECK(ev[3].kind == EventKind::child_established);
    CHECK(ev[3].spi == "85ecb10f_i 222f1540_o");
    CHECK(ev[4].kind == EventKind::dpd_timeout);
}

TEST_CASE("libreswan states map children to their IKE SA and read the peer from packet lines") {
    auto ev = parse_lines("libreswan",
                          {"Nov 28 09:10:04.157726: \"site\" #1: initiating IKEv1 Main Mode connection",
                           "Nov 28 09:10:04.161090: \"site\" #1: IKE SA established {auth=PRESHARED_KEY cipher=AES_CBC_128}",
                           "Nov 28 09:10:04.161102: \"site\" #2: initiating Quick Mode IKEv1+PSK {using isakmp#1 msgid:6712a076}",
                           "Nov 28 09:10:04.182286: \"site\" #2: IPsec SA established tunnel mode {ESP=>0x2580c9f2 <0x7fb5d4f0 xfrm=AES}",
                           "Nov 28 09:10:20.169602: \"site\" #1: DPD action - restarting all connections that share this peer",
                           "Nov 28 09:10:21.000000: packet from 192.0.2.10:500: initial Main Mode message received but no "
                           "connection has been authorized with authby=PSK and xauth=no",
                           "Nov 28 09:10:22.000000: | debug line ignored"});
    REQUIRE(ev.size() >= 5);
    CHECK(ev[0].kind == EventKind::negotiation_start);
    CHECK(ev[0].sa == "1");
    CHECK(ev[1].kind == EventKind::phase1_established);
    auto child = std::find_if(ev.begin(), ev.end(), [](const Event& e) { return e.kind == EventKind::child_established; });
    REQUIRE(child != ev.end());
    CHECK(child->sa == "1");  // state #2 belongs to IKE SA #1
    CHECK(child->spi.find("0x2580c9f2") != std::string::npos);
    auto dpd = std::find_if(ev.begin(), ev.end(), [](const Event& e) { return e.kind == EventKind::dpd_timeout; });
    REQUIRE(dpd != ev.end());
    CHECK(dpd->code == "dpd_timeout");
    CHECK(ev.back().code == "unknown_peer");
    CHECK(ev.back().peer == "192.0.2.10");
}

TEST_CASE("ETX-VRT banners carry the peer to the lines that follow") {
    bool known = false;
    auto ev = parse_lines("etx-vrt",
                          {"[==== IKE PHASE 1(from 203.0.113.45) START (responder) ====]",
                           "**** RECEIVED FIRST MESSAGE OF MAIN MODE ****", "PAYLOADS: SA,PROP,TRANS",
                           "ERROR# NO MATCHING ISAKMP PROPOSAL FOR DIALUP CASE", "SENDING NOTIFY MSG:NO_PROPOSAL_CHOSEN",
                           "**** SENT OUT INFORMATIONAL EXCHANGE MESSAGE(NOTIFY_PAYLOAD) ****"},
                          &known);
    CHECK(known);
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].role == Role::responder);
    for (const auto& e : ev) CHECK(e.peer == "203.0.113.45");
    CHECK(ev[1].message_number == 1);
    CHECK(ev[2].code == "no_proposal_chosen");
    CHECK(ev[2].also == "unknown_peer");
    CHECK(ev[3].kind == EventKind::notify_sent);
    CHECK(ev[3].notify == "NO_PROPOSAL_CHOSEN");
    bool foreign = true;
    parse_lines("etx-vrt", {"hello world"}, &foreign);
    CHECK_FALSE(foreign);
}

TEST_CASE("detection picks the format of most lines and says how sure it is") {
    std::vector<std::string> strongswan = {
        "2026-11-28 09:01:23.542 01[IKE] <site|1> initiating IKE_SA site[1] to 198.51.100.20",
        "2026-11-28 09:01:23.542 01[ENC] <site|1> generating IKE_SA_INIT request 0 [ SA KE No ]"};
    Detection d = detect_format(strongswan);
    REQUIRE(d.format != nullptr);
    CHECK(d.format->name == "strongswan");
    CHECK(d.confidence > 0.9);
    std::vector<std::string> junk = {"lorem ipsum", "", "dolor sit amet"};
    Detection none = detect_format(junk);
    CHECK(none.format == nullptr);
    CHECK(none.confidence == 0);
    CHECK(none.sampled == 2);
    std::vector<std::string> mixed = strongswan;
    mixed.push_back("lorem ipsum");
    mixed.push_back("dolor");
    Detection half = detect_format(mixed);
    REQUIRE(half.format != nullptr);
    CHECK(half.confidence == Approx(0.5).margin(0.01));
}

TEST_CASE("hostile lines never crash any parser or sniffer") {
    std::mt19937 rng(12345);
    std::vector<std::string> lines = {
        "", "[", "<", "\"", "\"site", "\"site\" #", "\"site\" #1", "packet from ", "**** ", "[==== IKE PHASE ",
        "[==== IKE PHASE 1(to ) START (initiator) ====]", "01[IKE] <", "01[IKE] <site|", "01[IKE] <site|1> IKE_SA [",
        "01[IKE] <site|1> initiating IKE_SA ]x[ to", "01[ENC] <1> parsed ID_PROT request 0 [ N( ",
        "ISAKMP (0:", "ISAKMP:(", "%ASA-5-", "%ASA-5-713119", "ike 0:", "ike 0:a:b:c", "logid=", "logid=\"x",
        "2015/04/17 14:41:29: [IKE] initiate ISAKMP phase to", "IP Tunnel[", "Nov 28 08:41:49.491597: \"a\"[",
        std::string(70000, 'A'), std::string("\x00\x01\x02\xff\xfe", 5), "1.2.3.4.5.6.7.8.9.10.11.12",
        "Nov 99 99:99:99 x", "2026-13-45 25:61:61.000 01[IKE] x", "*Mar  1 00:13:31.891:", "ERROR# ",
        "SENDING NOTIFY MSG:", "Type = ID_IPV4_ADDR,ID Data=999.1.1.1", "remip=300.1.1.1 logid=1 subtype=vpn"};
    for (int i = 0; i < 300; ++i) {
        std::string s;
        std::size_t n = rng() % 200;
        for (std::size_t k = 0; k < n; ++k) s.push_back(static_cast<char>(rng() % 256));
        lines.push_back(s);
        // Valid prefixes with random tails.
        lines.push_back("2026-11-28 09:01:23.542 01[IKE] <site|1> " + s);
        lines.push_back("Nov 28 09:10:04.157726: \"site\" #1: " + s);
        lines.push_back("ISAKMP (0:2): " + s);
    }
    for (const FormatInfo* f : all_formats()) {
        auto parser = f->create();
        std::vector<Event> events;
        for (const auto& l : lines) {
            int sniff = f->sniff(l);
            CHECK((sniff >= 0 && sniff <= 2));
            parser->parse(l, events);
        }
        for (const auto& e : events) {
            CHECK(e.peer.size() <= 45);  // only valid, canonical addresses
        }
    }
}
