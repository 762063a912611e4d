#pragma once
// Builds the frames the p2p tests feed the analyser: Ethernet + IPv4/IPv6 + TCP/UDP with a given payload, and
// writes classic pcap files from them (so tests also go through the real file reader).
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace p2ptest {

using Bytes = std::vector<std::uint8_t>;

inline Bytes bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

inline Bytes hex(std::string_view text) {
    Bytes out;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    int high = -1;
    for (char c : text) {
        int v = nibble(c);
        if (v < 0) continue;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    return out;
}

inline void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
    put16(b, static_cast<std::uint16_t>(v >> 16));
    put16(b, static_cast<std::uint16_t>(v));
}
inline void put32le(Bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

struct Addr {
    bool v6 = false;
    std::uint8_t b[16]{};
};

inline Addr v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    Addr x;
    x.b[0] = a;
    x.b[1] = b;
    x.b[2] = c;
    x.b[3] = d;
    return x;
}

inline Addr v6(std::initializer_list<std::uint16_t> groups) {
    Addr x;
    x.v6 = true;
    int i = 0;
    for (auto g : groups) {
        x.b[i++] = static_cast<std::uint8_t>(g >> 8);
        x.b[i++] = static_cast<std::uint8_t>(g);
    }
    return x;
}

enum class L4 { tcp, udp };

struct FrameSpec {
    Addr src;
    Addr dst;
    L4 l4 = L4::udp;
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    std::uint8_t tcp_flags = 0x18;  // PSH|ACK
    Bytes payload;
};

// Ethernet II frame with an IPv4 or IPv6 header and a TCP (20-byte) or UDP header. Checksums are left zero.
inline Bytes frame(const FrameSpec& s) {
    Bytes f = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
    put16(f, s.src.v6 ? 0x86DD : 0x0800);
    Bytes l4;
    if (s.l4 == L4::udp) {
        put16(l4, s.sport);
        put16(l4, s.dport);
        put16(l4, static_cast<std::uint16_t>(8 + s.payload.size()));
        put16(l4, 0);
    } else {
        put16(l4, s.sport);
        put16(l4, s.dport);
        put32(l4, 1000);
        put32(l4, 2000);
        l4.push_back(0x50);
        l4.push_back(s.tcp_flags);
        put16(l4, 65535);
        put16(l4, 0);
        put16(l4, 0);
    }
    l4.insert(l4.end(), s.payload.begin(), s.payload.end());
    std::uint8_t proto = s.l4 == L4::udp ? 17 : 6;
    if (!s.src.v6) {
        f.push_back(0x45);
        f.push_back(0);
        put16(f, static_cast<std::uint16_t>(20 + l4.size()));
        put16(f, 1);
        put16(f, 0x4000);
        f.push_back(64);
        f.push_back(proto);
        put16(f, 0);
        f.insert(f.end(), s.src.b, s.src.b + 4);
        f.insert(f.end(), s.dst.b, s.dst.b + 4);
    } else {
        put32(f, 0x60000000);
        put16(f, static_cast<std::uint16_t>(l4.size()));
        f.push_back(proto);
        f.push_back(64);
        f.insert(f.end(), s.src.b, s.src.b + 16);
        f.insert(f.end(), s.dst.b, s.dst.b + 16);
    }
    f.insert(f.end(), l4.begin(), l4.end());
    return f;
}

struct Record {
    double time = 0;  // seconds since the epoch
    Bytes data;
    std::uint32_t wire_length = 0;  // 0: data.size()
};

// Classic pcap, microsecond timestamps, the given link type and snaplen.
inline void write_pcap(const std::string& path, const std::vector<Record>& records, std::uint32_t link_type = 1,
                       std::uint32_t snaplen = 262144) {
    Bytes out;
    put32le(out, 0xa1b2c3d4);
    out.push_back(2);
    out.push_back(0);
    out.push_back(4);
    out.push_back(0);
    put32le(out, 0);
    put32le(out, 0);
    put32le(out, snaplen);
    put32le(out, link_type);
    for (const auto& r : records) {
        auto seconds = static_cast<std::uint32_t>(r.time);
        auto micros = static_cast<std::uint32_t>((r.time - seconds) * 1e6);
        put32le(out, seconds);
        put32le(out, micros);
        put32le(out, static_cast<std::uint32_t>(r.data.size()));
        put32le(out, r.wire_length != 0 ? r.wire_length : static_cast<std::uint32_t>(r.data.size()));
        out.insert(out.end(), r.data.begin(), r.data.end());
    }
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
}

}  // namespace p2ptest
