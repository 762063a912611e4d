// decode_packet against hand-built frames: every link type and header path, then malformed and truncated
// variants, every prefix of every valid frame, and random mutations (never a crash, never an out-of-bounds view).
#include "frames.hpp"

#include "nettool/wire/packet.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>

using namespace nettool;
using namespace nettool::test;

namespace {

// The view points into the frame, so the result keeps its own copy of the bytes alive (tests pass temporaries).
struct Held : PacketView {
    std::shared_ptr<const Bytes> frame;
};

Held decode(int link, const Bytes& frame) {
    Held held;
    held.frame = std::make_shared<const Bytes>(frame);
    decode_packet(link, *held.frame, held);
    return held;
}

std::string payload_text(const PacketView& v) { return std::string(v.payload.begin(), v.payload.end()); }

const std::initializer_list<unsigned> a1 = {10, 202, 0, 1};
const std::initializer_list<unsigned> a2 = {10, 202, 0, 2};

Bytes eth_udp4(const Bytes& payload = text("hello")) {
    return ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(40000, 53, payload)));
}

// Asserts the view never points outside the frame.
void check_in_bounds(const Bytes& frame, const PacketView& v) {
    if (v.payload.empty()) return;
    REQUIRE(v.payload.data() >= frame.data());
    REQUIRE(v.payload.data() + v.payload.size() <= frame.data() + frame.size());
}

}  // namespace

TEST_CASE("Ethernet IPv4 UDP: addresses, ports, payload without the Ethernet padding") {
    const Bytes frame = pad_to(eth_udp4(), 60);
    REQUIRE(frame.size() == 60);  // 14 + 20 + 8 + 5 = 47, padded to the Ethernet minimum
    const auto v = decode(link_type::ethernet, frame);
    CHECK(v.status == DecodeStatus::ok);
    CHECK(v.link_status == LayerStatus::ok);
    CHECK(v.ip_status == LayerStatus::ok);
    CHECK(v.transport_status == LayerStatus::ok);
    CHECK(v.ethertype == 0x0800);
    CHECK(v.src.to_string() == "10.202.0.1");
    CHECK(v.dst.to_string() == "10.202.0.2");
    CHECK(v.ip_protocol == ip_proto::udp);
    CHECK(v.ttl == 64);
    CHECK(v.ip_length == 33);
    CHECK(v.ip_offset == 14);
    CHECK(v.transport_offset == 34);
    CHECK(v.transport_decoded);
    CHECK_FALSE(v.transport_truncated);
    CHECK(v.src_port == 40000);
    CHECK(v.dst_port == 53);
    CHECK(payload_text(v) == "hello");
    CHECK(v.payload_wire_length == 5);
    CHECK_FALSE(v.is_fragment);
    CHECK_FALSE(v.has_vlan);
    CHECK(v.ip_id == 0x1234);
}

TEST_CASE("UDP length checks") {
    SECTION("UDP length shorter than the IP payload trims the payload") {
        const auto v = decode(link_type::ethernet,
                              ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(1, 2, text("abcdef"), 8 + 3))));
        CHECK(v.transport_status == LayerStatus::ok);
        CHECK(payload_text(v) == "abc");
        CHECK(v.payload_wire_length == 3);
    }
    SECTION("UDP length below 8 is malformed, IP still ok") {
        const auto v = decode(link_type::ethernet,
                              ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(1, 2, text("abcdef"), 7))));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.transport_status == LayerStatus::malformed);
        CHECK_FALSE(v.transport_decoded);
        CHECK(v.payload.empty());
    }
    SECTION("UDP length beyond the IP payload is malformed when not fragmented") {
        const auto v = decode(link_type::ethernet,
                              ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(1, 2, text("abcdef"), 500))));
        CHECK(v.transport_status == LayerStatus::malformed);
    }
    SECTION("IP payload shorter than a UDP header is malformed") {
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, Bytes{1, 2, 3})));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.transport_status == LayerStatus::malformed);
    }
}

