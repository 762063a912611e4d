#include "nettool/p2p/obfuscation.hpp"

#include <bitset>
#include <cmath>

namespace nettool::p2p {

namespace {

std::size_t distinct_values(std::span<const std::uint8_t> bytes) {
    std::bitset<256> seen;
    for (std::uint8_t b : bytes) seen.set(b);
    return seen.count();
}

// Expected number of distinct values among n uniform random bytes.
double expected_distinct(std::size_t n) { return 256.0 * (1.0 - std::pow(255.0 / 256.0, static_cast<double>(n))); }

bool in_first_range(std::uint32_t length) { return length >= mse_min_first && length <= mse_max_first; }

}  // namespace

bool looks_random(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 64) return false;
    std::size_t printable = 0;
    for (std::uint8_t b : bytes) printable += (b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n' || b == '\t';
    // Uniform bytes are 37% printable; text is nearly 100%.
    if (static_cast<double>(printable) > 0.6 * static_cast<double>(bytes.size())) return false;
    return static_cast<double>(distinct_values(bytes)) >= 0.8 * expected_distinct(bytes.size());
}

bool has_visible_structure(std::span<const std::uint8_t> b, std::uint32_t wire_length) {
    if (b.size() < 4) return true;
    const std::uint32_t n = wire_length;
    if (b[0] == 0x16 && b[1] == 0x03 && b[2] <= 0x04) return true;  // TLS handshake record
    if ((b[0] & 0x80) != 0 && b[2] == 0x01 && b[3] == 0x03) return true;  // SSLv2-compatible ClientHello
    if (b[0] == 'S' && b[1] == 'S' && b[2] == 'H' && b[3] == '-') return true;
    const std::uint32_t be16 = (std::uint32_t{b[0]} << 8) | b[1];
    const std::uint32_t be16_at2 = (std::uint32_t{b[2]} << 8) | b[3];
    const std::uint32_t be24_at1 = (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    const std::uint32_t be32 = (std::uint32_t{b[0]} << 24) | be24_at1;
    const std::uint32_t le32 = std::uint32_t{b[0]} | (std::uint32_t{b[1]} << 8) | (std::uint32_t{b[2]} << 16) |
                               (std::uint32_t{b[3]} << 24);
    if (be16 + 2 == n || be16 == n) return true;         // 2-byte length prefix (OpenVPN/TCP, DNS/TCP)
    if (b[0] == 0x03 && be16_at2 == n) return true;      // TPKT (RDP)
    if (b[0] == 0x00 && be24_at1 + 4 == n) return true;  // NetBIOS session (SMB)
    if (be32 + 4 == n || be32 == n || le32 + 4 == n || le32 == n) return true;  // 4-byte length prefix
    return false;
}

MseShape::State MseShape::observe(bool from_initiator, std::span<const std::uint8_t> payload, std::uint32_t wire_length) {
    if (state_ != State::watching) return state_;
    const int side = from_initiator ? 0 : 1;
    if (first_length_[side] == 0) {
        // The initiator speaks first; both first payloads are a DH value plus padding, with no structure.
        bool fits = in_first_range(wire_length) && payload.size() == wire_length && looks_random(payload) &&
                    !has_visible_structure(payload, wire_length);
        if (!fits || (side == 1 && first_length_[0] == 0)) {
            state_ = State::ruled_out;
            return state_;
        }
        first_length_[side] = static_cast<std::uint16_t>(wire_length);
        distinct_[side] = static_cast<std::uint16_t>(distinct_values(payload));
        return state_;
    }
    if (side == 0 && first_length_[1] != 0) {
        // The initiator's next payload: the hashes and the encrypted crypto_provide block, once it has Yb.
        second_length_ = static_cast<std::uint16_t>(std::min<std::uint32_t>(wire_length, 65535));
        state_ = wire_length >= mse_min_second ? State::matched : State::ruled_out;
        return state_;
    }
    // A second payload from the same side before the other side's first one: not the MSE exchange.
    state_ = State::ruled_out;
    return state_;
}

std::string MseShape::evidence() const {
    return "encrypted (MSE/PE): first payloads " + std::to_string(first_length_[0]) + " and " +
           std::to_string(first_length_[1]) + " bytes (96-608: DH value and padding), " +
           std::to_string(distinct_[0]) + " and " + std::to_string(distinct_[1]) +
           " distinct byte values (uniform), the initiator continued with " + std::to_string(second_length_) + " bytes";
}

}  // namespace nettool::p2p
