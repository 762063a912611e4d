#pragma once
// Hand-built frames for the decoder tests: each builder returns the bytes of one header plus what it carries.
// Lengths are computed unless a test overrides them to make a frame inconsistent on purpose.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

namespace nettool::test {

using Bytes = std::vector<std::uint8_t>;

inline void put8(Bytes& b, unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); }
inline void put16(Bytes& b, unsigned v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}
inline void append(Bytes& b, const Bytes& tail) { b.insert(b.end(), tail.begin(), tail.end()); }
inline Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) append(out, p);
    return out;
}

inline Bytes udp(unsigned sport, unsigned dport, const Bytes& payload, std::optional<unsigned> length = {}) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put16(b, length.value_or(8 + static_cast<unsigned>(payload.size())));
    put16(b, 0);
    append(b, payload);
    return b;
}

inline Bytes tcp(unsigned sport, unsigned dport, std::uint32_t seq, unsigned flags, const Bytes& payload,
                 unsigned data_offset_words = 5, std::uint32_t ack = 0, unsigned window = 65535) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put32(b, seq);
    put32(b, ack);
    put8(b, data_offset_words << 4);
    put8(b, flags);
    put16(b, window);
    put16(b, 0);  // checksum
    put16(b, 0);  // urgent
    // Options as NOPs up to the data offset (only when the offset is sane).
    for (unsigned i = 20; data_offset_words >= 5 && i < data_offset_words * 4; ++i) put8(b, 1);
    append(b, payload);
    return b;
}

inline Bytes icmp(unsigned type, unsigned code, unsigned id, unsigned seq, const Bytes& payload) {
    Bytes b;
    put8(b, type);
    put8(b, code);
    put16(b, 0);
    put16(b, id);
    put16(b, seq);
    append(b, payload);
    return b;
}

struct Ipv4Options {
    unsigned ihl_words = 5;
    std::optional<unsigned> total_length;
    unsigned flags_fragment = 0;  // flags (DF 0x4000, MF 0x2000) | offset in 8-byte units
    unsigned ttl = 64;
    unsigned id = 0x1234;
    unsigned version = 4;
};

inline Bytes ipv4(unsigned protocol, std::initializer_list<unsigned> src, std::initializer_list<unsigned> dst,
                  const Bytes& payload, Ipv4Options o = {}) {
    Bytes b;
    put8(b, (o.version << 4) | (o.ihl_words & 0x0f));
    put8(b, 0);
    const unsigned header = o.ihl_words >= 5 ? o.ihl_words * 4 : 20;
    put16(b, o.total_length.value_or(header + static_cast<unsigned>(payload.size())));
    put16(b, o.id);
    put16(b, o.flags_fragment);
    put8(b, o.ttl);
    put8(b, protocol);
    put16(b, 0);
    for (unsigned x : src) put8(b, x);
    for (unsigned x : dst) put8(b, x);
    while (b.size() < header) put8(b, 1);  // options: NOPs
    append(b, payload);
    return b;
}

inline Bytes v6addr(unsigned last) {
    Bytes b = {0xfd, 0x00, 0x00, 0xca, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    b[15] = static_cast<std::uint8_t>(last);
    return b;
}

inline Bytes ipv6(unsigned next_header, unsigned src_last, unsigned dst_last, const Bytes& payload,
                  std::optional<unsigned> payload_length = {}, unsigned hop_limit = 64) {
    Bytes b;
    put32(b, 0x60000000);
    put16(b, payload_length.value_or(static_cast<unsigned>(payload.size())));
    put8(b, next_header);
    put8(b, hop_limit);
    append(b, v6addr(src_last));
    append(b, v6addr(dst_last));
    append(b, payload);
    return b;
}

// A generic IPv6 extension header (hop-by-hop, routing, destination options): length in 8-octet units beyond 8.
inline Bytes ipv6_ext(unsigned next_header, unsigned extra_units = 0) {
    Bytes b;
    put8(b, next_header);
    put8(b, extra_units);
    while (b.size() < 8 + extra_units * 8) put8(b, 0);
    return b;
}
inline Bytes ipv6_fragment(unsigned next_header, unsigned offset_bytes, bool more, std::uint32_t id) {
    Bytes b;
    put8(b, next_header);
    put8(b, 0);
    put16(b, (offset_bytes & 0xfff8) | (more ? 1 : 0));
    put32(b, id);
    return b;
}
inline Bytes ipv6_ah(unsigned next_header, unsigned payload_len_field = 4) {
    Bytes b;
    put8(b, next_header);
    put8(b, payload_len_field);  // (len + 2) * 4 bytes in all
    while (b.size() < (payload_len_field + 2) * 4) put8(b, 0);
    return b;
}

inline Bytes mac_pair() { return {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1}; }

// Ethernet II with optional tags: each tag is {tpid, tci}.
inline Bytes ethernet(unsigned ethertype, const Bytes& payload,
                      std::initializer_list<std::pair<unsigned, unsigned>> tags = {}) {
    Bytes b = mac_pair();
    for (auto [tpid, tci] : tags) {
        put16(b, tpid);
        put16(b, tci);
    }
    put16(b, ethertype);
    append(b, payload);
    return b;
}

inline Bytes pad_to(Bytes b, std::size_t size) {
    if (b.size() < size) b.resize(size, 0);
    return b;
}

inline Bytes sll(unsigned protocol, const Bytes& payload) {
    Bytes b;
    put16(b, 0);       // packet type: to us
    put16(b, 1);       // ARPHRD_ETHER
    put16(b, 6);       // address length
    for (int i = 0; i < 8; ++i) put8(b, i < 6 ? 0x02 : 0);
    put16(b, protocol);
    append(b, payload);
    return b;
}

inline Bytes sll2(unsigned protocol, const Bytes& payload) {
    Bytes b;
    put16(b, protocol);
    put16(b, 0);     // reserved
    put32(b, 3);     // ifindex
    put16(b, 1);     // ARPHRD_ETHER
    put8(b, 4);      // outgoing
    put8(b, 6);
    for (int i = 0; i < 8; ++i) put8(b, i < 6 ? 0x02 : 0);
    append(b, payload);
    return b;
}

inline Bytes loopback_header(std::uint32_t family, bool big_endian) {
    Bytes b;
    if (big_endian) {
        put32(b, family);
    } else {
        for (int i = 0; i < 4; ++i) put8(b, (family >> (8 * i)) & 0xff);
    }
    return b;
}

}  // namespace nettool::test
