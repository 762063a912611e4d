// The signature table row by row: each rule on a well-formed message, on near misses, and on hostile input.
#include "frames.hpp"

#include "nettool/p2p/signatures.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <set>
#include <string>

using namespace nettool::p2p;
using p2ptest::Bytes;
using p2ptest::bytes;
using p2ptest::hex;

namespace {

const Signature* proof(Transport t, const Bytes& payload, std::uint16_t sport = 40000, std::uint16_t dport = 50000,
                       std::uint32_t wire_length = 0) {
    PayloadInfo info;
    info.transport = t;
    info.src_port = sport;
    info.dst_port = dport;
    info.payload = payload;
    info.wire_length = wire_length != 0 ? wire_length : static_cast<std::uint32_t>(payload.size());
    return match_payload_proof(info);
}

std::string rule(Transport t, const Bytes& payload, std::uint32_t wire_length = 0) {
    const auto* s = proof(t, payload, 40000, 50000, wire_length);
    return s == nullptr ? "" : s->id;
}

Bytes bt_handshake() {
    Bytes b = {19};
    auto p = bytes("BitTorrent protocol");
    b.insert(b.end(), p.begin(), p.end());
    b.insert(b.end(), 8, 0);
    b.insert(b.end(), 20, 0xAB);
    auto id = bytes("-TR3000-123456789012");
    b.insert(b.end(), id.begin(), id.end());
    return b;
}

Bytes dht_query() {
    std::string s = "d1:ad2:id20:" + std::string(20, 'x') + "6:target20:" + std::string(20, 'y') +
                    "e1:q9:find_node1:t2:aa1:y1:qe";
    return bytes(s);
}

Bytes gnutella_ping(std::uint8_t type = 0x00, std::uint32_t length = 0) {
    Bytes b(16, 0x42);
    b.push_back(type);
    b.push_back(1);  // ttl
    b.push_back(0);  // hops
    p2ptest::put32le(b, length);
    b.insert(b.end(), length, 0x11);
    return b;
}

void rc4(const std::uint8_t* key, std::size_t key_length, std::uint8_t* data, std::size_t n) {
    std::array<std::uint8_t, 256> s{};
    for (int k = 0; k < 256; ++k) s[k] = static_cast<std::uint8_t>(k);
    std::uint8_t j = 0;
    for (int k = 0; k < 256; ++k) {
        j = static_cast<std::uint8_t>(j + s[k] + key[k % key_length]);
        std::swap(s[k], s[j]);
    }
    std::uint8_t a = 0;
    std::uint8_t b = 0;
    for (std::size_t k = 0; k < n; ++k) {
        a = static_cast<std::uint8_t>(a + 1);
        b = static_cast<std::uint8_t>(b + s[a]);
        std::swap(s[a], s[b]);
        data[k] ^= s[static_cast<std::uint8_t>(s[a] + s[b])];
    }
}

}  // namespace

TEST_CASE("the table has unique ids, proofs before hints, and sane strengths") {
    std::set<std::string> ids;
    bool seen_hint = false;
    for (const auto& row : signature_table()) {
        CHECK(ids.insert(row.id).second);
        CHECK(row.strength > 0);
        CHECK(row.strength <= 100);
        CHECK(row.min_packets >= 1);
        CHECK(std::string(row.description).size() > 10);
        if (row.kind == SignatureKind::port_hint) seen_hint = true;
        if (seen_hint) CHECK(row.kind == SignatureKind::port_hint);
        if (row.kind == SignatureKind::port_hint) CHECK(row.strength < 50);
    }
    CHECK(ids.size() > 25);
    CHECK(std::string(to_string(Protocol::gnutella)) == "Gnutella");
    CHECK(std::string(to_string(Protocol::edonkey)) == "eDonkey");
}

