// The pure ICMP/ICMPv6 parser and builder on hand-made bytes: good messages, errors quoting our requests, and
// malformed or hostile input (every truncation, random bytes) that must give a status, never a crash.
#include "nettool/io/icmp.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using namespace nettool;
using Bytes = std::vector<std::uint8_t>;

namespace {

void put16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v & 0xFF);
}

void fix_icmp_checksum(Bytes& b, std::size_t icmp_at) {
    b[icmp_at + 2] = 0;
    b[icmp_at + 3] = 0;
    auto sum = internet_checksum(std::span<const std::uint8_t>(b).subspan(icmp_at));
    put16(b, icmp_at + 2, sum);
}

// IPv4 header (20 bytes, protocol ICMP unless given) followed by `payload`.
Bytes ipv4(const Bytes& payload, std::uint8_t ttl, std::array<std::uint8_t, 4> src, std::array<std::uint8_t, 4> dst,
           std::uint8_t protocol = 1) {
    // Sized up front and copied: GCC 12 -O2 warns falsely (array-bounds) on vector::insert here.
    Bytes b(20 + payload.size());
    std::copy(payload.begin(), payload.end(), b.begin() + 20);
    b[0] = 0x45;
    put16(b, 2, static_cast<std::uint16_t>(20 + payload.size()));
    b[8] = ttl;
    b[9] = protocol;
    for (int i = 0; i < 4; ++i) {
        b[12 + i] = src[i];
        b[16 + i] = dst[i];
    }
    return b;
}

Bytes ipv6(const Bytes& payload, std::uint8_t next, std::uint8_t hop_limit, std::uint8_t src_last,
           std::uint8_t dst_last) {
    Bytes b(40 + payload.size());
    std::copy(payload.begin(), payload.end(), b.begin() + 40);
    b[0] = 0x60;
    put16(b, 4, static_cast<std::uint16_t>(payload.size()));
    b[6] = next;
    b[7] = hop_limit;
    b[8] = 0xfd;
    b[23] = src_last;
    b[24] = 0xfd;
    b[39] = dst_last;
    return b;
}

Bytes echo(IpFamily family, std::uint16_t id, std::uint16_t seq, std::size_t data = 8) {
    Bytes payload(data);
    for (std::size_t i = 0; i < data; ++i) payload[i] = static_cast<std::uint8_t>(i);
    return build_echo_request(family, id, seq, payload);
}

// An ICMP error of type/code quoting `quoted` (IPv4 checksum filled in).
Bytes icmp_error(std::uint8_t type, std::uint8_t code, const Bytes& quoted, std::uint32_t rest = 0,
                 bool v4 = true) {
    Bytes b(8 + quoted.size());
    std::copy(quoted.begin(), quoted.end(), b.begin() + 8);
    b[0] = type;
    b[1] = code;
    b[4] = static_cast<std::uint8_t>(rest >> 24);
    b[5] = static_cast<std::uint8_t>(rest >> 16);
    b[6] = static_cast<std::uint8_t>(rest >> 8);
    b[7] = static_cast<std::uint8_t>(rest);
    if (v4) fix_icmp_checksum(b, 0);
    return b;
}

IcmpParseOptions raw_v4() {
    IcmpParseOptions o;
    o.with_ip_header = true;
    return o;
}

}  // namespace

TEST_CASE("internet_checksum matches the RFC 1071 example and folds odd lengths") {
    Bytes rfc = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK(internet_checksum(rfc) == 0x220d);
    Bytes odd = {0xff};
    CHECK(internet_checksum(odd) == 0x00ff);
    CHECK(internet_checksum(Bytes{}) == 0xffff);
}

TEST_CASE("build_echo_request lays out type, identifier, sequence and a valid IPv4 checksum") {
    Bytes payload = {1, 2, 3};
    auto v4 = build_echo_request(IpFamily::v4, 0xBEEF, 0x0102, payload);
    REQUIRE(v4.size() == 11);
    CHECK(v4[0] == 8);
    CHECK(v4[1] == 0);
    CHECK(v4[4] == 0xBE);
    CHECK(v4[5] == 0xEF);
    CHECK(v4[6] == 0x01);
    CHECK(v4[7] == 0x02);
    CHECK(internet_checksum(v4) == 0);
    auto v6 = build_echo_request(IpFamily::v6, 7, 9, payload);
    CHECK(v6[0] == 128);
    CHECK(v6[2] == 0);  // the kernel fills the ICMPv6 checksum
    CHECK(v6[3] == 0);
}

