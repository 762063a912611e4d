// The analyser on packets the tests build: verdicts, the hub rule, behaviour heuristics and their exclusions,
// bounded tables, and capture files we write (also truncated, snaplen-cut, corrupted, odd link types).
#include "frames.hpp"
#include "test_support.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/p2p/analyzer.hpp"
#include "nettool/p2p/p2p.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>
#include <set>

using namespace nettool;
using namespace nettool::p2p;
using namespace p2ptest;

namespace {

struct Feeder {
    Analyzer analyzer;
    std::uint64_t number = 0;
    double time = 1'700'000'000.0;
    explicit Feeder(AnalyzerOptions options = {}) : analyzer(std::move(options)) {}
    void send(const FrameSpec& spec, double advance = 0.01) {
        time += advance;
        auto f = frame(spec);
        analyzer.add_frame(++number, std::chrono::nanoseconds(static_cast<std::int64_t>(time * 1e9)), 1, f,
                           static_cast<std::uint32_t>(f.size()));
    }
};

const HostReport* host(const P2pReport& r, const std::string& address) {
    for (const auto& h : r.hosts) {
        if (h.address.to_string() == address) return &h;
    }
    return nullptr;
}

Bytes bt_handshake() {
    Bytes b = {19};
    auto p = bytes("BitTorrent protocol");
    b.insert(b.end(), p.begin(), p.end());
    b.insert(b.end(), 48, 0x61);
    return b;
}

Bytes gnutella_ping(std::uint8_t seed) {
    Bytes b(16, seed);
    b.push_back(0x00);
    b.push_back(2);
    b.push_back(0);
    put32le(b, 0);
    return b;
}

AnalyzerOptions everything_local() {
    AnalyzerOptions o;
    o.local = {*IpPrefix::parse("0.0.0.0/0"), *IpPrefix::parse("::/0")};
    return o;
}

}  // namespace

TEST_CASE("a BitTorrent handshake makes the host p2p; evidence names the rule, the flow and the packet") {
    Feeder f;
    auto lan = v4(192, 168, 1, 10);
    auto peer = v4(81, 2, 3, 4);
    f.send({lan, peer, L4::tcp, 50123, 51413, 0x02, {}});
    f.send({peer, lan, L4::tcp, 51413, 50123, 0x12, {}});
    f.send({lan, peer, L4::tcp, 50123, 51413, 0x10, {}});
    f.send({lan, peer, L4::tcp, 50123, 51413, 0x18, bt_handshake()});
    auto r = f.analyzer.finish();
    const auto* h = host(r, "192.168.1.10");
    REQUIRE(h != nullptr);
    CHECK(h->verdict == Verdict::p2p);
    CHECK(h->confidence >= 0.99);
    REQUIRE(h->protocols.size() == 1);
    CHECK(h->protocols[0] == "BitTorrent");
    REQUIRE_FALSE(h->evidence.empty());
    CHECK(h->evidence[0].rule == "bittorrent.handshake");
    CHECK(h->evidence[0].kind == "payload_proof");
    REQUIRE(h->evidence[0].packets.size() == 1);
    CHECK(h->evidence[0].packets[0] == 4);
    CHECK(h->evidence[0].example_flows[0] == "tcp 192.168.1.10:50123 -> 81.2.3.4:51413");
    CHECK(h->packets_sent == 3);
    CHECK(h->packets_received == 1);
    CHECK(host(r, "81.2.3.4") == nullptr);  // not local: a peer, not a host
    CHECK(r.summary.p2p_flows == 1);
    CHECK(r.any_flagged());
    REQUIRE_FALSE(r.diagnoses.empty());
    CHECK(r.diagnoses[0].code == "p2p_host");
    CHECK(exit_status_for(r.diagnoses) == ExitStatus::problem);
}