TEST_CASE("BitTorrent: handshake, trackers, DHT, LSD, extension messages") {
    CHECK(rule(Transport::tcp, bt_handshake()) == "bittorrent.handshake");
    auto broken = bt_handshake();
    broken[5] = 'x';
    CHECK(rule(Transport::tcp, broken).empty());
    auto full = bt_handshake();
    CHECK(rule(Transport::tcp, Bytes(full.begin(), full.begin() + 12)).empty());

    CHECK(rule(Transport::tcp, bytes("GET /announce?info_hash=%8a%01&peer_id=-TR2940-abcdefabcdef&port=51413 "
                                     "HTTP/1.1\r\nHost: tracker\r\n\r\n")) == "bittorrent.tracker_http");
    CHECK(rule(Transport::tcp, bytes("GET /index.html?info=1 HTTP/1.1\r\n\r\n")).empty());
    CHECK(rule(Transport::tcp, bytes("GET /x HTTP/1.1\r\nReferer: /announce?info_hash=1&peer_id=2\r\n\r\n")).empty());

    CHECK(rule(Transport::udp, hex("0000041727101980 00000000 12345678")) == "bittorrent.tracker_udp");
    CHECK(rule(Transport::udp, hex("0000041727101980 00000001 12345678")).empty());

    CHECK(rule(Transport::udp, dht_query()) == "bittorrent.dht");
    CHECK(rule(Transport::udp, bytes("d1:rd2:id20:" + std::string(20, 'z') + "e1:t2:aa1:y1:re")) == "bittorrent.dht");
    CHECK(rule(Transport::udp, bytes("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee")) == "bittorrent.dht");
    // Bencoded but not KRPC; KRPC keys but broken bencode.
    CHECK(rule(Transport::udp, bytes("d3:foo3:bare")).empty());
    CHECK(rule(Transport::udp, bytes("d1:ad2:id20:short")).empty());
    // Cut by snaplen: the fixed opening still counts.
    auto dht = dht_query();
    CHECK(rule(Transport::udp, Bytes(dht.begin(), dht.begin() + 40), static_cast<std::uint32_t>(dht.size())) ==
          "bittorrent.dht");

    CHECK(rule(Transport::udp, bytes("BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\n\r\n")) ==
          "bittorrent.lsd");

    Bytes ltep = {0, 0, 0, 30, 20, 0};
    auto dict = bytes("d1:md11:ut_metadatai1eee");
    ltep.insert(ltep.end(), dict.begin(), dict.end());
    CHECK(rule(Transport::tcp, ltep) == "bittorrent.extension");
    Bytes pex = {0, 0, 0, 30, 20, 1};
    auto added = bytes("d5:added6:abcdef7:added.f1:\x01e");
    pex.insert(pex.end(), added.begin(), added.end());
    CHECK(rule(Transport::tcp, pex) == "bittorrent.extension");
    Bytes not_ext = {0, 0, 0, 30, 7, 0, 'd', '1', ':', 'm', 'x', 'x'};
    CHECK(rule(Transport::tcp, not_ext).empty());
}

TEST_CASE("uTP headers: valid types, extension chains, and the STUN/WireGuard look-alikes") {
    auto syn = hex("41 00 1234 00000001 00000000 00100000 0001 0000");
    auto h = parse_utp_header(syn, 20);
    REQUIRE(h);
    CHECK(h->type == 4);
    CHECK(h->connection_id == 0x1234);
    CHECK(h->header_length == 20);
    CHECK_FALSE(parse_utp_header(syn, 24));  // SYN carries no data

    auto data = hex("01 00 1235 00000002 00000010 00100000 0002 0001 aabbccdd");
    REQUIRE(parse_utp_header(data, static_cast<std::uint32_t>(data.size())));
    auto no_data = hex("01 00 1235 00000002 00000010 00100000 0002 0001");
    CHECK_FALSE(parse_utp_header(no_data, 20));

    auto sack = hex("21 01 1235 00000002 00000010 00100000 0002 0001 00 04 ffffffff");
    auto hs = parse_utp_header(sack, static_cast<std::uint32_t>(sack.size()));
    REQUIRE(hs);
    CHECK(hs->header_length == 26);
    auto bad_sack = hex("21 01 1235 00000002 00000010 00100000 0002 0001 00 03 ffffff");
    CHECK_FALSE(parse_utp_header(bad_sack, static_cast<std::uint32_t>(bad_sack.size())));
    auto loop = hex("21 01 1235 00000002 00000010 00100000 0002 0001 01 04 ffffffff");  // chain runs off the end
    CHECK_FALSE(parse_utp_header(loop, static_cast<std::uint32_t>(loop.size())));

    CHECK_FALSE(parse_utp_header(hex("42 00 1234 00000001 00000000 00100000 0001 0000"), 20));  // version 2
    CHECK_FALSE(parse_utp_header(hex("51 00 1234 00000001 00000000 00100000 0001 0000"), 20));  // type 5
    // STUN binding success (0x0101 + magic cookie) and WireGuard initiation (01 00 00 00).
    auto stun = hex("0101 0020 2112a442 000102030405060708090a0b 0020 0008 0001 1234 5678 9abc");
    CHECK_FALSE(parse_utp_header(stun, static_cast<std::uint32_t>(stun.size())));
    Bytes wireguard = hex("01000000 11223344");
    wireguard.resize(148, 0x5A);
    CHECK_FALSE(parse_utp_header(wireguard, 148));

    Bytes utp_hs = data;
    utp_hs.resize(20);
    auto hsk = bt_handshake();
    utp_hs.insert(utp_hs.end(), hsk.begin(), hsk.end());
    CHECK(rule(Transport::udp, utp_hs) == "bittorrent.utp_handshake");
    CHECK(rule(Transport::udp, data) == "bittorrent.utp");
}

