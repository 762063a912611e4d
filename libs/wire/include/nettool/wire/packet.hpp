#pragma once
// Pure decoding of one captured frame into a compact view: link layer (Ethernet, 802.1Q, Linux cooked SLL/SLL2,
// raw IP, BSD loopback), IPv4 (fragments flagged), IPv6 (extension headers walked), TCP, UDP, ICMP/ICMPv6.
// No copies: `payload` points into the caller's buffer. Every read is bounds-checked; a short or inconsistent
// frame gives a status, never a crash.
#include "nettool/wire/ip_address.hpp"

#include <cstdint>
#include <span>

namespace nettool {

// libpcap DLT_/LINKTYPE_ values we decode.
namespace link_type {
inline constexpr int null_bsd = 0;      // DLT_NULL: 4-byte host-order family
inline constexpr int ethernet = 1;      // DLT_EN10MB
inline constexpr int raw = 101;         // LINKTYPE_RAW (DLT_RAW is 12 or 14 on some systems; both accepted)
inline constexpr int loop = 108;        // DLT_LOOP: 4-byte network-order family
inline constexpr int linux_sll = 113;   // DLT_LINUX_SLL
inline constexpr int ipv4 = 228;        // LINKTYPE_IPV4
inline constexpr int ipv6 = 229;        // LINKTYPE_IPV6
inline constexpr int linux_sll2 = 276;  // DLT_LINUX_SLL2
inline constexpr int raw_dlt12 = 12;    // DLT_RAW on most systems (libpcap maps LINKTYPE_RAW files to it)
inline constexpr int raw_dlt14 = 14;    // DLT_RAW on OpenBSD
}  // namespace link_type

enum class DecodeStatus : std::uint8_t {
    ok,                // IP header decoded; transport decoded when present and not a non-first fragment
    not_ip,            // a valid frame that carries no IP (ARP, LLDP, ...)
    truncated,         // the captured bytes end inside a header (snaplen cut or short frame)
    malformed,         // header fields are inconsistent (bad version, IHL < 5, length < header, ...)
    unsupported_link,  // a link type we do not decode
};

const char* to_string(DecodeStatus status);

// How far one layer got. `absent` means the layer is not there (ARP has no IP; a non-first fragment, ESP or GRE has
// no transport header we decode).
enum class LayerStatus : std::uint8_t { absent, ok, truncated, malformed };

const char* to_string(LayerStatus status);

namespace ip_proto {
inline constexpr std::uint8_t icmp = 1;
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
inline constexpr std::uint8_t icmpv6 = 58;
}  // namespace ip_proto

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
}  // namespace tcp_flag

struct PacketView {
    DecodeStatus status = DecodeStatus::not_ip;
    bool has_vlan = false;
    std::uint16_t vlan_id = 0;
    IpAddress src;
    IpAddress dst;
    std::uint8_t ip_protocol = 0;  // final upper-layer protocol after IPv6 extension headers
    std::uint8_t ttl = 0;          // TTL / hop limit
    std::uint32_t ip_length = 0;   // IP total length from the header (v6: payload length + 40)
    bool is_fragment = false;      // IPv4 MF or offset != 0, or an IPv6 fragment header
    bool is_first_fragment = false;
    bool transport_decoded = false;  // ports/flags/icmp fields below are valid
    bool transport_truncated = false;  // transport header present but cut by snaplen
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint8_t tcp_flags = 0;
    std::uint32_t tcp_seq = 0;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    std::span<const std::uint8_t> payload;  // transport payload, as captured (may be shorter than on the wire)
    std::uint32_t payload_wire_length = 0;  // payload length according to the IP/UDP headers

    // Added detail (all bounds-checked like the fields above).
    LayerStatus link_status = LayerStatus::absent;       // link header (Ethernet, SLL, ...)
    LayerStatus ip_status = LayerStatus::absent;         // IPv4 header, or IPv6 header plus extension chain
    LayerStatus transport_status = LayerStatus::absent;  // TCP/UDP/ICMP header
    std::uint16_t ethertype = 0;          // innermost ethertype (0x0806 ARP, 0x88cc LLDP, ...); 0 when none
    std::uint8_t vlan_count = 0;          // 802.1Q/802.1ad tags seen (vlan_id is the outermost)
    std::uint16_t inner_vlan_id = 0;      // innermost tag's id when vlan_count >= 2 (QinQ)
    bool pppoe = false;                   // IP carried in a PPPoE session (ethertype 0x8864)
    std::uint16_t ip_offset = 0;          // offset of the IP header in the frame
    std::uint16_t transport_offset = 0;   // offset of the transport header in the frame (when transport_status != absent)
    std::uint16_t ip_id = 0;              // IPv4 identification / low 16 bits of the IPv6 fragment id
    std::uint16_t fragment_offset = 0;    // in bytes
    bool more_fragments = false;          // IPv4 MF / IPv6 M flag
    bool dont_fragment = false;           // IPv4 DF
    bool ip_length_from_capture = false;  // IPv4 total length 0 (TSO) or IPv6 jumbogram: length taken from capture
    std::uint32_t tcp_ack = 0;
    std::uint16_t tcp_window = 0;
    std::uint16_t icmp_id = 0;   // echo request/reply identifier (valid when 8 header bytes were captured)
    std::uint16_t icmp_seq = 0;  // echo request/reply sequence
};

// Decodes `frame` (the captured bytes) of the given link type into `out`. Returns out.status.
//
// Status rules: `status` is ok when the IP header was decoded (addresses, protocol and length are valid); a broken
// transport header does not change it but shows in transport_status (and transport_truncated). truncated/malformed
// describe the first layer that failed, link or IP. A non-first fragment has no transport header: `payload` is then
// the fragment's data. For a first fragment the transport header is decoded and UDP lengths larger than the
// fragment are accepted. TCP with its fixed 20 bytes captured but its options cut: transport_decoded is true (the
// ports, flags and seq are valid), transport_truncated too, payload empty. Other protocols (GRE, ESP, SCTP, ...):
// payload is the IP payload.
DecodeStatus decode_packet(int link_type, std::span<const std::uint8_t> frame, PacketView& out);

// True for the link types decode_packet understands (including DLT_RAW 12/14).
bool is_supported_link_type(int link_type);
// "EN10MB", "LINUX_SLL2", ... for the supported ones, "unknown" otherwise (for messages).
const char* link_type_name(int link_type);

}  // namespace nettool