TEST_CASE("a default port alone is only a hint: the host stays clean") {
    Feeder f;
    auto lan = v4(192, 168, 1, 11);
    for (int i = 0; i < 5; ++i) {
        auto peer = v4(81, 2, 3, static_cast<std::uint8_t>(10 + i));
        f.send({lan, peer, L4::tcp, static_cast<std::uint16_t>(50000 + i), 6346, 0x02, {}});
        f.send({peer, lan, L4::tcp, 6346, static_cast<std::uint16_t>(50000 + i), 0x12, {}});
        f.send({lan, peer, L4::tcp, static_cast<std::uint16_t>(50000 + i), 6346, 0x18, bytes("hello, not gnutella")});
        f.send({peer, lan, L4::tcp, 6346, static_cast<std::uint16_t>(50000 + i), 0x18, bytes("ok")});
    }
    auto r = f.analyzer.finish();
    const auto* h = host(r, "192.168.1.11");
    REQUIRE(h != nullptr);
    CHECK(h->verdict == Verdict::clean);
    CHECK(h->protocols.empty());
    CHECK_FALSE(r.any_flagged());
    CHECK(exit_status_for(r.diagnoses) == ExitStatus::ok);
    CHECK(r.diagnoses.back().code == "no_p2p_found");
}

TEST_CASE("with every address local, a busy Gnutella client is the host and its 20 peers are its peers") {
    Feeder f(everything_local());
    auto client = v4(192, 168, 1, 129);
    for (int i = 0; i < 20; ++i) {
        auto peer = v4(60, 1, static_cast<std::uint8_t>(i), 7);
        auto port = static_cast<std::uint16_t>(20000 + 97 * i);
        f.send({client, peer, L4::udp, 28681, port, 0, gnutella_ping(static_cast<std::uint8_t>(i))});
        f.send({peer, client, L4::udp, port, 28681, 0, gnutella_ping(static_cast<std::uint8_t>(i + 100))});
    }
    auto r = f.analyzer.finish();
    const auto* h = host(r, "192.168.1.129");
    REQUIRE(h != nullptr);
    CHECK(h->verdict == Verdict::p2p);
    CHECK(h->p2p_peers == 20);
    CHECK(h->protocols == std::vector<std::string>{"Gnutella"});
    std::size_t flagged = 0;
    for (const auto& x : r.hosts) flagged += x.verdict != Verdict::clean ? 1 : 0;
    CHECK(flagged == 1);
    const auto* spoke = host(r, "60.1.3.7");
    REQUIRE(spoke != nullptr);
    CHECK(spoke->verdict == Verdict::clean);
    CHECK(spoke->peer_of == std::vector<std::string>{"192.168.1.129"});
    REQUIRE_FALSE(r.top_talkers.empty());
    CHECK(r.top_talkers[0].address.to_string() == "192.168.1.129");
    CHECK(r.top_talkers[0].share == Approx(1.0));
}

TEST_CASE("an isolated P2P pair flags both ends (the corpus eDonkey case)") {
    Feeder f(everything_local());
    auto a = v4(201, 15, 177, 227);
    auto b = v4(135, 192, 214, 240);
    Bytes ed = {0xE3};
    put32le(ed, 3);
    ed.push_back(0x01);
    ed.push_back(0x02);
    ed.push_back(0x03);
    f.send({a, b, L4::tcp, 1754, 7551, 0x18, ed});
    auto r = f.analyzer.finish();
    REQUIRE(host(r, "201.15.177.227") != nullptr);
    CHECK(host(r, "201.15.177.227")->verdict == Verdict::p2p);
    CHECK(host(r, "135.192.214.240")->verdict == Verdict::p2p);
    CHECK(host(r, "135.192.214.240")->protocols == std::vector<std::string>{"eDonkey"});
}

