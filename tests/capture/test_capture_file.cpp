// read_capture_file over the committed fixtures (real captures made by make-fixtures.sh), over files written here
// byte by byte (every pcap/pcapng variant and corruption), with BPF filters, stdin, limits, and a tshark
// cross-check of the decoder on every fixture packet.
#include "capture_writer.hpp"
#include "frames.hpp"
#include "test_support.hpp"

#include "nettool/io/capture.hpp"
#include "nettool/wire/packet.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <map>
#include <random>
#include <sstream>
#include <unistd.h>

using namespace nettool;
using namespace nettool::test;

namespace {

std::string fixture(const std::string& name) { return (fixtures_dir() / "capture" / name).string(); }

struct Decoded {
    CapturedPacket meta;
    PacketView view;
    Bytes bytes;  // a copy, so the view stays valid after the handler returns
};

struct ReadAll {
    Result<CaptureStats> stats = internal_error("not run");
    std::vector<Decoded> packets;
};

ReadAll read_all(const std::string& path, OfflineReadOptions options = {}) {
    ReadAll all;
    all.stats = read_capture_file(path, options, [&](const CapturedPacket& packet) {
        Decoded d;
        d.meta = packet;
        d.bytes.assign(packet.data.begin(), packet.data.end());
        d.meta.data = {};
        all.packets.push_back(std::move(d));
    });
    for (auto& d : all.packets) decode_packet(d.meta.link_type, d.bytes, d.view);
    return all;
}

std::string write_temp(const TempDir& dir, const std::string& name, const Bytes& bytes) {
    const auto path = dir.path() / name;
    write_file(path, std::string(bytes.begin(), bytes.end()));
    return path.string();
}

std::string payload_text(const PacketView& v) { return std::string(v.payload.begin(), v.payload.end()); }

Bytes sample_frame(unsigned port = 53, const std::string& payload = "x") {
    return ethernet(0x0800, ipv4(ip_proto::udp, {10, 202, 0, 1}, {10, 202, 0, 2}, udp(1000, port, text(payload))));
}

template <class Predicate>
std::vector<const Decoded*> find_all(const ReadAll& all, Predicate predicate) {
    std::vector<const Decoded*> found;
    for (const auto& p : all.packets) {
        if (predicate(p.view)) found.push_back(&p);
    }
    return found;
}

// What make-fixtures.sh's traffic round always contains, whatever IPv6 housekeeping (MLD, RS, NS) came with it.
void check_traffic_round(const ReadAll& all, bool ethernet) {
    REQUIRE(all.stats.ok());
    const auto v4_echo = find_all(all, [](const PacketView& v) { return v.src.is_v4() && v.icmp_type == 8; });
    CHECK(v4_echo.size() == 3);
    const auto v6_echo = find_all(all, [](const PacketView& v) { return v.src.is_v6() && v.icmp_type == 128; });
    CHECK(v6_echo.size() == (ethernet ? 2u : 0u));  // the cooked captures' filter "icmp" is ICMPv4 only
    const auto fragments = find_all(all, [](const PacketView& v) { return v.is_fragment; });
    REQUIRE(fragments.size() == 3);
    CHECK(fragments[0]->view.is_first_fragment);
    CHECK(fragments[0]->view.more_fragments);
    CHECK(fragments[0]->view.dst_port == 9999);
    CHECK(fragments[0]->view.payload_wire_length == 3000);
    CHECK(fragments[1]->view.fragment_offset == 1480);
    CHECK_FALSE(fragments[1]->view.transport_decoded);
    CHECK(fragments[1]->view.payload.size() == 1480);
    CHECK(fragments[2]->view.fragment_offset == 2960);
    CHECK_FALSE(fragments[2]->view.more_fragments);
    CHECK(fragments[2]->view.payload.size() == 48);
    const auto udp6 = find_all(all, [](const PacketView& v) { return v.src.is_v6() && v.dst_port == 7777; });
    REQUIRE(udp6.size() == 1);
    CHECK(payload_text(udp6[0]->view) == "nettool-udp-v6");
    const auto unreachable = find_all(all, [](const PacketView& v) {
        return (v.src.is_v4() && v.icmp_type == 3 && v.icmp_code == 3) || (v.src.is_v6() && v.icmp_type == 1 && v.icmp_code == 4);
    });
    CHECK(unreachable.size() == (ethernet ? 3u : 2u));
    if (!ethernet) return;  // the cooked captures were filtered to ICMP and UDP
    const auto syn = find_all(all, [](const PacketView& v) { return v.tcp_flags == tcp_flag::syn; });
    REQUIRE(syn.size() == 1);
    CHECK(syn[0]->view.dst_port == 8080);
    CHECK(syn[0]->view.transport_offset == 34);
    const auto request = find_all(all, [](const PacketView& v) { return payload_text(v) == "GET / HTTP/1.0\r\n\r\n"; });
    CHECK(request.size() == 1);
    const auto fins = find_all(all, [](const PacketView& v) { return (v.tcp_flags & tcp_flag::fin) != 0; });
    CHECK(fins.size() == 2);
    const auto arp = find_all(all, [](const PacketView& v) { return v.status == DecodeStatus::not_ip; });
    CHECK(arp.size() == 2);
    for (const auto* p : arp) CHECK(p->view.ethertype == 0x0806);
    const auto mld = find_all(all, [](const PacketView& v) { return v.icmp_type == 143; });
    CHECK_FALSE(mld.empty());  // MLDv2 reports sit behind a hop-by-hop header
    for (const auto* p : mld) CHECK(p->view.ip_protocol == ip_proto::icmpv6);
    for (std::size_t i = 1; i < all.packets.size(); ++i) {
        CHECK(all.packets[i].meta.timestamp >= all.packets[i - 1].meta.timestamp);
        CHECK(all.packets[i].meta.number == i + 1);
    }
}

void check_vlan_round(const ReadAll& all) {
    REQUIRE(all.stats.ok());
    const auto tagged = find_all(all, [](const PacketView& v) { return v.vlan_count == 1; });
    REQUIRE(tagged.size() == 1);
    CHECK(tagged[0]->view.vlan_id == 100);
    CHECK(payload_text(tagged[0]->view) == "vlan-test");  // 5 bytes of Ethernet padding dropped
    const auto qinq = find_all(all, [](const PacketView& v) { return v.vlan_count == 2; });
    REQUIRE(qinq.size() == 1);
    CHECK(qinq[0]->view.vlan_id == 300);
    CHECK(qinq[0]->view.inner_vlan_id == 30);
    CHECK(payload_text(qinq[0]->view) == "vlan-test");
    const auto pppoe = find_all(all, [](const PacketView& v) { return v.pppoe; });
    REQUIRE(pppoe.size() == 1);
    CHECK(pppoe[0]->view.dst_port == 5000);
    CHECK(payload_text(pppoe[0]->view) == "vlan-test");
    CHECK(find_all(all, [](const PacketView& v) { return v.ethertype == 0x0806; }).size() >= 1);
}

}  // namespace

