#pragma once
// P2P protocol signatures as a table. Each row names one rule (a stable id such as "bittorrent.handshake"), the
// protocol it identifies, the transport, whether it is payload proof or only a port hint, its strength and how
// many packets of a flow must match before it counts. Matching is pure: payload bytes and ports in, a row out.
// Every check is bounds-checked against the captured bytes; length fields are compared with the wire length, so
// a snaplen-cut packet can still match its header but never reads past what was captured.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nettool::p2p {

enum class Protocol : std::uint8_t {
    unknown,
    bittorrent,
    gnutella,
    edonkey,
    soulseek,
    directconnect,
    ares,
    fasttrack,
    ppstream,
    kontiki,
    winny,
};
inline constexpr std::size_t protocol_count = 11;

const char* to_string(Protocol protocol);  // "BitTorrent", "Gnutella", "eDonkey", ...

enum class Transport : std::uint8_t { tcp, udp };
const char* to_string(Transport transport);  // "tcp", "udp"

enum class SignatureKind : std::uint8_t {
    payload_proof,  // a handshake or message format: enough to call the flow that protocol
    port_hint,      // a default port: only a hint, never a verdict on its own
};
const char* to_string(SignatureKind kind);

// One payload as the matchers see it.
struct PayloadInfo {
    Transport transport = Transport::tcp;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::span<const std::uint8_t> payload;  // captured bytes (may be cut by snaplen)
    std::uint32_t wire_length = 0;          // payload length on the wire (from the IP/UDP headers)
};

struct Signature {
    const char* id;  // stable rule name, shown as evidence
    Protocol protocol;
    Transport transport;
    SignatureKind kind;
    int strength;            // 0..100: how much one match says
    int min_packets;         // packets of one flow that must match before the rule holds
    const char* description; // one line, for --help-style listings and docs
    bool (*match)(const PayloadInfo& info);
};

// The whole table, payload proofs first (strongest first), then port hints.
std::span<const Signature> signature_table();

// The first payload-proof row that matches `info`, if any.
const Signature* match_payload_proof(const PayloadInfo& info);
// The port-hint row for these ports, if any (either port may be the well-known one).
const Signature* match_port_hint(Transport transport, std::uint16_t src_port, std::uint16_t dst_port);
// Index of a row in signature_table() (for per-flow counters).
std::size_t signature_index(const Signature* signature);
// The row of encrypted BitTorrent (MSE/PE) flows, recognised by their handshake shape (obfuscation.hpp).
const Signature* mse_signature();

// --- the structural checks behind the rows, exposed for tests ---

// True when `data` is exactly one well-formed bencoded value (depth <= 32, no trailing bytes).
bool is_bencoded_value(std::span<const std::uint8_t> data);
// True when `data` is a bencoded dictionary with the KRPC keys of the BitTorrent DHT: "t" (a string) and "y"
// equal to "q", "r" or "e", plus the matching "q"/"a", "r" or "e" key.
bool is_dht_krpc(std::span<const std::uint8_t> data);

// BEP 29 uTP header: version 1, type 0..4, a well-formed extension chain inside the packet.
struct UtpHeader {
    std::uint8_t type = 0;  // 0 DATA, 1 FIN, 2 STATE, 3 RESET, 4 SYN
    std::uint16_t connection_id = 0;
    std::uint32_t timestamp_us = 0;
    std::uint16_t seq_nr = 0;
    std::uint16_t ack_nr = 0;
    std::size_t header_length = 0;  // 20 + extensions
};
std::optional<UtpHeader> parse_utp_header(std::span<const std::uint8_t> data, std::uint32_t wire_length);

// Gnutella 0.6 message header (GUID, type, TTL, hops, little-endian payload length) where the datagram or
// segment holds exactly one message.
bool is_gnutella_message(std::span<const std::uint8_t> data, std::uint32_t wire_length);

// Winny's first packet: 11 bytes whose bytes 6..10, RC4-decrypted with the key in bytes 2..5, read 01 00 00 00 61.
bool is_winny_handshake(std::span<const std::uint8_t> data, std::uint32_t wire_length);

}  // namespace nettool::p2p