TEST_CASE("cache propagation: unknown flows from a proven {IP,port} count for the protocol") {
    Feeder f;
    auto lan = v4(10, 0, 2, 15);
    f.send({lan, v4(70, 1, 1, 1), L4::udp, 28681, 6346, 0, gnutella_ping(1)});
    for (int i = 0; i < 5; ++i) {
        f.send({lan, v4(70, 1, 2, static_cast<std::uint8_t>(i)), L4::udp, 28681, static_cast<std::uint16_t>(30000 + i), 0,
                bytes("opaque deflated payload")});
    }
    auto r = f.analyzer.finish();
    const auto* h = host(r, "10.0.2.15");
    REQUIRE(h != nullptr);
    CHECK(h->verdict == Verdict::p2p);
    CHECK(h->p2p_peers == 6);
    bool cache_row = false;
    for (const auto& e : h->evidence) {
        if (e.rule == "cache.endpoint") {
            cache_row = true;
            CHECK(e.flows == 5);
            CHECK(e.kind == "cache");
        }
    }
    CHECK(cache_row);
    CHECK(r.summary.p2p_flows == 6);
}

TEST_CASE("behaviour only: encrypted traffic to many peers over TCP and UDP makes a suspect, with confidence") {
    Feeder f;
    auto lan = v4(192, 168, 5, 5);
    for (int i = 0; i < 30; ++i) {
        auto peer = v4(90, 1, static_cast<std::uint8_t>(i), 9);
        auto peer_port = static_cast<std::uint16_t>(40000 + 13 * i);
        // Peers connect to our advertised TCP port 45682 and exchange random-looking data; UDP on the same port.
        f.send({peer, lan, L4::tcp, peer_port, 45682, 0x02, {}});
        f.send({lan, peer, L4::tcp, 45682, peer_port, 0x12, {}});
        f.send({peer, lan, L4::tcp, peer_port, 45682, 0x18, Bytes(96, static_cast<std::uint8_t>(0x9C + i))});
        f.send({lan, peer, L4::tcp, 45682, peer_port, 0x18, Bytes(120, static_cast<std::uint8_t>(0x3E + i))});
        f.send({lan, peer, L4::udp, 45682, peer_port, 0, Bytes(60, static_cast<std::uint8_t>(0x77 + i))});
        f.send({peer, lan, L4::udp, peer_port, 45682, 0, Bytes(80, static_cast<std::uint8_t>(0x55 + i))});
    }
    auto r = f.analyzer.finish();
    const auto* h = host(r, "192.168.5.5");
    REQUIRE(h != nullptr);
    CHECK(h->verdict == Verdict::suspect);
    CHECK(h->protocols.empty());
    CHECK(h->confidence >= 0.5);
    CHECK(h->confidence < 1.0);
    std::set<std::string> rules;
    for (const auto& e : h->evidence) rules.insert(e.rule);
    CHECK(rules.count("behaviour.ip_port") == 1);
    CHECK(rules.count("behaviour.tcp_udp_pairs") == 1);
    CHECK(rules.count("behaviour.fanout") == 1);
    REQUIRE_FALSE(r.diagnoses.empty());
    CHECK(r.diagnoses[0].code == "p2p_suspect");
    CHECK(r.diagnoses[0].confidence.has_value());
}