TEST_CASE("IPv4 echo reply from a datagram socket (no IP header)") {
    auto bytes = echo(IpFamily::v4, 0x1234, 7, 56);
    bytes[0] = 0;  // reply
    fix_icmp_checksum(bytes, 0);
    auto m = parse_icmp_message(bytes, IpFamily::v4);
    REQUIRE(m.status == IcmpParseStatus::ok);
    CHECK(m.kind == IcmpMessageKind::echo_reply);
    CHECK(m.identifier == 0x1234);
    CHECK(m.sequence == 7);
    CHECK(m.icmp_length == 64);
    CHECK(m.echo_data.size() == 56);
    CHECK(m.echo_data[5] == 5);
    CHECK_FALSE(m.has_ip_header);
    CHECK(m.ttl == -1);
    CHECK_FALSE(m.quoted_echo.has_value());
}

TEST_CASE("IPv4 echo reply from a raw socket carries TTL and addresses") {
    auto icmp = echo(IpFamily::v4, 42, 3);
    icmp[0] = 0;
    fix_icmp_checksum(icmp, 0);
    auto bytes = ipv4(icmp, 63, {10, 201, 1, 2}, {10, 201, 1, 1});
    auto m = parse_icmp_message(bytes, IpFamily::v4, raw_v4());
    REQUIRE(m.status == IcmpParseStatus::ok);
    CHECK(m.has_ip_header);
    CHECK(m.ttl == 63);
    CHECK(m.source.to_string() == "10.201.1.2");
    CHECK(m.destination.to_string() == "10.201.1.1");
    CHECK(m.identifier == 42);
    CHECK(m.sequence == 3);
    CHECK(m.icmp_length == 16);
}

TEST_CASE("IPv4 raw: bytes after the declared total length are not ICMP") {
    auto icmp = echo(IpFamily::v4, 1, 1);
    icmp[0] = 0;
    fix_icmp_checksum(icmp, 0);
    auto bytes = ipv4(icmp, 64, {127, 0, 0, 1}, {127, 0, 0, 1});
    bytes.push_back(0xAA);  // trailing junk (e.g. Ethernet padding)
    auto m = parse_icmp_message(bytes, IpFamily::v4, raw_v4());
    REQUIRE(m.status == IcmpParseStatus::ok);
    CHECK(m.icmp_length == 16);
}

TEST_CASE("IPv4 checksum errors are reported, and can be skipped for quoted copies") {
    auto bytes = echo(IpFamily::v4, 1, 1);
    bytes[0] = 0;
    fix_icmp_checksum(bytes, 0);
    bytes[10] ^= 0xFF;
    auto bad = parse_icmp_message(bytes, IpFamily::v4);
    CHECK(bad.status == IcmpParseStatus::bad_checksum);
    CHECK_FALSE(bad.error.empty());
    IcmpParseOptions lenient;
    lenient.verify_checksum = false;
    CHECK(parse_icmp_message(bytes, IpFamily::v4, lenient).status == IcmpParseStatus::ok);
    // ICMPv6 checksums cover a pseudo header: never judged here.
    auto v6 = echo(IpFamily::v6, 1, 1);
    v6[0] = 129;
    v6[2] = 0x12;
    CHECK(parse_icmp_message(v6, IpFamily::v6).status == IcmpParseStatus::ok);
}

TEST_CASE("IPv4 destination unreachable quoting our echo request") {
    auto request = echo(IpFamily::v4, 0xABCD, 0x0203);
    auto quoted = ipv4(request, 1, {10, 201, 1, 1}, {10, 201, 9, 9});
    auto error = icmp_error(3, 1, quoted);
    auto bytes = ipv4(error, 64, {10, 201, 1, 254}, {10, 201, 1, 1});
    auto m = parse_icmp_message(bytes, IpFamily::v4, raw_v4());
    REQUIRE(m.status == IcmpParseStatus::ok);
    CHECK(m.kind == IcmpMessageKind::destination_unreachable);
    CHECK(m.code == 1);
    CHECK(m.source.to_string() == "10.201.1.254");
    REQUIRE(m.quoted_echo.has_value());
    CHECK(m.quoted_echo->destination.to_string() == "10.201.9.9");
    CHECK(m.quoted_echo->source.to_string() == "10.201.1.1");
    CHECK(m.quoted_echo->identifier == 0xABCD);
    CHECK(m.quoted_echo->sequence == 0x0203);
    CHECK(echo_status_for(IpFamily::v4, m.type, m.code) == EchoStatus::unreachable);
    CHECK(describe_icmp(IpFamily::v4, 3, 1) == "Destination Host Unreachable");
}