TEST_CASE("TCP: flags, sequence numbers, options and data offset checks") {
    const Bytes segment = tcp(51000, 443, 0xdeadbeef, tcp_flag::syn | tcp_flag::ack, text("data!"), 8, 77, 1024);
    const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::tcp, a1, a2, segment)));
    CHECK(v.status == DecodeStatus::ok);
    CHECK(v.transport_status == LayerStatus::ok);
    CHECK(v.src_port == 51000);
    CHECK(v.dst_port == 443);
    CHECK(v.tcp_seq == 0xdeadbeefu);
    CHECK(v.tcp_ack == 77u);
    CHECK(v.tcp_window == 1024);
    CHECK(v.tcp_flags == (tcp_flag::syn | tcp_flag::ack));
    CHECK(payload_text(v) == "data!");
    CHECK(v.payload_wire_length == 5);

    SECTION("data offset below 5 words") {
        auto bad = tcp(1, 2, 3, tcp_flag::ack, text("xyz"), 5);
        bad[12] = 4 << 4;
        const auto m = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::tcp, a1, a2, bad)));
        CHECK(m.status == DecodeStatus::ok);
        CHECK(m.transport_status == LayerStatus::malformed);
        CHECK_FALSE(m.transport_decoded);
    }
    SECTION("data offset beyond the segment") {
        auto bad = tcp(1, 2, 3, tcp_flag::ack, {}, 5);
        bad[12] = 15 << 4;  // 60 bytes of header in a 20-byte segment
        const auto m = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::tcp, a1, a2, bad)));
        CHECK(m.transport_status == LayerStatus::malformed);
    }
    SECTION("options cut by the snap length: fixed fields valid, payload empty") {
        Bytes frame = ethernet(0x0800, ipv4(ip_proto::tcp, a1, a2, tcp(1, 2, 3, tcp_flag::syn, {}, 10)));
        frame.resize(14 + 20 + 24);
        const auto t = decode(link_type::ethernet, frame);
        CHECK(t.status == DecodeStatus::ok);
        CHECK(t.transport_status == LayerStatus::truncated);
        CHECK(t.transport_truncated);
        CHECK(t.transport_decoded);
        CHECK(t.tcp_flags == tcp_flag::syn);
        CHECK(t.payload.empty());
        CHECK(t.payload_wire_length == 0);
    }
    SECTION("fixed header cut") {
        Bytes frame = ethernet(0x0800, ipv4(ip_proto::tcp, a1, a2, tcp(1, 2, 3, tcp_flag::syn, text("abc"))));
        frame.resize(14 + 20 + 10);
        const auto t = decode(link_type::ethernet, frame);
        CHECK(t.status == DecodeStatus::ok);
        CHECK(t.transport_status == LayerStatus::truncated);
        CHECK_FALSE(t.transport_decoded);
    }
}

TEST_CASE("ICMP and ICMPv6 type, code, echo id and sequence") {
    const auto v4 = decode(link_type::ethernet,
                           ethernet(0x0800, ipv4(ip_proto::icmp, a1, a2, icmp(8, 0, 0x4242, 7, text("ping")))));
    CHECK(v4.status == DecodeStatus::ok);
    CHECK(v4.transport_decoded);
    CHECK(v4.icmp_type == 8);
    CHECK(v4.icmp_code == 0);
    CHECK(v4.icmp_id == 0x4242);
    CHECK(v4.icmp_seq == 7);
    CHECK(payload_text(v4) == "ping");

    const auto v6 =
        decode(link_type::ethernet, ethernet(0x86dd, ipv6(ip_proto::icmpv6, 1, 2, icmp(1, 4, 0, 0, text("orig")))));
    CHECK(v6.status == DecodeStatus::ok);
    CHECK(v6.icmp_type == 1);
    CHECK(v6.icmp_code == 4);
    CHECK(payload_text(v6) == "orig");

    const auto short_icmp =
        decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::icmp, a1, a2, Bytes{3, 3, 0, 0})));
    CHECK(short_icmp.transport_status == LayerStatus::malformed);

    Bytes cut = ethernet(0x0800, ipv4(ip_proto::icmp, a1, a2, icmp(0, 0, 1, 2, text("x"))));
    cut.resize(14 + 20 + 6);
    const auto partial = decode(link_type::ethernet, cut);
    CHECK(partial.transport_status == LayerStatus::truncated);
    CHECK(partial.transport_decoded);  // type and code were captured
    CHECK(partial.icmp_type == 0);
}