TEST_CASE("behaviour exclusions: a DNS resolver, a web server and a SYN scan stay clean") {
    Feeder f;
    auto resolver = v4(192, 168, 0, 53);
    auto web = v4(192, 168, 0, 80);
    auto scanner = v4(192, 168, 0, 66);
    for (int i = 0; i < 60; ++i) {
        auto client = v4(100, 2, static_cast<std::uint8_t>(i), 1);
        auto port = static_cast<std::uint16_t>(30000 + i);
        f.send({client, resolver, L4::udp, port, 53, 0, Bytes(40, 1)});
        f.send({resolver, client, L4::udp, 53, port, 0, Bytes(80, 2)});
        f.send({client, resolver, L4::tcp, port, 53, 0x18, Bytes(40, 1)});
        f.send({resolver, client, L4::tcp, 53, port, 0x18, Bytes(80, 2)});
        f.send({client, web, L4::tcp, port, 443, 0x18, Bytes(300, 3)});
        f.send({web, client, L4::tcp, 443, port, 0x18, Bytes(1200, 4)});
        f.send({client, web, L4::udp, port, 443, 0, Bytes(1200, 5)});
        f.send({web, client, L4::udp, 443, port, 0, Bytes(1200, 6)});
    }
    auto target = v4(192, 168, 0, 99);
    for (int p = 1000; p < 2000; ++p) {
        f.send({scanner, target, L4::tcp, 61000, static_cast<std::uint16_t>(p), 0x02, {}}, 0.0001);
        f.send({target, scanner, L4::tcp, static_cast<std::uint16_t>(p), 61000, 0x14, {}}, 0.0001);
    }
    auto r = f.analyzer.finish();
    CHECK_FALSE(r.any_flagged());
    for (const auto& h : r.hosts) CHECK(h.verdict == Verdict::clean);
}

TEST_CASE("the flow table is bounded: evictions and idle expiry are counted") {
    AnalyzerOptions o;
    o.limits.max_flows = 4;
    Feeder f(o);
    auto lan = v4(192, 168, 9, 9);
    for (int i = 0; i < 10; ++i) {
        f.send({lan, v4(8, 8, 4, static_cast<std::uint8_t>(i)), L4::udp, 40000, 40001, 0, bytes("x")});
    }
    f.send({lan, v4(8, 8, 4, 200), L4::udp, 40000, 40001, 0, bytes("late")}, 100.0);  // 100 s later: idle > 64 s
    auto r = f.analyzer.finish();
    CHECK(r.summary.flows == 11);
    CHECK(r.summary.flows_evicted == 6);
    CHECK(r.summary.flows_expired == 4);
    CHECK(r.summary.flows_active == 1);
    bool reported = false;
    for (const auto& d : r.diagnoses) reported = reported || d.code == "tables_full";
    CHECK(reported);
}

TEST_CASE("IPv6 uTP between two hosts is BitTorrent after two consistent packets") {
    Feeder f(everything_local());
    auto a = v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1});
    auto b = v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 2});
    f.send({a, b, L4::udp, 6881, 51000, 0, hex("41 00 1234 00000001 00000000 00100000 0001 0000")});
    auto r1 = f.analyzer.report();
    CHECK_FALSE(r1.any_flagged());  // one packet is not enough
    f.send({b, a, L4::udp, 51000, 6881, 0, hex("21 00 1234 00000002 00000001 00100000 0005 0001")});
    auto r = f.analyzer.finish();
    const auto* h = host(r, "2001:db8::1");
    REQUIRE(h != nullptr);
    CHECK(h->verdict == Verdict::p2p);
    CHECK(h->evidence[0].rule == "bittorrent.utp");
}

TEST_CASE("frames that are not IP, cut short or of an unknown link type are counted and skipped") {
    Feeder f;
    Analyzer& a = f.analyzer;
    Bytes arp = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06};
    arp.resize(42, 0);
    a.add_frame(1, std::chrono::nanoseconds(1), 1, arp, 42);
    auto full = frame({v4(10, 0, 0, 1), v4(10, 0, 0, 2), L4::tcp, 1234, 6881, 0x18, bt_handshake()});
    Bytes cut(full.begin(), full.begin() + 30);  // ends inside the IPv4 header
    a.add_frame(2, std::chrono::nanoseconds(2), 1, cut, static_cast<std::uint32_t>(full.size()));
    a.add_frame(3, std::chrono::nanoseconds(3), 147, full, static_cast<std::uint32_t>(full.size()));
    Bytes bad_version = full;
    bad_version[14] = 0x75;
    a.add_frame(4, std::chrono::nanoseconds(4), 1, bad_version, static_cast<std::uint32_t>(full.size()));
    a.add_frame(5, std::chrono::nanoseconds(5), 1, {}, 0);
    auto r = a.finish();
    CHECK(r.summary.packets == 5);
    CHECK(r.summary.skipped.not_ip == 1);
    CHECK(r.summary.skipped.truncated >= 1);
    CHECK(r.summary.skipped.unsupported_link == 1);
    CHECK(r.summary.skipped.total() == 5);
    CHECK_FALSE(r.any_flagged());
    bool diag = false;
    for (const auto& d : r.diagnoses) diag = diag || d.code == "packets_skipped";
    CHECK(diag);
}