TEST_CASE("IPv4 errors: only the 8 quoted ICMP bytes are needed; frag-needed MTU; time exceeded") {
    auto request = echo(IpFamily::v4, 5, 6, 0);  // just the header, as old routers quote
    auto quoted = ipv4(request, 1, {10, 0, 0, 1}, {10, 0, 0, 2});
    auto frag = parse_icmp_message(icmp_error(3, 4, quoted, 1400), IpFamily::v4);
    REQUIRE(frag.status == IcmpParseStatus::ok);
    CHECK(frag.mtu == 1400);
    REQUIRE(frag.quoted_echo.has_value());
    CHECK(frag.quoted_echo->sequence == 6);
    auto ttl = parse_icmp_message(icmp_error(11, 0, quoted), IpFamily::v4);
    REQUIRE(ttl.status == IcmpParseStatus::ok);
    CHECK(ttl.kind == IcmpMessageKind::time_exceeded);
    CHECK(echo_status_for(IpFamily::v4, 11, 0) == EchoStatus::time_exceeded);
    CHECK(describe_icmp(IpFamily::v4, 11, 0) == "Time to live exceeded");
    CHECK(describe_icmp(IpFamily::v4, 3, 13) == "Packet filtered (communication administratively prohibited)");
    CHECK(describe_icmp(IpFamily::v4, 3, 99) == "Destination Unreachable, Bad Code: 99");
}

TEST_CASE("IPv4 errors quoting something other than our echo request carry no quoted echo") {
    Bytes udp(8, 0);
    auto quoted_udp = ipv4(udp, 64, {10, 0, 0, 1}, {10, 0, 0, 2}, 17);
    auto m = parse_icmp_message(icmp_error(3, 3, quoted_udp), IpFamily::v4);
    REQUIRE(m.status == IcmpParseStatus::ok);
    CHECK_FALSE(m.quoted_echo.has_value());

    auto reply = echo(IpFamily::v4, 1, 1);
    reply[0] = 0;  // an echo *reply* quoted: not a probe of ours
    CHECK_FALSE(parse_icmp_message(icmp_error(3, 1, ipv4(reply, 64, {1, 1, 1, 1}, {2, 2, 2, 2})), IpFamily::v4)
                    .quoted_echo.has_value());

    auto fragment = ipv4(echo(IpFamily::v4, 1, 1), 64, {1, 1, 1, 1}, {2, 2, 2, 2});
    put16(fragment, 6, 0x0010);  // offset 128: a non-first fragment has no ICMP header
    CHECK_FALSE(parse_icmp_message(icmp_error(3, 1, fragment), IpFamily::v4).quoted_echo.has_value());

    auto short_quote = ipv4(echo(IpFamily::v4, 1, 1), 64, {1, 1, 1, 1}, {2, 2, 2, 2});
    short_quote.resize(24);  // IP header + 4 ICMP bytes: no sequence
    CHECK_FALSE(parse_icmp_message(icmp_error(3, 1, short_quote), IpFamily::v4).quoted_echo.has_value());

    auto bad_ihl = ipv4(echo(IpFamily::v4, 1, 1), 64, {1, 1, 1, 1}, {2, 2, 2, 2});
    bad_ihl[0] = 0x4F;  // 60-byte header claimed, 36 bytes quoted
    CHECK_FALSE(parse_icmp_message(icmp_error(3, 1, bad_ihl), IpFamily::v4).quoted_echo.has_value());
}