TEST_CASE("IPv4 header checks") {
    SECTION("options: IHL 6") {
        Ipv4Options o;
        o.ihl_words = 6;
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(5, 6, text("p")), o)));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.transport_offset == 14 + 24);
        CHECK(v.dst_port == 6);
    }
    SECTION("IHL below 5 is malformed") {
        Ipv4Options o;
        o.ihl_words = 4;
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(5, 6, {}), o)));
        CHECK(v.status == DecodeStatus::malformed);
        CHECK(v.ip_status == LayerStatus::malformed);
    }
    SECTION("IHL beyond the captured bytes is truncated") {
        Ipv4Options o;
        o.ihl_words = 15;
        Bytes frame = ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, {}, o));
        frame.resize(14 + 40);
        CHECK(decode(link_type::ethernet, frame).status == DecodeStatus::truncated);
    }
    SECTION("total length below the header length is malformed") {
        Ipv4Options o;
        o.total_length = 19;
        CHECK(decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(5, 6, {}), o))).status ==
              DecodeStatus::malformed);
    }
    SECTION("version other than 4 under ethertype IPv4 is malformed") {
        Ipv4Options o;
        o.version = 5;
        CHECK(decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(5, 6, {}), o))).status ==
              DecodeStatus::malformed);
    }
    SECTION("total length 0 (segmentation offload on the capturing host) uses the captured length") {
        Ipv4Options o;
        o.total_length = 0;
        const auto v = decode(link_type::ethernet,
                              ethernet(0x0800, ipv4(ip_proto::tcp, a1, a2, tcp(1, 2, 3, tcp_flag::ack, text("big")), o)));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.ip_length_from_capture);
        CHECK(v.ip_length == 20 + 20 + 3);
        CHECK(payload_text(v) == "big");
    }
    SECTION("total length beyond the capture: payload as captured, wire length from the header") {
        Bytes frame = eth_udp4(Bytes(1000, 'x'));
        frame.resize(14 + 20 + 8 + 100);
        const auto v = decode(link_type::ethernet, frame);
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.payload.size() == 100);
        CHECK(v.payload_wire_length == 1000);
        CHECK(v.ip_length == 1028);
    }
    SECTION("IP header cut") {
        Bytes frame = eth_udp4();
        frame.resize(14 + 19);
        const auto v = decode(link_type::ethernet, frame);
        CHECK(v.status == DecodeStatus::truncated);
        CHECK(v.link_status == LayerStatus::ok);
        CHECK(v.ip_status == LayerStatus::truncated);
    }
    SECTION("an unknown protocol: payload is the IP payload") {
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(47, a1, a2, text("gre-body"))));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.ip_protocol == 47);
        CHECK(v.transport_status == LayerStatus::absent);
        CHECK_FALSE(v.transport_decoded);
        CHECK(payload_text(v) == "gre-body");
        CHECK(v.payload_wire_length == 8);
    }
}

TEST_CASE("IPv4 fragments: flagged, transport decoded only for the first") {
    const Bytes whole = udp(4000, 9999, Bytes(3000, 'F'));
    SECTION("first fragment: MF set, offset 0, UDP length larger than the fragment accepted") {
        Ipv4Options o;
        o.flags_fragment = 0x2000;
        const Bytes first(whole.begin(), whole.begin() + 1480);
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, first, o)));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.is_fragment);
        CHECK(v.is_first_fragment);
        CHECK(v.more_fragments);
        CHECK(v.fragment_offset == 0);
        CHECK(v.transport_decoded);
        CHECK(v.dst_port == 9999);
        CHECK(v.payload.size() == 1472);
        CHECK(v.payload_wire_length == 3000);
    }
    SECTION("middle fragment: no transport, payload is the fragment data") {
        Ipv4Options o;
        o.flags_fragment = 0x2000 | (1480 / 8);
        const Bytes middle(whole.begin() + 1480, whole.begin() + 2960);
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, middle, o)));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.is_fragment);
        CHECK_FALSE(v.is_first_fragment);
        CHECK(v.fragment_offset == 1480);
        CHECK_FALSE(v.transport_decoded);
        CHECK(v.transport_status == LayerStatus::absent);
        CHECK(v.src_port == 0);
        CHECK(v.payload.size() == 1480);
        CHECK(v.payload_wire_length == 1480);
    }
    SECTION("last fragment: MF clear, offset set") {
        Ipv4Options o;
        o.flags_fragment = 2960 / 8;
        const Bytes last(whole.begin() + 2960, whole.end());
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, last, o)));
        CHECK(v.is_fragment);
        CHECK_FALSE(v.more_fragments);
        CHECK_FALSE(v.is_first_fragment);
        CHECK_FALSE(v.transport_decoded);
    }
    SECTION("DF alone is not a fragment") {
        Ipv4Options o;
        o.flags_fragment = 0x4000;
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::udp, a1, a2, udp(1, 2, {}), o)));
        CHECK(v.dont_fragment);
        CHECK_FALSE(v.is_fragment);
        CHECK(v.transport_decoded);
    }
}