TEST_CASE("JSON has the documented shape") {
    Inventory inv = *parse_inventory("192.168.1.10,Alice,alice-pc,laptop\n", "hosts.csv");
    AnalyzerOptions o;
    o.inventory = &inv;
    Feeder g(o);
    g.send({v4(192, 168, 1, 10), v4(81, 2, 3, 4), L4::tcp, 50123, 51413, 0x18, bt_handshake()});
    nlohmann::json j = g.analyzer.finish();
    REQUIRE(j["hosts"].is_array());
    auto& h = j["hosts"][0];
    CHECK(h["address"] == "192.168.1.10");
    CHECK(h["verdict"] == "p2p");
    CHECK(h["confidence"].is_number());
    CHECK(h["protocols"][0] == "BitTorrent");
    CHECK(h["peers"]["distinct"] == 1);
    CHECK(h["peers"]["p2p"] == 1);
    CHECK(h["bytes"]["sent"].is_number());
    CHECK(h["bytes"]["received"] == 0);
    CHECK(h["packets"]["sent"] == 1);
    CHECK(h["owner"]["owner"] == "Alice");
    CHECK(h["owner"]["host_name"] == "alice-pc");
    CHECK(h["evidence"][0]["rule"] == "bittorrent.handshake");
    CHECK(h["evidence"][0]["packets"][0] == 1);
    bool owner_listed = false;
    for (const auto& t : j["top_talkers"]) {
        if (t["address"] == "192.168.1.10") owner_listed = t["owner"] == "Alice";
    }
    CHECK(owner_listed);
    for (const char* key : {"packets", "bytes", "flows", "duration", "skipped", "malformed", "flows_evicted"}) {
        CHECK(j["summary"].contains(key));
    }
    CHECK(j["diagnoses"][0]["code"] == "p2p_host");
}