TEST_CASE("Gnutella: handshake, HTTP transfers, UDP messages and G2") {
    CHECK(rule(Transport::tcp, bytes("GNUTELLA CONNECT/0.6\r\nUser-Agent: LimeWire/5\r\n\r\n")) == "gnutella.handshake");
    CHECK(rule(Transport::tcp, bytes("GNUTELLA/0.6 200 OK\r\n\r\n")) == "gnutella.handshake");
    CHECK(rule(Transport::tcp, bytes("GNUTELLA CONNEC")).empty());
    CHECK(rule(Transport::tcp, bytes("GIV 12:0123456789abcdef0123456789abcdef/song.mp3\n\n")) == "gnutella.http");
    CHECK(rule(Transport::tcp, bytes("GIV x:abc")).empty());
    CHECK(rule(Transport::tcp, bytes("GET /uri-res/N2R?urn:sha1:PLSTHIPQGSSZTS5FJUPAKUZWUGYQYPFB HTTP/1.1\r\n\r\n")) ==
          "gnutella.http");
    CHECK(rule(Transport::tcp, bytes("GET /get/1/x.mp3 HTTP/1.1\r\nX-Queue: 0.1\r\n\r\n")) == "gnutella.http");
    CHECK(rule(Transport::tcp, bytes("GET /get/1/x.mp3 HTTP/1.1\r\nHost: example\r\n\r\n")).empty());

    CHECK(rule(Transport::udp, gnutella_ping()) == "gnutella.message");
    CHECK(rule(Transport::udp, gnutella_ping(0x81, 40)) == "gnutella.message");
    CHECK(rule(Transport::udp, gnutella_ping(0x99, 0)).empty());  // unknown descriptor
    auto wrong_length = gnutella_ping(0x80, 10);
    wrong_length.push_back(0);
    CHECK(rule(Transport::udp, wrong_length).empty());
    auto hops = gnutella_ping();
    hops[17] = 200;
    CHECK(rule(Transport::udp, hops).empty());
    CHECK(is_gnutella_message(gnutella_ping(0x40, 26), 49));

    CHECK(rule(Transport::udp, hex("474e44 02 0001 01 01 48656c6c6f")) == "gnutella.g2");
    CHECK(rule(Transport::udp, hex("474e44 02 0001 03 01 48656c6c6f")).empty());  // part > count
    CHECK(rule(Transport::udp, hex("474e44 02 0001 00 01 48656c6c6f")).empty());  // part 0
}

TEST_CASE("eDonkey/eMule TCP, eDonkey/Kad UDP, Soulseek, DirectConnect, FastTrack, Ares") {
    Bytes ed = {0xE3};
    p2ptest::put32le(ed, 6);
    Bytes body = {0x01, 0x10, 0x20, 0x30, 0x40, 0x50};
    ed.insert(ed.end(), body.begin(), body.end());
    CHECK(rule(Transport::tcp, ed) == "edonkey.tcp");
    ed[0] = 0xD4;
    CHECK(rule(Transport::tcp, ed) == "edonkey.tcp");
    ed[0] = 0xE5;
    CHECK(rule(Transport::tcp, ed).empty());
    ed[0] = 0xE3;
    ed.push_back(0);  // length no longer matches
    CHECK(rule(Transport::tcp, ed).empty());

    CHECK(rule(Transport::udp, hex("e396 11223344")) == "edonkey.udp");
    CHECK(rule(Transport::udp, hex("e396 1122334455")).empty());
    Bytes kad(27, 0x33);
    kad[0] = 0xE4;
    kad[1] = 0x00;
    kad[26] = 0;
    CHECK(rule(Transport::udp, kad) == "edonkey.udp");
    kad[26] = 1;
    CHECK(rule(Transport::udp, kad).empty());

    // Soulseek peer init: length, code 1, user name, type "P", token.
    Bytes slsk;
    Bytes inner = {0x01};
    p2ptest::put32le(inner, 5);
    auto user = bytes("alice");
    inner.insert(inner.end(), user.begin(), user.end());
    p2ptest::put32le(inner, 1);
    inner.push_back('P');
    p2ptest::put32le(inner, 77);
    p2ptest::put32le(slsk, static_cast<std::uint32_t>(inner.size()));
    slsk.insert(slsk.end(), inner.begin(), inner.end());
    CHECK(rule(Transport::tcp, slsk) == "soulseek.message");
    slsk[slsk.size() - 5] = 'Q';
    CHECK(rule(Transport::tcp, slsk).empty());

    CHECK(rule(Transport::tcp, bytes("$MyNick alice|$Lock EXTENDEDPROTOCOLabc Pk=DCPLUSPLUS0.868|")) ==
          "directconnect.command");
    CHECK(rule(Transport::tcp, bytes("$MyNick alice")).empty());  // no command terminator
    CHECK(rule(Transport::tcp, bytes("HSUP ADBASE ADTIGR\n")) == "directconnect.command");
    CHECK(rule(Transport::tcp, bytes("GET /.hash=1234abcd HTTP/1.1\r\n\r\n")) == "fasttrack.http");
    CHECK(rule(Transport::tcp, bytes("HTTP/1.1 200 OK\r\nX-Kazaa-Username: bob\r\n\r\n")) == "fasttrack.http");
    CHECK(rule(Transport::tcp, hex("03005a040305")) == "ares.handshake");
    CHECK(rule(Transport::tcp, hex("03005a04030506")).empty());
}