TEST_CASE("IPv6: header, extension header chain, fragments, AH, ESP, no next header") {
    SECTION("plain UDP") {
        const auto v = decode(link_type::ethernet, ethernet(0x86dd, ipv6(ip_proto::udp, 1, 2, udp(546, 547, text("dhcp")))));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.src.to_string() == "fd00:ca::1");
        CHECK(v.dst.to_string() == "fd00:ca::2");
        CHECK(v.ttl == 64);
        CHECK(v.ip_length == 40 + 12);
        CHECK(v.dst_port == 547);
        CHECK(payload_text(v) == "dhcp");
    }
    SECTION("hop-by-hop, routing, destination options, then TCP") {
        const Bytes chain = concat({ipv6_ext(43, 0), ipv6_ext(60, 1), ipv6_ext(ip_proto::tcp, 0),
                                    tcp(1000, 80, 5, tcp_flag::syn, {})});
        // hop-by-hop -> routing -> destination options -> TCP
        const auto v = decode(link_type::ethernet, ethernet(0x86dd, ipv6(0, 1, 2, chain)));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.ip_protocol == ip_proto::tcp);
        CHECK(v.transport_offset == 14 + 40 + 8 + 16 + 8);
        CHECK(v.dst_port == 80);
        CHECK(v.tcp_flags == tcp_flag::syn);
    }
    SECTION("first fragment decodes the transport, a later one does not") {
        const Bytes first = concat({ipv6_fragment(ip_proto::udp, 0, true, 0xabcd1234), udp(1, 2, Bytes(100, 'a'), 3000)});
        const auto v = decode(link_type::ethernet, ethernet(0x86dd, ipv6(44, 1, 2, first)));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.is_fragment);
        CHECK(v.is_first_fragment);
        CHECK(v.more_fragments);
        CHECK(v.ip_id == 0x1234);
        CHECK(v.ip_protocol == ip_proto::udp);
        CHECK(v.transport_decoded);
        CHECK(v.payload_wire_length == 2992);

        const Bytes later = concat({ipv6_fragment(ip_proto::udp, 1448, false, 7), Bytes(64, 'b')});
        const auto w = decode(link_type::ethernet, ethernet(0x86dd, ipv6(44, 1, 2, later)));
        CHECK(w.status == DecodeStatus::ok);
        CHECK(w.is_fragment);
        CHECK_FALSE(w.is_first_fragment);
        CHECK(w.fragment_offset == 1448);
        CHECK_FALSE(w.transport_decoded);
        CHECK(w.ip_protocol == ip_proto::udp);
        CHECK(w.payload.size() == 64);
    }
    SECTION("AH then UDP") {
        const auto v = decode(link_type::ethernet,
                              ethernet(0x86dd, ipv6(51, 1, 2, concat({ipv6_ah(ip_proto::udp), udp(500, 500, text("ike"))}))));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.ip_protocol == ip_proto::udp);
        CHECK(v.dst_port == 500);
        CHECK(payload_text(v) == "ike");
    }
    SECTION("ESP stops the walk") {
        const auto v = decode(link_type::ethernet, ethernet(0x86dd, ipv6(50, 1, 2, text("encrypted-bytes"))));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.ip_protocol == 50);
        CHECK_FALSE(v.transport_decoded);
        CHECK(payload_text(v) == "encrypted-bytes");
    }
    SECTION("no next header") {
        const auto v = decode(link_type::ethernet, pad_to(ethernet(0x86dd, ipv6(59, 1, 2, {})), 60));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.ip_protocol == 59);
        CHECK(v.payload.empty());
        CHECK_FALSE(v.ip_length_from_capture);
    }
    SECTION("an extension header longer than the payload length is malformed") {
        const auto v = decode(link_type::ethernet, ethernet(0x86dd, ipv6(0, 1, 2, ipv6_ext(ip_proto::udp, 3), 8)));
        CHECK(v.status == DecodeStatus::malformed);
        CHECK(v.ip_status == LayerStatus::malformed);
    }
    SECTION("an extension header cut by the capture is truncated") {
        Bytes frame = ethernet(0x86dd, ipv6(0, 1, 2, concat({ipv6_ext(ip_proto::udp, 3), udp(1, 2, {})})));
        frame.resize(14 + 40 + 16);
        CHECK(decode(link_type::ethernet, frame).status == DecodeStatus::truncated);
    }
    SECTION("an endless chain is malformed, not a loop") {
        Bytes chain;
        for (int i = 0; i < 40; ++i) append(chain, ipv6_ext(60));
        append(chain, udp(1, 2, {}));
        CHECK(decode(link_type::ethernet, ethernet(0x86dd, ipv6(60, 1, 2, chain))).status == DecodeStatus::malformed);
    }
    SECTION("version other than 6 under ethertype IPv6") {
        Bytes packet = ipv6(ip_proto::udp, 1, 2, udp(1, 2, {}));
        packet[0] = 0x40;
        CHECK(decode(link_type::ethernet, ethernet(0x86dd, packet)).status == DecodeStatus::malformed);
    }
    SECTION("payload length 0 with data behind it (jumbogram / offload) takes the captured length") {
        const auto v = decode(link_type::ethernet, ethernet(0x86dd, ipv6(ip_proto::tcp, 1, 2, tcp(1, 2, 3, tcp_flag::ack, text("abc")), 0)));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.ip_length_from_capture);
        CHECK(payload_text(v) == "abc");
    }
}