TEST_CASE("capture files: written, truncated, snaplen-cut, corrupted, not a capture") {
    nettool::test::TempDir dir;
    auto lan = v4(192, 168, 1, 10);
    auto peer = v4(81, 2, 3, 4);
    std::vector<Record> records;
    double t = 1'700'000'000.0;
    records.push_back({t, frame({lan, peer, L4::tcp, 50123, 51413, 0x02, {}}), 0});
    records.push_back({t + 0.1, frame({lan, peer, L4::tcp, 50123, 51413, 0x18, bt_handshake()}), 0});
    for (int i = 0; i < 50; ++i) {
        records.push_back({t + 0.2 + i * 0.01, frame({peer, lan, L4::tcp, 51413, 50123, 0x18, Bytes(500, 0x42)}), 0});
    }
    auto good = (dir.path() / "good.pcap").string();
    write_pcap(good, records);

    P2pRequest request;
    request.files = {good};
    auto r = run_p2p(request);
    REQUIRE(r);
    CHECK(r->summary.packets == 52);
    CHECK(r->any_flagged());
    REQUIRE(r->summary.sources.size() == 1);
    CHECK_FALSE(r->summary.sources[0].truncated);

    SECTION("truncated in the middle of a record: the packets before the cut still count") {
        auto contents = nettool::test::read_file(good);
        auto cut = (dir.path() / "cut.pcap").string();
        nettool::test::write_file(cut, contents.substr(0, contents.size() - 300));
        P2pRequest q;
        q.files = {cut};
        auto rc = run_p2p(q);
        REQUIRE(rc);
        CHECK(rc->summary.packets == 51);
        CHECK(rc->summary.sources[0].truncated);
        CHECK(rc->any_flagged());
        bool diag = false;
        for (const auto& d : rc->diagnoses) diag = diag || d.code == "capture_truncated";
        CHECK(diag);
    }
    SECTION("snaplen-cut packets: headers decode, payloads are short, nothing crashes") {
        std::vector<Record> cut_records;
        for (const auto& rec : records) {
            Record c = rec;
            c.wire_length = static_cast<std::uint32_t>(rec.data.size());
            if (c.data.size() > 60) c.data.resize(60);
            cut_records.push_back(c);
        }
        auto path = (dir.path() / "snap.pcap").string();
        write_pcap(path, cut_records, 1, 60);
        P2pRequest q;
        q.files = {path};
        auto rs = run_p2p(q);
        REQUIRE(rs);
        CHECK(rs->summary.packets == 52);
        CHECK(rs->summary.ip_packets == 52);
        // 60 bytes hold Ethernet + IPv4 + TCP and 6 payload bytes: not enough for the 20-byte handshake.
        CHECK_FALSE(rs->any_flagged());
        CHECK(rs->summary.bytes > 52 * 60);
    }
    SECTION("an odd link type is counted, not decoded") {
        auto path = (dir.path() / "user0.pcap").string();
        write_pcap(path, records, 147);
        P2pRequest q;
        q.files = {path};
        auto ro = run_p2p(q);
        REQUIRE(ro);
        CHECK(ro->summary.skipped.unsupported_link == 52);
        CHECK_FALSE(ro->any_flagged());
    }
    SECTION("random corruption never crashes and never loses the count") {
        auto contents = nettool::test::read_file(good);
        std::mt19937 rng(7);
        for (int round = 0; round < 20; ++round) {
            std::string damaged = contents;
            std::uniform_int_distribution<std::size_t> pos(24, damaged.size() - 1);
            for (int k = 0; k < 40; ++k) damaged[pos(rng)] = static_cast<char>(rng());
            auto path = (dir.path() / "damaged.pcap").string();
            nettool::test::write_file(path, damaged);
            P2pRequest q;
            q.files = {path};
            auto rd = run_p2p(q);
            if (rd) {
                CHECK(rd->summary.packets <= 52);
            } else {
                CHECK(rd.error().kind == ErrorKind::input);
            }
        }
    }
    SECTION("not a capture, or missing: input errors") {
        auto path = (dir.path() / "text.pcap").string();
        nettool::test::write_file(path, "this is not a capture file at all\n");
        P2pRequest q;
        q.files = {path};
        auto rt = run_p2p(q);
        REQUIRE_FALSE(rt);
        CHECK(rt.error().kind == ErrorKind::input);
        q.files = {(dir.path() / "missing.pcap").string()};
        auto rm = run_p2p(q);
        REQUIRE_FALSE(rm);
        CHECK(rm.error().kind == ErrorKind::input);
    }
    SECTION("two files: packet numbers continue, -c stops early") {
        P2pRequest q;
        q.files = {good, good};
        q.max_packets = 60;
        auto r2 = run_p2p(q);
        REQUIRE(r2);
        CHECK(r2->summary.packets == 60);
        CHECK(r2->summary.sources.size() == 2);
    }
    SECTION("bad --local and --top are usage errors") {
        P2pRequest q;
        q.files = {good};
        q.local = {"192.168.1.0/33"};
        auto rl = run_p2p(q);
        REQUIRE_FALSE(rl);
        CHECK(rl.error().kind == ErrorKind::usage);
        q.local = {};
        q.top = 0;
        CHECK_FALSE(run_p2p(q));
    }
}