TEST_CASE("PPStream, Kontiki and Winny") {
    Bytes pps = hex("6c0044b171225028 3ac766e736000001 0003000000c0a873");
    pps.resize(108, 0x20);
    CHECK(rule(Transport::udp, pps) == "ppstream.udp");
    pps[4] = 0x70;
    CHECK(rule(Transport::udp, pps).empty());

    CHECK(rule(Transport::udp, hex("020502004f4b588b3f7ae1cd000004e402040100")) == "kontiki.kdp");
    CHECK(rule(Transport::udp, hex("02042400b889c72a9d7d1bab906bf172")) == "kontiki.kdp");
    CHECK(rule(Transport::udp, hex("02010100")) == "kontiki.keepalive");
    CHECK(rule(Transport::udp, hex("020502004f4b588b3f7ae1cd000004e402040101")).empty());

    Bytes winny = {0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x00, 0x00, 0x00, 0x61};
    rc4(winny.data() + 2, 4, winny.data() + 6, 5);
    CHECK(is_winny_handshake(winny, 11));
    CHECK(rule(Transport::tcp, winny) == "winny.handshake");
    winny[3] ^= 1;
    CHECK_FALSE(is_winny_handshake(winny, 11));
    CHECK_FALSE(is_winny_handshake(winny, 12));
}

TEST_CASE("port hints are hints") {
    const auto* hint = match_port_hint(Transport::tcp, 51000, 6346);
    REQUIRE(hint != nullptr);
    CHECK(std::string(hint->id) == "gnutella.port");
    CHECK(hint->kind == SignatureKind::port_hint);
    REQUIRE(match_port_hint(Transport::udp, 6881, 40000) != nullptr);
    CHECK(match_port_hint(Transport::tcp, 443, 50000) == nullptr);
    // A payload on port 6346 that is not Gnutella is not proof.
    CHECK(proof(Transport::tcp, bytes("hello world"), 50000, 6346) == nullptr);
}

TEST_CASE("bencode: nesting bombs, huge lengths and trailing bytes are rejected without crashing") {
    CHECK(is_bencoded_value(bytes("d3:cow3:moo4:spam4:eggse")));
    CHECK(is_bencoded_value(bytes("li-42ei0e4:spame")));
    CHECK_FALSE(is_bencoded_value(bytes("d3:cow3:mooe trailing")));
    CHECK_FALSE(is_bencoded_value(bytes("999999999999:abc")));
    CHECK_FALSE(is_bencoded_value(bytes("4294967296:abc")));
    CHECK_FALSE(is_bencoded_value(bytes("i12")));
    CHECK_FALSE(is_bencoded_value(bytes("ie")));
    CHECK_FALSE(is_bencoded_value(bytes("di1ei2ee")));  // integer key
    std::string bomb(100000, 'l');
    CHECK_FALSE(is_bencoded_value(bytes(bomb)));
    std::string deep = std::string(30, 'l') + std::string(30, 'e');
    CHECK(is_bencoded_value(bytes(deep)));
    CHECK_FALSE(is_dht_krpc(bytes("d1:t2:aa1:y1:qe")));  // query without q/a
    CHECK_FALSE(is_dht_krpc({}));
}

TEST_CASE("random payloads never crash the matchers and almost never match") {
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 300);
    int matches = 0;
    const int rounds = 20000;
    for (int i = 0; i < rounds; ++i) {
        Bytes payload(static_cast<std::size_t>(length(rng)));
        for (auto& b : payload) b = static_cast<std::uint8_t>(byte(rng));
        auto wire = static_cast<std::uint32_t>(payload.size() + (i % 3 == 0 ? 100 : 0));
        for (auto t : {Transport::tcp, Transport::udp}) {
            const auto* s = proof(t, payload, 40000, 50000, wire);
            if (s != nullptr && s->min_packets == 1) ++matches;
        }
        parse_utp_header(payload, wire);
        is_bencoded_value(payload);
    }
    CHECK(matches <= rounds / 1000);
}