TEST_CASE("802.1Q, QinQ and PPPoE") {
    const Bytes ip = ipv4(ip_proto::udp, a1, a2, udp(1, 2, text("v")));
    SECTION("one 802.1Q tag") {
        const auto v = decode(link_type::ethernet, pad_to(ethernet(0x0800, ip, {{0x8100, 0x2064}}), 60));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.has_vlan);
        CHECK(v.vlan_id == 100);  // priority bits masked off
        CHECK(v.vlan_count == 1);
        CHECK(v.ip_offset == 18);
        CHECK(payload_text(v) == "v");
    }
    SECTION("QinQ 0x88a8 outer, 0x8100 inner") {
        const auto v = decode(link_type::ethernet, ethernet(0x0800, ip, {{0x88a8, 300}, {0x8100, 30}}));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.vlan_id == 300);
        CHECK(v.inner_vlan_id == 30);
        CHECK(v.vlan_count == 2);
        CHECK(v.ip_offset == 22);
    }
    SECTION("pre-standard 0x9100 and IPv6 inside") {
        const auto v = decode(link_type::ethernet,
                              ethernet(0x86dd, ipv6(ip_proto::udp, 1, 2, udp(1, 2, {})), {{0x9100, 7}, {0x8100, 8}}));
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.vlan_id == 7);
        CHECK(v.src.is_v6());
    }
    SECTION("absurdly many tags are malformed") {
        Bytes frame = mac_pair();
        for (int i = 0; i < 12; ++i) {
            put16(frame, 0x8100);
            put16(frame, i);
        }
        put16(frame, 0x0800);
        append(frame, ip);
        CHECK(decode(link_type::ethernet, frame).status == DecodeStatus::malformed);
    }
    SECTION("a tag cut short is truncated") {
        Bytes frame = mac_pair();
        put16(frame, 0x8100);
        put16(frame, 5);
        CHECK(decode(link_type::ethernet, frame).status == DecodeStatus::truncated);
    }
    SECTION("PPPoE session carrying IPv4 and IPv6; LCP is not IP; bad version malformed") {
        auto pppoe = [](unsigned protocol, const Bytes& body, unsigned version_type = 0x11) {
            Bytes b;
            put8(b, version_type);
            put8(b, 0);
            put16(b, 0x1234);
            put16(b, 2 + static_cast<unsigned>(body.size()));
            put16(b, protocol);
            append(b, body);
            return b;
        };
        const auto v4 = decode(link_type::ethernet, pad_to(ethernet(0x8864, pppoe(0x0021, ip)), 60));
        CHECK(v4.status == DecodeStatus::ok);
        CHECK(v4.pppoe);
        CHECK(v4.ip_offset == 22);
        CHECK(payload_text(v4) == "v");
        const auto v6 = decode(link_type::ethernet, ethernet(0x8864, pppoe(0x0057, ipv6(ip_proto::udp, 1, 2, udp(1, 2, {})))));
        CHECK(v6.status == DecodeStatus::ok);
        CHECK(v6.src.is_v6());
        CHECK(decode(link_type::ethernet, ethernet(0x8864, pppoe(0xc021, Bytes(10, 0)))).status == DecodeStatus::not_ip);
        CHECK(decode(link_type::ethernet, ethernet(0x8864, pppoe(0x0021, ip, 0x21))).status == DecodeStatus::malformed);
    }
}

