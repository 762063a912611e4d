#pragma once
// A tiny pcap/pcapng writer for tests: exact bytes, either byte order, and deliberately broken variants.
#include "frames.hpp"

#include <cstdint>
#include <optional>

namespace nettool::test {

class Endian {
public:
    explicit Endian(bool big) : big_(big) {}
    void u16(Bytes& b, unsigned v) const {
        if (big_) {
            put16(b, v);
        } else {
            put8(b, v & 0xff);
            put8(b, (v >> 8) & 0xff);
        }
    }
    void u32(Bytes& b, std::uint32_t v) const {
        if (big_) {
            put32(b, v);
        } else {
            u16(b, v & 0xffff);
            u16(b, v >> 16);
        }
    }

private:
    bool big_;
};

// pcap: magic selects micro/nanosecond (0xa1b2c3d4 / 0xa1b23c4d) or modified (0xa1b2cd34).
inline Bytes pcap_header(std::uint32_t linktype, std::uint32_t magic = 0xa1b2c3d4, bool big = false,
                         unsigned major = 2) {
    Endian e(big);
    Bytes b;
    e.u32(b, magic);
    e.u16(b, major);
    e.u16(b, 4);
    e.u32(b, 0);
    e.u32(b, 0);
    e.u32(b, 262144);
    e.u32(b, linktype);
    return b;
}

inline Bytes pcap_record(std::uint32_t seconds, std::uint32_t fraction, const Bytes& data, bool big = false,
                         std::optional<std::uint32_t> wire = {}, std::optional<std::uint32_t> captured = {},
                         bool modified = false) {
    Endian e(big);
    Bytes b;
    e.u32(b, seconds);
    e.u32(b, fraction);
    e.u32(b, captured.value_or(static_cast<std::uint32_t>(data.size())));
    e.u32(b, wire.value_or(static_cast<std::uint32_t>(data.size())));
    if (modified) {
        e.u32(b, 2);  // ifindex
        e.u16(b, 0x0800);
        put8(b, 0);
        put8(b, 0);
    }
    append(b, data);
    return b;
}

class PcapngWriter {
public:
    explicit PcapngWriter(bool big = false) : e_(big), big_(big) {}

    Bytes section() const {
        Bytes body;
        e_.u32(body, 0x1A2B3C4D);
        e_.u16(body, 1);
        e_.u16(body, 0);
        e_.u32(body, 0xffffffff);  // section length unknown (-1)
        e_.u32(body, 0xffffffff);
        return block(0x0A0D0D0A, body);
    }
    // tsresol: the raw if_tsresol byte (6 = microseconds, 9 = nanoseconds, 0x80|n = 2^-n).
    Bytes interface(unsigned linktype, std::optional<unsigned> tsresol = {},
                    std::optional<std::int64_t> tsoffset = {}) const {
        Bytes body;
        e_.u16(body, linktype);
        e_.u16(body, 0);
        e_.u32(body, 262144);
        if (tsresol) {
            e_.u16(body, 9);
            e_.u16(body, 1);
            put8(body, *tsresol);
            put8(body, 0);
            put8(body, 0);
            put8(body, 0);
        }
        if (tsoffset) {
            e_.u16(body, 14);
            e_.u16(body, 8);
            const auto raw = static_cast<std::uint64_t>(*tsoffset);
            const auto high = static_cast<std::uint32_t>(raw >> 32);
            const auto low = static_cast<std::uint32_t>(raw);
            e_.u32(body, big_ ? high : low);  // a 64-bit value in the section's byte order
            e_.u32(body, big_ ? low : high);
        }
        e_.u16(body, 0);  // opt_endofopt
        e_.u16(body, 0);
        return block(1, body);
    }
    Bytes enhanced(unsigned interface_id, std::uint64_t ticks, const Bytes& data,
                   std::optional<std::uint32_t> wire = {}, std::optional<std::uint32_t> captured = {}) const {
        Bytes body;
        e_.u32(body, interface_id);
        e_.u32(body, static_cast<std::uint32_t>(ticks >> 32));
        e_.u32(body, static_cast<std::uint32_t>(ticks));
        e_.u32(body, captured.value_or(static_cast<std::uint32_t>(data.size())));
        e_.u32(body, wire.value_or(static_cast<std::uint32_t>(data.size())));
        append(body, data);
        while (body.size() % 4 != 0) put8(body, 0);
        return block(6, body);
    }
    Bytes simple(const Bytes& data) const {
        Bytes body;
        e_.u32(body, static_cast<std::uint32_t>(data.size()));
        append(body, data);
        while (body.size() % 4 != 0) put8(body, 0);
        return block(3, body);
    }
    Bytes block(std::uint32_t type, const Bytes& body, std::optional<std::uint32_t> length = {},
                std::optional<std::uint32_t> trailing = {}) const {
        const auto total = static_cast<std::uint32_t>(12 + body.size());
        Bytes b;
        e_.u32(b, type);
        e_.u32(b, length.value_or(total));
        append(b, body);
        e_.u32(b, trailing.value_or(length.value_or(total)));
        return b;
    }

private:
    Endian e_;
    bool big_;
};

}  // namespace nettool::test
