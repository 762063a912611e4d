#pragma once
// DNS wire format (RFC 1035, 3596, 6891): building queries and parsing answers, pure and bounds-checked.
// Hostile answers are expected: compression loops, huge counts, overlong names and truncated records give a
// parse error (or, for a single bad record, a skipped count), never a crash.
#include "nettool/core/error.hpp"
#include "nettool/wire/ip_address.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nettool {

namespace dns_type {
inline constexpr std::uint16_t a = 1;
inline constexpr std::uint16_t ns = 2;
inline constexpr std::uint16_t cname = 5;
inline constexpr std::uint16_t soa = 6;
inline constexpr std::uint16_t ptr = 12;
inline constexpr std::uint16_t mx = 15;
inline constexpr std::uint16_t txt = 16;
inline constexpr std::uint16_t aaaa = 28;
inline constexpr std::uint16_t opt = 41;
inline constexpr std::uint16_t ds = 43;
inline constexpr std::uint16_t rrsig = 46;
inline constexpr std::uint16_t dnskey = 48;
inline constexpr std::uint16_t spf = 99;
inline constexpr std::uint16_t any = 255;
}  // namespace dns_type

// "A", "TXT", "TYPE99"->"SPF"...; unknown types as "TYPEn". Parsing accepts names and "TYPEn".
std::string dns_type_name(std::uint16_t type);
std::optional<std::uint16_t> dns_type_from_name(std::string_view name);

namespace dns_rcode {
inline constexpr int noerror = 0;
inline constexpr int formerr = 1;
inline constexpr int servfail = 2;
inline constexpr int nxdomain = 3;
inline constexpr int notimp = 4;
inline constexpr int refused = 5;
}  // namespace dns_rcode
std::string dns_rcode_name(int rcode);  // "NOERROR", "NXDOMAIN", ..., "RCODE23"

struct DnsSoa {
    std::string mname;
    std::string rname;
    std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};

struct DnsRecord {
    std::string name;  // presentation form without the trailing dot, lower case kept as received
    std::uint16_t type = 0;
    std::uint16_t klass = 1;
    std::uint32_t ttl = 0;
    std::vector<std::uint8_t> rdata;  // raw rdata (names inside are not decompressed here)
    // Typed views, filled for the types that have them:
    std::optional<IpAddress> address;  // A, AAAA
    std::vector<std::string> texts;    // TXT, SPF: the character-strings, in order, raw bytes kept
    std::string target;                // CNAME, NS, PTR, MX exchange
    std::uint16_t preference = 0;      // MX
    std::optional<DnsSoa> soa;         // SOA
};

struct DnsQuestion {
    std::string name;
    std::uint16_t type = 0;
    std::uint16_t klass = 1;
};

struct DnsMessage {
    std::uint16_t id = 0;
    bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
    std::uint8_t opcode = 0;
    int rcode = 0;  // including the EDNS extended bits when an OPT record is present
    std::vector<DnsQuestion> questions;
    std::vector<DnsRecord> answers;
    std::vector<DnsRecord> authority;
    std::vector<DnsRecord> additional;  // without the OPT pseudo-record
    std::optional<std::uint16_t> edns_udp_size;
    bool edns_dnssec_ok = false;
    std::size_t skipped_records = 0;  // records whose rdata did not parse for their type (kept raw)
    // Records counted in the header but cut off by the end of the message; only tolerated when tc is set (a
    // truncated UDP answer), otherwise the message does not parse.
    std::size_t missing_records = 0;
};

struct DnsQuerySpec {
    std::uint16_t id = 0;
    std::string name;  // presentation form; a trailing dot is accepted
    std::uint16_t type = dns_type::a;
    std::uint16_t klass = 1;  // IN; 3 is CHAOS (version.bind, id.server)
    bool recursion_desired = true;
    std::uint16_t edns_udp_size = 0;  // 0: no OPT record
    bool dnssec_ok = false;
};

// Wire bytes of the query; an input error for names that cannot be encoded (label > 63, name > 255, empty label).
Result<std::vector<std::uint8_t>> build_dns_query(const DnsQuerySpec& spec);
// A parse error is an input error naming what was wrong and where ("compression loop at offset 41").
Result<DnsMessage> parse_dns_message(std::span<const std::uint8_t> wire);

// The answers of one type whose owner follows the CNAME chain from `name` (case-insensitive), in order.
std::vector<const DnsRecord*> answers_for(const DnsMessage& message, std::string_view name, std::uint16_t type);

}  // namespace nettool