TEST_CASE("non-IP Ethernet frames are not_ip, not errors") {
    const auto arp = decode(link_type::ethernet, pad_to(ethernet(0x0806, Bytes(28, 0)), 60));
    CHECK(arp.status == DecodeStatus::not_ip);
    CHECK(arp.link_status == LayerStatus::ok);
    CHECK(arp.ethertype == 0x0806);
    Bytes llc = mac_pair();
    put16(llc, 38);  // an 802.3 length: STP BPDU
    append(llc, Bytes(38, 0x42));
    CHECK(decode(link_type::ethernet, llc).status == DecodeStatus::not_ip);
    CHECK(decode(link_type::ethernet, Bytes(13, 0)).status == DecodeStatus::truncated);
    CHECK(decode(link_type::ethernet, Bytes{}).status == DecodeStatus::truncated);
}

TEST_CASE("Linux cooked captures SLL and SLL2") {
    const Bytes ip4 = ipv4(ip_proto::icmp, a1, a2, icmp(8, 0, 1, 1, {}));
    const Bytes ip6 = ipv6(ip_proto::udp, 1, 2, udp(1, 53, {}));
    const auto s1 = decode(link_type::linux_sll, sll(0x0800, ip4));
    CHECK(s1.status == DecodeStatus::ok);
    CHECK(s1.ip_offset == 16);
    CHECK(s1.icmp_type == 8);
    CHECK(decode(link_type::linux_sll, sll(0x86dd, ip6)).dst_port == 53);
    CHECK(decode(link_type::linux_sll, sll(0x0806, Bytes(28, 0))).status == DecodeStatus::not_ip);
    CHECK(decode(link_type::linux_sll, sll(0x0004, Bytes(28, 0))).status == DecodeStatus::not_ip);  // 802.2 LLC
    CHECK(decode(link_type::linux_sll, Bytes(15, 0)).status == DecodeStatus::truncated);
    const auto s2 = decode(link_type::linux_sll2, sll2(0x0800, ip4));
    CHECK(s2.status == DecodeStatus::ok);
    CHECK(s2.ip_offset == 20);
    CHECK(s2.src.to_string() == "10.202.0.1");
    CHECK(decode(link_type::linux_sll2, sll2(0x86dd, ip6)).src.to_string() == "fd00:ca::1");
    CHECK(decode(link_type::linux_sll2, Bytes(19, 0)).status == DecodeStatus::truncated);
    // A VLAN tag left in the payload of a cooked capture.
    Bytes tagged;
    put16(tagged, 42);
    put16(tagged, 0x0800);
    append(tagged, ip4);
    const auto s3 = decode(link_type::linux_sll2, sll2(0x8100, tagged));
    CHECK(s3.status == DecodeStatus::ok);
    CHECK(s3.vlan_id == 42);
}