TEST_CASE("committed Ethernet pcap: counts, fragments, TCP, ICMP errors, ARP, MLD") {
    const auto all = read_all(fixture("veth-mixed.pcap"));
    REQUIRE(all.stats.ok());
    CHECK(all.stats->packets == 41);
    CHECK(all.stats->bytes == 6942);
    CHECK(all.stats->link_type == link_type::ethernet);
    CHECK_FALSE(all.stats->file_truncated);
    CHECK(all.stats->file_error.empty());
    CHECK(find_all(all, [](const PacketView& v) { return v.status == DecodeStatus::ok; }).size() == 39);
    check_traffic_round(all, true);
    CHECK(all.packets[0].meta.timestamp > std::chrono::seconds(1'700'000'000));
}

TEST_CASE("the pcapng conversion reads the same packets as the pcap") {
    const auto pcap = read_all(fixture("veth-mixed.pcap"));
    const auto pcapng = read_all(fixture("veth-mixed.pcapng"));
    REQUIRE(pcapng.stats.ok());
    REQUIRE(pcap.packets.size() == pcapng.packets.size());
    for (std::size_t i = 0; i < pcap.packets.size(); ++i) {
        CHECK(pcap.packets[i].bytes == pcapng.packets[i].bytes);
        CHECK(pcap.packets[i].meta.timestamp == pcapng.packets[i].meta.timestamp);
        CHECK(pcap.packets[i].meta.wire_length == pcapng.packets[i].meta.wire_length);
    }
}

TEST_CASE("Linux cooked captures from tcpdump -i any: SLL2 and SLL") {
    for (const auto& [name, link] : std::map<std::string, int>{{"any-sll2.pcap", link_type::linux_sll2},
                                                               {"any-sll.pcap", link_type::linux_sll}}) {
        CAPTURE(name);
        const auto all = read_all(fixture(name));
        REQUIRE(all.stats.ok());
        CHECK(all.stats->link_type == link);
        REQUIRE(all.packets.size() >= 10);
        for (const auto& p : all.packets) {
            CHECK(p.meta.link_type == link);
            CHECK(p.view.status == DecodeStatus::ok);
            CHECK(p.view.ip_offset == (link == link_type::linux_sll2 ? 20 : 16));
        }
        check_traffic_round(all, false);
    }
}

TEST_CASE("VLAN, QinQ and PPPoE frames captured off a veth, Ethernet padding removed") {
    check_vlan_round(read_all(fixture("vlan-qinq-pppoe.pcap")));
}

TEST_CASE("snap length cut: captured < wire, transport marked truncated, payload as captured") {
    const auto all = read_all(fixture("snaplen-64.pcap"));
    REQUIRE(all.stats.ok());
    REQUIRE(all.packets.size() >= 6);
    const auto firsts = find_all(all, [](const PacketView& v) { return v.is_first_fragment; });
    REQUIRE(firsts.size() == 1);
    const auto& big = *firsts[0];
    CHECK(big.meta.captured_length == 64);
    CHECK(big.meta.wire_length == 1514);
    CHECK(big.view.status == DecodeStatus::ok);
    CHECK(big.view.payload.size() == 64 - 42);
    CHECK(big.view.payload_wire_length == 3000);
    bool saw_cut_tcp_options = false;
    for (const auto& p : all.packets) {
        if (p.view.ip_protocol == ip_proto::tcp && p.view.transport_status == LayerStatus::truncated) {
            saw_cut_tcp_options = true;
            CHECK(p.view.transport_decoded);
            CHECK(p.view.dst_port != 0);
        }
    }
    CHECK(saw_cut_tcp_options);
}

TEST_CASE("a file cut inside its last record: stats with file_truncated, not an error") {
    const auto all = read_all(fixture("truncated-record.pcap"));
    REQUIRE(all.stats.ok());
    CHECK(all.stats->packets == 40);
    CHECK(all.stats->file_truncated);
    CHECK(all.stats->file_error.find("truncated") != std::string::npos);
}

TEST_CASE("pcapng with two interfaces of different link types (mergecap of Ethernet and SLL2)") {
    const auto all = read_all(fixture("two-linktypes.pcapng"));
    REQUIRE(all.stats.ok());
    CHECK(all.stats->file_error.empty());
    CHECK(all.stats->link_type == link_type::ethernet);
    std::map<int, int> per_link;
    std::map<int, int> icmp_per_link;
    for (const auto& p : all.packets) {
        ++per_link[p.meta.link_type];
        icmp_per_link[p.meta.link_type] += p.view.ip_protocol == ip_proto::icmp;
        CHECK(p.view.status != DecodeStatus::unsupported_link);
    }
    CHECK(per_link[link_type::ethernet] == 41);
    CHECK(per_link[link_type::linux_sll2] >= 10);
    // A filter compiles per link type and applies to both.
    OfflineReadOptions icmp_only;
    icmp_only.filter = "icmp";
    const auto filtered = read_all(fixture("two-linktypes.pcapng"), icmp_only);
    REQUIRE(filtered.stats.ok());
    std::map<int, int> filtered_per_link;
    for (const auto& p : filtered.packets) {
        ++filtered_per_link[p.meta.link_type];
        CHECK(p.view.ip_protocol == ip_proto::icmp);
    }
    CHECK(filtered_per_link == icmp_per_link);
    CHECK(filtered_per_link[link_type::ethernet] == 8);  // 3 requests, 3 replies, 2 port unreachable
    CHECK(filtered.stats->filtered_out == all.packets.size() - filtered.packets.size());
}

TEST_CASE("BPF filter: matching packets keep their file numbers, a bad filter is a usage error") {
    const auto everything = read_all(fixture("veth-mixed.pcap"));
    std::vector<std::uint64_t> udp_numbers;
    for (const auto& p : everything.packets) {
        if (p.view.ip_protocol == ip_proto::udp) udp_numbers.push_back(p.meta.number);
    }
    REQUIRE(udp_numbers.size() == 5);  // small, three fragments, IPv6
    OfflineReadOptions options;
    options.filter = "udp";
    const auto all = read_all(fixture("veth-mixed.pcap"), options);
    REQUIRE(all.stats.ok());
    std::vector<std::uint64_t> numbers;
    for (const auto& p : all.packets) numbers.push_back(p.meta.number);
    CHECK(numbers == udp_numbers);
    CHECK(all.stats->filtered_out == everything.packets.size() - 5);

    options.filter = "udp port";
    const auto bad = read_all(fixture("veth-mixed.pcap"), options);
    REQUIRE_FALSE(bad.stats.ok());
    CHECK(bad.stats.error().kind == ErrorKind::usage);
    CHECK(bad.stats.error().message.find("udp port") != std::string::npos);
    CHECK(bad.stats.error().message.find("syntax error") != std::string::npos);  // pcap's own words
}

TEST_CASE("max_packets stops early, a throwing handler propagates") {
    OfflineReadOptions options;
    options.max_packets = 3;
    const auto all = read_all(fixture("veth-mixed.pcap"), options);
    REQUIRE(all.stats.ok());
    CHECK(all.packets.size() == 3);
    CHECK_THROWS_AS(read_capture_file(fixture("veth-mixed.pcap"), {},
                                      [](const CapturedPacket& p) {
                                          if (p.number == 5) throw ErrorException(input_error("stop here"));
                                      }),
                    ErrorException);
}

TEST_CASE("standard input: a dash reads the capture from stdin") {
    const int saved = ::dup(STDIN_FILENO);
    REQUIRE(saved >= 0);
    const int file = ::open(fixture("veth-mixed.pcapng").c_str(), O_RDONLY);
    REQUIRE(file >= 0);
    ::dup2(file, STDIN_FILENO);
    ::close(file);
    const auto all = read_all("-");
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    REQUIRE(all.stats.ok());
    CHECK(all.stats->packets == 41);
}

TEST_CASE("files that are not captures: one clear input error") {
    TempDir dir;
    struct Case {
        std::string name;
        Bytes bytes;
        std::string expected;
    };
    const Bytes header = pcap_header(1);
    const std::vector<Case> cases = {
        {"passwd.txt", text("root:x:0:0:root:/root:/bin/bash\n"), "not a pcap or pcapng capture file"},
        {"empty.pcap", {}, "empty"},
        {"short.pcap", Bytes(header.begin(), header.begin() + 10), "ends inside the file header"},
        {"three-bytes", Bytes{0xd4, 0xc3, 0xb2}, "ends inside the file header"},
        {"version.pcap", pcap_header(1, 0xa1b2c3d4, false, 3), "unsupported pcap format version 3"},
        {"badbom.pcapng", concat({Bytes{0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4}, Bytes(16, 0)}),
         "byte-order magic"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto result = read_capture_file(write_temp(dir, c.name, c.bytes), {}, nullptr);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().kind == ErrorKind::input);
        CHECK(result.error().message.find(c.expected) != std::string::npos);
        CHECK(result.error().message.find('\n') == std::string::npos);
        CHECK(result.error().context.find(c.name) != std::string::npos);
    }
    const auto missing = read_capture_file((dir.path() / "nope.pcap").string(), {}, nullptr);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::input);
    CHECK(missing.error().message.find("No such file") != std::string::npos);
    const auto directory = read_capture_file(dir.path().string(), {}, nullptr);
    REQUIRE_FALSE(directory.ok());
    CHECK(directory.error().kind == ErrorKind::input);
    CHECK(read_capture_file("", {}, nullptr).error().kind == ErrorKind::usage);
}

TEST_CASE("hand-written pcap variants: byte orders, nanoseconds, modified headers, raw IP link types") {
    TempDir dir;
    const Bytes frame = sample_frame(53, "hello");
    const Bytes ip = Bytes(frame.begin() + 14, frame.end());
    SECTION("big-endian microsecond pcap") {
        const auto path = write_temp(dir, "be.pcap",
                                     concat({pcap_header(1, 0xa1b2c3d4, true), pcap_record(1700000000, 250000, frame, true)}));
        const auto all = read_all(path);
        REQUIRE(all.stats.ok());
        REQUIRE(all.packets.size() == 1);
        CHECK(all.packets[0].meta.timestamp == std::chrono::nanoseconds(1700000000250000000LL));
        CHECK(payload_text(all.packets[0].view) == "hello");
        CHECK_FALSE(all.stats->timestamps_nanosecond);
    }
    SECTION("nanosecond pcap, both byte orders") {
        for (bool big : {false, true}) {
            const auto path = write_temp(dir, "ns.pcap",
                                         concat({pcap_header(1, 0xa1b23c4d, big), pcap_record(10, 123456789, frame, big)}));
            const auto all = read_all(path);
            REQUIRE(all.stats.ok());
            CHECK(all.stats->timestamps_nanosecond);
            CHECK(all.packets.at(0).meta.timestamp == std::chrono::nanoseconds(10'123'456'789LL));
        }
    }
    SECTION("modified (Kuznetzov) pcap records") {
        const auto path = write_temp(dir, "mod.pcap",
                                     concat({pcap_header(1, 0xa1b2cd34), pcap_record(1, 0, frame, false, {}, {}, true),
                                             pcap_record(2, 0, frame, false, {}, {}, true)}));
        const auto all = read_all(path);
        REQUIRE(all.stats.ok());
        CHECK(all.packets.size() == 2);
        CHECK(all.packets.at(1).view.dst_port == 53);
    }
    SECTION("LINKTYPE_RAW (101) is delivered as DLT_RAW (12); LINKTYPE_IPV4 and NULL decode") {
        const auto raw = read_all(write_temp(dir, "raw.pcap", concat({pcap_header(101), pcap_record(1, 0, ip)})));
        REQUIRE(raw.stats.ok());
        CHECK(raw.stats->link_type == 12);
        CHECK(raw.packets.at(0).meta.link_type == 12);
        CHECK(raw.packets.at(0).view.dst_port == 53);
        OfflineReadOptions filter;
        filter.filter = "udp port 53";
        CHECK(read_all(write_temp(dir, "raw.pcap", concat({pcap_header(101), pcap_record(1, 0, ip)})), filter)
                  .packets.size() == 1);
        const auto v4 = read_all(write_temp(dir, "ipv4.pcap", concat({pcap_header(228), pcap_record(1, 0, ip)})));
        CHECK(v4.packets.at(0).view.status == DecodeStatus::ok);
        const auto null = read_all(
            write_temp(dir, "null.pcap", concat({pcap_header(0), pcap_record(1, 0, concat({loopback_header(2, false), ip}))})));
        CHECK(null.packets.at(0).view.status == DecodeStatus::ok);
    }
    SECTION("header only: a valid, empty capture") {
        const auto all = read_all(write_temp(dir, "empty-ok.pcap", pcap_header(1)));
        REQUIRE(all.stats.ok());
        CHECK(all.stats->packets == 0);
        CHECK_FALSE(all.stats->file_truncated);
    }
    SECTION("an implausible record length is reported, earlier records kept") {
        const auto path = write_temp(dir, "huge.pcap",
                                     concat({pcap_header(1), pcap_record(1, 0, frame),
                                             pcap_record(2, 0, frame, false, {}, 0xfffffff0u)}));
        const auto all = read_all(path);
        REQUIRE(all.stats.ok());
        CHECK(all.packets.size() == 1);
        CHECK(all.stats->file_error.find("implausible") != std::string::npos);
        CHECK_FALSE(all.stats->file_truncated);
    }
    SECTION("cut inside a record header") {
        Bytes bytes = concat({pcap_header(1), pcap_record(1, 0, frame), pcap_record(2, 0, frame)});
        bytes.resize(24 + 16 + frame.size() + 7);
        const auto all = read_all(write_temp(dir, "cut.pcap", bytes));
        REQUIRE(all.stats.ok());
        CHECK(all.packets.size() == 1);
        CHECK(all.stats->file_truncated);
    }
}

TEST_CASE("hand-written pcapng: sections, interfaces, resolutions, offsets, simple and unknown blocks") {
    TempDir dir;
    const Bytes frame = sample_frame(5353, "ng");
    const PcapngWriter le(false);
    const PcapngWriter be(true);
    const Bytes bytes = concat({
        le.section(),
        le.interface(1),                      // 0: Ethernet, microseconds (default)
        le.interface(276, 9),                 // 1: SLL2, nanoseconds
        le.interface(1, 0x80 | 10, 100),      // 2: Ethernet, 2^-10 s, +100 s offset
        le.enhanced(0, 1'500'000, frame),     // 1.5 s
        le.block(0x00000bad, Bytes(8, 0)),    // unknown block: skipped
        le.enhanced(1, 2'000'000'123, sll2(0x0800, Bytes(frame.begin() + 14, frame.end()))),
        le.enhanced(2, 512, frame),           // 0.5 s + 100 s
        le.block(5, Bytes(16, 0)),            // interface statistics: skipped
        be.section(),                         // a new, big-endian section: interfaces start again
        be.interface(1),
        be.enhanced(0, 3'000'000, frame, 1000),
        be.simple(frame),
    });
    const auto all = read_all(write_temp(dir, "multi.pcapng", bytes));
    REQUIRE(all.stats.ok());
    CHECK(all.stats->file_error.empty());
    REQUIRE(all.packets.size() == 5);
    CHECK(all.packets[0].meta.timestamp == std::chrono::milliseconds(1500));
    CHECK(all.packets[1].meta.link_type == link_type::linux_sll2);
    CHECK(all.packets[1].meta.timestamp == std::chrono::nanoseconds(2'000'000'123));
    CHECK(all.packets[1].view.dst_port == 5353);
    CHECK(all.packets[2].meta.timestamp == std::chrono::milliseconds(100'500));
    CHECK(all.packets[3].meta.wire_length == 1000);
    CHECK(all.packets[3].meta.timestamp == std::chrono::seconds(3));
    CHECK(all.packets[4].meta.captured_length == frame.size());
    CHECK(all.packets[4].view.dst_port == 5353);
    CHECK(all.packets[4].meta.number == 5);  // non-packet blocks are not numbered
    CHECK(all.stats->timestamps_nanosecond);
}

TEST_CASE("corrupt pcapng blocks: reported with what was read before") {
    TempDir dir;
    const Bytes frame = sample_frame();
    const PcapngWriter w;
    const Bytes good = concat({w.section(), w.interface(1), w.enhanced(0, 1, frame)});
    const std::vector<std::pair<Bytes, std::string>> cases = {
        {w.enhanced(3, 1, frame), "interface 3"},
        {w.block(6, Bytes(20, 0), 30), "length 30"},
        {w.block(6, Bytes(20, 0), 8), "length 8"},
        {w.block(6, Bytes(20, 0), {}, 99), "trailing length"},
        {w.enhanced(0, 1, frame, {}, 5000), "exceeds the block"},
        {w.block(6, Bytes(12, 0)), "too short"},
        {w.block(1, Bytes(4, 0)), "too short"},
    };
    for (const auto& [bad, expected] : cases) {
        CAPTURE(expected);
        const auto all = read_all(write_temp(dir, "bad.pcapng", concat({good, bad, w.enhanced(0, 2, frame)})));
        REQUIRE(all.stats.ok());
        CHECK(all.packets.size() == 1);
        CHECK(all.stats->file_error.find(expected) != std::string::npos);
    }
    // A block cut by the end of the file is a truncation.
    Bytes cut = concat({good, w.enhanced(0, 2, frame)});
    cut.resize(cut.size() - 3);
    const auto truncated = read_all(write_temp(dir, "cut.pcapng", cut));
    REQUIRE(truncated.stats.ok());
    CHECK(truncated.packets.size() == 1);
    CHECK(truncated.stats->file_truncated);
}

TEST_CASE("mutated capture files never crash the reader") {
    TempDir dir;
    const PcapngWriter w;
    const Bytes frame = sample_frame();
    const Bytes seed_ng = concat({w.section(), w.interface(1, 9), w.enhanced(0, 1, frame), w.simple(frame),
                                  w.interface(113), w.enhanced(1, 2, sll(0x0800, frame))});
    const Bytes seed_pcap = concat({pcap_header(1), pcap_record(1, 0, frame), pcap_record(2, 0, frame)});
    std::mt19937 random(7);
    int readable = 0;
    for (int round = 0; round < 300; ++round) {
        Bytes bytes = round % 2 ? seed_ng : seed_pcap;
        const int flips = 1 + static_cast<int>(random() % 6);
        for (int i = 0; i < flips; ++i) bytes[random() % bytes.size()] = static_cast<std::uint8_t>(random());
        if (random() % 3 == 0) bytes.resize(random() % bytes.size());
        const auto result = read_capture_file(write_temp(dir, "m", bytes), {}, [](const CapturedPacket& p) {
            PacketView v;
            decode_packet(p.link_type, p.data, v);
        });
        if (result.ok()) {
            ++readable;
        } else {
            CHECK(result.error().kind == ErrorKind::input);
        }
    }
    CHECK(readable > 50);
}

TEST_CASE("decoder agrees with tshark on every packet of every fixture") {
    if (run_command("command -v tshark").exit_status != 0) NETTOOL_SKIP("tshark is not installed");
    // two-linktypes.pcapng holds veth-mixed and any-sll2; tshark is slow to start, so four runs cover all.
    for (const char* name : {"two-linktypes.pcapng", "any-sll.pcap", "vlan-qinq-pppoe.pcap", "snaplen-64.pcap"}) {
        CAPTURE(name);
        const auto all = read_all(fixture(name));
        REQUIRE(all.stats.ok());
        const auto tshark = run_command(
            "tshark -n -r " + shell_quote(fixture(name)) +
            " -o ip.defragment:FALSE -o ipv6.defragment:FALSE -T fields -E separator=/t -e frame.number"
            " -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e udp.srcport -e tcp.dstport -e udp.dstport");
        REQUIRE(tshark.exit_status == 0);
        std::istringstream lines(tshark.out);
        std::string line;
        std::size_t compared = 0;
        auto first = [](const std::string& field) { return field.substr(0, field.find(',')); };
        while (std::getline(lines, line)) {
            std::vector<std::string> f;
            std::size_t start = 0;
            while (true) {
                const auto tab = line.find('\t', start);
                f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
                if (tab == std::string::npos) break;
                start = tab + 1;
            }
            f.resize(9);
            const auto number = std::stoull(f[0]);
            REQUIRE(number <= all.packets.size());
            const auto& v = all.packets[number - 1].view;
            CAPTURE(number);
            const std::string src = first(f[1].empty() ? f[2] : f[1]);
            const std::string dst = first(f[3].empty() ? f[4] : f[3]);
            if (src.empty()) {
                CHECK(v.status != DecodeStatus::ok);
                continue;
            }
            REQUIRE(v.status == DecodeStatus::ok);
            CHECK(v.src.to_string() == src);
            CHECK(v.dst.to_string() == dst);
            const std::string sport = first(f[5].empty() ? f[6] : f[5]);
            const std::string dport = first(f[7].empty() ? f[8] : f[7]);
            if (v.transport_decoded && (v.ip_protocol == ip_proto::tcp || v.ip_protocol == ip_proto::udp)) {
                CHECK(std::to_string(v.src_port) == sport);
                CHECK(std::to_string(v.dst_port) == dport);
            } else if (v.ip_protocol == ip_proto::tcp || v.ip_protocol == ip_proto::udp) {
                CHECK(sport.empty());  // a non-first fragment: no transport header for either
            }
            ++compared;
        }
        CHECK(compared >= 3);
    }
}

TEST_CASE("captures made now by make-fixtures.sh (tcpdump in namespaces) read and decode") {
    if (!running_as_root()) NETTOOL_SKIP("generating captures needs root (network namespaces, tcpdump)");
    TempDir dir;
    const auto made = run_command("bash " + shell_quote(fixture("make-fixtures.sh")) + " " + shell_quote(dir.path().string()));
    if (made.exit_status == 77) NETTOOL_SKIP(made.err);
    INFO(made.err);
    REQUIRE(made.exit_status == 0);
    const auto path = [&](const char* name) { return (dir.path() / name).string(); };
    for (const char* name : {"veth-mixed.pcap", "veth-mixed.pcapng", "any-sll2.pcap", "any-sll.pcap", "snaplen-64.pcap",
                             "vlan-qinq-pppoe.pcap", "two-linktypes.pcapng"}) {
        CAPTURE(name);
        const auto all = read_all(path(name));
        REQUIRE(all.stats.ok());
        CHECK(all.stats->file_error.empty());
        CHECK(all.packets.size() >= 4);
        int ok = 0;
        for (const auto& p : all.packets) {
            CHECK(p.view.status != DecodeStatus::unsupported_link);
            CHECK(p.view.status != DecodeStatus::malformed);
            ok += p.view.status == DecodeStatus::ok;
        }
        CHECK(ok >= 3);
    }
    const auto mixed = read_all(path("veth-mixed.pcap"));
    check_traffic_round(mixed, true);
    check_traffic_round(read_all(path("veth-mixed.pcapng")), true);
    check_traffic_round(read_all(path("any-sll2.pcap")), false);
    check_traffic_round(read_all(path("any-sll.pcap")), false);
    check_vlan_round(read_all(path("vlan-qinq-pppoe.pcap")));
    const auto truncated = read_all(path("truncated-record.pcap"));
    REQUIRE(truncated.stats.ok());
    CHECK(truncated.stats->file_truncated);
    CHECK(truncated.packets.size() + 1 == mixed.packets.size());
}