TEST_CASE("IPv4 raw: malformed IP headers are named") {
    auto icmp = echo(IpFamily::v4, 1, 1);
    auto good = ipv4(icmp, 64, {1, 2, 3, 4}, {5, 6, 7, 8});

    auto v6_version = good;
    v6_version[0] = 0x65;
    CHECK(parse_icmp_message(v6_version, IpFamily::v4, raw_v4()).status == IcmpParseStatus::malformed);

    auto small_ihl = good;
    small_ihl[0] = 0x44;
    CHECK(parse_icmp_message(small_ihl, IpFamily::v4, raw_v4()).status == IcmpParseStatus::malformed);

    auto big_ihl = good;
    big_ihl[0] = 0x4F;
    big_ihl.resize(30);
    CHECK(parse_icmp_message(big_ihl, IpFamily::v4, raw_v4()).status == IcmpParseStatus::truncated);

    auto short_total = good;
    put16(short_total, 2, 10);
    auto m = parse_icmp_message(short_total, IpFamily::v4, raw_v4());
    CHECK(m.status == IcmpParseStatus::malformed);
    CHECK(m.error.find("total length") != std::string::npos);

    auto tcp = ipv4(icmp, 64, {1, 2, 3, 4}, {5, 6, 7, 8}, 6);
    CHECK(parse_icmp_message(tcp, IpFamily::v4, raw_v4()).status == IcmpParseStatus::malformed);

    auto header_only = ipv4(Bytes{}, 64, {1, 2, 3, 4}, {5, 6, 7, 8});
    CHECK(parse_icmp_message(header_only, IpFamily::v4, raw_v4()).status == IcmpParseStatus::truncated);

    CHECK(parse_icmp_message(good, IpFamily::v6, raw_v4()).status == IcmpParseStatus::malformed);
    CHECK(parse_icmp_message(good, IpFamily::none).status == IcmpParseStatus::malformed);
}

TEST_CASE("ICMPv6 echo reply, and errors quoting our request through extension headers") {
    auto reply = echo(IpFamily::v6, 0x0101, 0x0202, 16);
    reply[0] = 129;
    auto m = parse_icmp_message(reply, IpFamily::v6);
    REQUIRE(m.status == IcmpParseStatus::ok);
    CHECK(m.kind == IcmpMessageKind::echo_reply);
    CHECK(m.identifier == 0x0101);
    CHECK(m.sequence == 0x0202);
    CHECK(m.echo_data.size() == 16);

    auto request = echo(IpFamily::v6, 0x0A0B, 77);
    auto quoted = ipv6(request, 58, 64, 1, 2);
    auto unreachable = parse_icmp_message(icmp_error(1, 3, quoted, 0, false), IpFamily::v6);
    REQUIRE(unreachable.status == IcmpParseStatus::ok);
    CHECK(unreachable.kind == IcmpMessageKind::destination_unreachable);
    REQUIRE(unreachable.quoted_echo.has_value());
    CHECK(unreachable.quoted_echo->identifier == 0x0A0B);
    CHECK(unreachable.quoted_echo->sequence == 77);
    CHECK(unreachable.quoted_echo->destination.to_string() == "fd00::2");
    CHECK(unreachable.quoted_echo->source.to_string() == "fd00::1");
    CHECK(describe_icmp(IpFamily::v6, 1, 3) == "Destination unreachable: Address unreachable");
    CHECK(describe_icmp(IpFamily::v6, 1, 1) == "Destination unreachable: Administratively prohibited");

    // Destination options (8 bytes) then a fragment header (first fragment) then ICMPv6.
    Bytes ext = {44, 0, 1, 4, 0, 0, 0, 0};  // dest opts: next = fragment, length 0 (8 bytes), PadN
    Bytes frag = {58, 0, 0, 0, 0, 0, 0, 1};  // fragment: next = ICMPv6, offset 0, id 1
    Bytes chain = ext;
    chain.insert(chain.end(), frag.begin(), frag.end());
    chain.insert(chain.end(), request.begin(), request.end());
    auto through = parse_icmp_message(icmp_error(3, 0, ipv6(chain, 60, 1, 1, 2), 0, false), IpFamily::v6);
    REQUIRE(through.status == IcmpParseStatus::ok);
    CHECK(through.kind == IcmpMessageKind::time_exceeded);
    REQUIRE(through.quoted_echo.has_value());
    CHECK(through.quoted_echo->sequence == 77);
    CHECK(echo_status_for(IpFamily::v6, 3, 0) == EchoStatus::time_exceeded);

    auto too_big = parse_icmp_message(icmp_error(2, 0, quoted, 1280, false), IpFamily::v6);
    REQUIRE(too_big.status == IcmpParseStatus::ok);
    CHECK(too_big.kind == IcmpMessageKind::packet_too_big);
    CHECK(too_big.mtu == 1280);
    CHECK(echo_status_for(IpFamily::v6, 2, 0) == EchoStatus::unreachable);
}