TEST_CASE("raw IP, LINKTYPE_IPV4/IPV6, BSD null and loop") {
    const Bytes ip4 = ipv4(ip_proto::udp, a1, a2, udp(1, 2, text("r")));
    const Bytes ip6 = ipv6(ip_proto::udp, 1, 2, udp(1, 2, text("r")));
    for (int link : {link_type::raw, link_type::raw_dlt12, link_type::raw_dlt14}) {
        CAPTURE(link);
        CHECK(decode(link, ip4).src.is_v4());
        CHECK(decode(link, ip6).src.is_v6());
        CHECK(decode(link, Bytes{0x50, 0, 0, 0}).status == DecodeStatus::malformed);
        CHECK(decode(link, Bytes{}).status == DecodeStatus::truncated);
    }
    CHECK(decode(link_type::ipv4, ip4).status == DecodeStatus::ok);
    CHECK(decode(link_type::ipv4, ip6).status == DecodeStatus::malformed);
    CHECK(decode(link_type::ipv6, ip6).status == DecodeStatus::ok);
    CHECK(decode(link_type::ipv6, ip4).status == DecodeStatus::malformed);

    // DLT_NULL is in the capturing host's byte order: both orders are recognised.
    CHECK(decode(link_type::null_bsd, concat({loopback_header(2, false), ip4})).status == DecodeStatus::ok);
    CHECK(decode(link_type::null_bsd, concat({loopback_header(2, true), ip4})).status == DecodeStatus::ok);
    for (std::uint32_t af6 : {10u, 24u, 28u, 30u}) {
        CHECK(decode(link_type::null_bsd, concat({loopback_header(af6, false), ip6})).src.is_v6());
    }
    CHECK(decode(link_type::null_bsd, concat({loopback_header(7, false), ip4})).status == DecodeStatus::not_ip);
    CHECK(decode(link_type::loop, concat({loopback_header(2, true), ip4})).payload.size() == 1);
    CHECK(decode(link_type::loop, concat({loopback_header(30, true), ip6})).src.is_v6());
    CHECK(decode(link_type::loop, Bytes{0, 0}).status == DecodeStatus::truncated);
}

TEST_CASE("unsupported link types are reported as such") {
    CHECK(decode(105, eth_udp4()).status == DecodeStatus::unsupported_link);  // 802.11
    CHECK(decode(-1, eth_udp4()).status == DecodeStatus::unsupported_link);
    CHECK_FALSE(is_supported_link_type(105));
    CHECK(is_supported_link_type(link_type::linux_sll2));
    CHECK(std::string(link_type_name(link_type::ethernet)) == "EN10MB");
    CHECK(std::string(link_type_name(12)) == "RAW");
    CHECK(std::string(link_type_name(105)) == "unknown");
    CHECK(std::string(to_string(DecodeStatus::unsupported_link)) == "unsupported_link");
    CHECK(std::string(to_string(LayerStatus::truncated)) == "truncated");
}

