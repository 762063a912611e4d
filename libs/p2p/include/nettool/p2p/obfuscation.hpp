#pragma once
// Handshakes that carry no plaintext. BitTorrent's Message Stream Encryption (MSE/PE, RC4) starts with each side
// sending a 768-bit Diffie-Hellman value plus 0-512 bytes of random padding (96-608 bytes, no structure, byte
// values uniform), the initiator first; only after the responder's value can the initiator send its 20+20 bytes of
// hashes and the encrypted VC/crypto_provide block. nDPI and Wireshark see nothing in such a flow. After Hjelmvik
// & John, "Breaking and Improving Protocol Obfuscation" (2010): recognise the shape from the first payloads of
// both directions. Pure: payloads and lengths in, a verdict out.
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace nettool::p2p {

inline constexpr std::uint32_t mse_min_first = 96;   // 768-bit DH value
inline constexpr std::uint32_t mse_max_first = 608;  // plus at most 512 bytes of padding
inline constexpr std::uint32_t mse_min_second = 40;  // HASH('req1', S) and HASH('req2', SKEY) xor HASH('req3', S)

// Byte values as uniform as random bytes of that length: the distinct values reach 80% of what a uniform sample
// of the same size holds on average, and printable ASCII is not dominant. Needs at least 64 bytes.
bool looks_random(std::span<const std::uint8_t> bytes);

// A payload whose first bytes say what it is: TLS/SSL records, SSH banners, text (HTTP, SMTP, ...), or a 2-, 3-
// or 4-byte length prefix equal to the rest of the payload (OpenVPN over TCP, RDP/TPKT, NetBIOS/SMB, DNS over
// TCP, most binary protocols). None of those is an MSE handshake, however random the rest looks.
bool has_visible_structure(std::span<const std::uint8_t> bytes, std::uint32_t wire_length);

// Follows the first payloads of one TCP flow. `from_initiator` when the payload comes from the side that opened
// the connection (unknown opener: the side that spoke first).
class MseShape {
public:
    enum class State : std::uint8_t { watching, matched, ruled_out };
    State observe(bool from_initiator, std::span<const std::uint8_t> payload, std::uint32_t wire_length);
    State state() const { return state_; }
    // "first payloads 520 and 313 bytes, 216 and 183 distinct byte values; initiator continued with 245 bytes"
    std::string evidence() const;

private:
    State state_ = State::watching;
    std::array<std::uint16_t, 2> first_length_{0, 0};  // [0] initiator, [1] responder
    std::array<std::uint16_t, 2> distinct_{0, 0};
    std::uint16_t second_length_ = 0;
};

}  // namespace nettool::p2p