TEST_CASE("ICMPv6 quoted headers that do not lead to our echo request are refused") {
    auto request = echo(IpFamily::v6, 1, 2);
    // A later fragment: no ICMPv6 header in it.
    Bytes frag = {58, 0, 0, 0x10, 0, 0, 0, 1};
    Bytes chain = frag;
    chain.insert(chain.end(), request.begin(), request.end());
    CHECK_FALSE(parse_icmp_message(icmp_error(1, 0, ipv6(chain, 44, 1, 1, 2), 0, false), IpFamily::v6)
                    .quoted_echo.has_value());
    // An extension header chain longer than the bound: 10 destination-option headers.
    Bytes loop;
    for (int i = 0; i < 10; ++i) {
        Bytes opt = {60, 0, 1, 4, 0, 0, 0, 0};
        loop.insert(loop.end(), opt.begin(), opt.end());
    }
    loop.insert(loop.end(), request.begin(), request.end());
    CHECK_FALSE(parse_icmp_message(icmp_error(1, 0, ipv6(loop, 60, 1, 1, 2), 0, false), IpFamily::v6)
                    .quoted_echo.has_value());
    // Header length pointing far beyond the data.
    Bytes huge = {58, 255, 0, 0, 0, 0, 0, 0};
    huge.insert(huge.end(), request.begin(), request.end());
    CHECK_FALSE(parse_icmp_message(icmp_error(1, 0, ipv6(huge, 0, 1, 1, 2), 0, false), IpFamily::v6)
                    .quoted_echo.has_value());
    // Quoted UDP.
    Bytes udp(8, 0);
    CHECK_FALSE(parse_icmp_message(icmp_error(1, 4, ipv6(udp, 17, 1, 1, 2), 0, false), IpFamily::v6)
                    .quoted_echo.has_value());
    // Not an IPv6 header at all.
    auto not6 = ipv6(request, 58, 1, 1, 2);
    not6[0] = 0x40;
    CHECK_FALSE(parse_icmp_message(icmp_error(1, 4, not6, 0, false), IpFamily::v6).quoted_echo.has_value());
}

TEST_CASE("every truncation of valid messages gives a status, never a crash or an out-of-bounds read") {
    auto request = echo(IpFamily::v4, 9, 9, 32);
    auto v4_error = ipv4(icmp_error(3, 1, ipv4(request, 1, {10, 0, 0, 1}, {10, 0, 0, 2})), 64, {10, 0, 0, 254},
                         {10, 0, 0, 1});
    for (std::size_t n = 0; n <= v4_error.size(); ++n) {
        Bytes cut(v4_error.begin(), v4_error.begin() + static_cast<std::ptrdiff_t>(n));
        auto m = parse_icmp_message(cut, IpFamily::v4, raw_v4());
        if (n < 28) {
            CHECK(m.status != IcmpParseStatus::ok);
            CHECK_FALSE(m.error.empty());
        }
        IcmpParseOptions lenient;
        lenient.verify_checksum = false;
        (void)parse_icmp_message(cut, IpFamily::v4, lenient);
    }
    auto v6_error = icmp_error(1, 3, ipv6(echo(IpFamily::v6, 1, 2), 58, 64, 1, 2), 0, false);
    for (std::size_t n = 0; n <= v6_error.size(); ++n) {
        Bytes cut(v6_error.begin(), v6_error.begin() + static_cast<std::ptrdiff_t>(n));
        auto m = parse_icmp_message(cut, IpFamily::v6);
        CHECK((n < 8) == (m.status == IcmpParseStatus::truncated));
        // The quoted echo is recognised only once its header is complete (8 + 40 + 8 bytes).
        if (m.status == IcmpParseStatus::ok) CHECK(m.quoted_echo.has_value() == (n >= 56));
    }
}

TEST_CASE("random bytes never crash the parser (fixed seed)") {
    std::mt19937 random(20261128);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 200);
    std::size_t ok = 0;
    for (int round = 0; round < 20000; ++round) {
        Bytes b(static_cast<std::size_t>(length(random)));
        for (auto& x : b) x = static_cast<std::uint8_t>(byte(random));
        if (round % 3 == 0 && b.size() > 20) {
            b[0] = 0x45;  // steer some into the IPv4 path
            b[9] = 1;
        }
        if (round % 5 == 0 && b.size() > 8) b[0] = static_cast<std::uint8_t>(round % 2 == 0 ? 3 : 1);
        for (auto family : {IpFamily::v4, IpFamily::v6}) {
            auto m = parse_icmp_message(b, family);
            if (m.status == IcmpParseStatus::ok) {
                ++ok;
                CHECK(m.icmp_length == b.size());
            }
        }
        auto raw = parse_icmp_message(b, IpFamily::v4, raw_v4());
        if (raw.status == IcmpParseStatus::ok) CHECK(raw.icmp_length + 20 <= b.size());
    }
    CHECK(ok > 0);
}