TEST_CASE("every prefix of every valid frame: ok or truncated, never malformed, never out of bounds") {
    struct Sample {
        int link;
        Bytes frame;
    };
    const Bytes ip4 = ipv4(ip_proto::udp, a1, a2, udp(1, 2, text("prefix")));
    const std::vector<Sample> samples = {
        {link_type::ethernet, pad_to(eth_udp4(), 60)},
        {link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::tcp, a1, a2, tcp(1, 2, 3, tcp_flag::psh, text("data"), 8)))},
        {link_type::ethernet, ethernet(0x0800, ipv4(ip_proto::icmp, a1, a2, icmp(8, 0, 1, 2, text("echo"))))},
        {link_type::ethernet, ethernet(0x0800, ip4, {{0x88a8, 1}, {0x8100, 2}})},
        {link_type::ethernet, ethernet(0x86dd, ipv6(0, 1, 2, concat({ipv6_ext(44), ipv6_fragment(ip_proto::udp, 0, true, 1), udp(1, 2, text("frag"), 100)})))},
        {link_type::ethernet, ethernet(0x86dd, ipv6(51, 1, 2, concat({ipv6_ah(ip_proto::tcp), tcp(1, 2, 3, tcp_flag::fin, text("ah"))})))},
        {link_type::ethernet, ethernet(0x86dd, ipv6(ip_proto::icmpv6, 1, 2, icmp(128, 0, 9, 9, text("v6echo"))))},
        {link_type::linux_sll, sll(0x0800, ip4)},
        {link_type::linux_sll2, sll2(0x86dd, ipv6(ip_proto::udp, 1, 2, udp(1, 2, text("sll2"))))},
        {link_type::raw, ip4},
        {link_type::null_bsd, concat({loopback_header(2, false), ip4})},
        {link_type::loop, concat({loopback_header(2, true), ip4})},
    };
    for (const auto& sample : samples) {
        CAPTURE(sample.link, sample.frame.size());
        const auto full = decode(sample.link, sample.frame);
        REQUIRE(full.status == DecodeStatus::ok);
        REQUIRE(full.transport_status != LayerStatus::malformed);
        for (std::size_t length = 0; length <= sample.frame.size(); ++length) {
            CAPTURE(length);
            // A fresh copy of exactly `length` bytes, so ASan catches any read past the end.
            const Bytes prefix(sample.frame.begin(), sample.frame.begin() + static_cast<std::ptrdiff_t>(length));
            const auto v = decode(sample.link, prefix);
            CHECK((v.status == DecodeStatus::ok || v.status == DecodeStatus::truncated));
            CHECK(v.transport_status != LayerStatus::malformed);
            check_in_bounds(*v.frame, v);
            if (v.status == DecodeStatus::ok) {
                CHECK(v.src == full.src);
                CHECK(v.ip_length == full.ip_length);
                CHECK(v.payload.size() <= full.payload.size());
                if (v.transport_decoded && v.transport_status == LayerStatus::ok) CHECK(v.dst_port == full.dst_port);
            }
        }
    }
}

TEST_CASE("random and mutated frames never crash or point outside the frame") {
    std::mt19937 random(20261128);  // fixed seed: deterministic
    const std::vector<int> links = {link_type::ethernet, link_type::linux_sll, link_type::linux_sll2,
                                    link_type::raw,      link_type::null_bsd,  link_type::loop,
                                    link_type::ipv4,     link_type::ipv6,      12};
    const std::vector<Bytes> seeds = {
        eth_udp4(),
        ethernet(0x86dd, ipv6(0, 1, 2, concat({ipv6_ext(43, 1), ipv6_ext(44), ipv6_fragment(6, 0, false, 3), tcp(1, 2, 3, 2, text("x"))}))),
        ethernet(0x0800, ipv4(ip_proto::tcp, a1, a2, tcp(1, 2, 3, 2, text("syn"), 15))),
        ethernet(0x8864, concat({Bytes{0x11, 0, 0, 1, 0, 40, 0, 0x21}, ipv4(ip_proto::udp, a1, a2, udp(1, 2, text("p")))})),
    };
    int decoded_ok = 0;
    for (int round = 0; round < 20000; ++round) {
        const int link = links[static_cast<std::size_t>(random() % links.size())];
        Bytes frame;
        if (round % 2 == 0) {
            frame.resize(random() % 128);
            for (auto& byte : frame) byte = static_cast<std::uint8_t>(random());
        } else {
            frame = seeds[static_cast<std::size_t>(random() % seeds.size())];
            const int flips = 1 + static_cast<int>(random() % 4);
            for (int i = 0; i < flips; ++i) frame[random() % frame.size()] = static_cast<std::uint8_t>(random());
            frame.resize(random() % (frame.size() + 1));
        }
        PacketView v;
        const DecodeStatus status = decode_packet(link, frame, v);
        REQUIRE(status == v.status);
        check_in_bounds(frame, v);
        if (status == DecodeStatus::ok) {
            ++decoded_ok;
            REQUIRE(v.src.valid());
            REQUIRE(v.ip_status == LayerStatus::ok);
        }
    }
    CHECK(decoded_ok > 100);  // the mutations do reach the deeper layers
}
