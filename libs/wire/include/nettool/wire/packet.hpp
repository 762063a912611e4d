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
}  // namespace link_type

enum class DecodeStatus : std::uint8_t {
    ok,                // IP header decoded; transport decoded when present and not a non-first fragment
    not_ip,            // a valid frame that carries no IP (ARP, LLDP, ...)
    truncated,         // the captured bytes end inside a header (snaplen cut or short frame)
    malformed,         // header fields are inconsistent (bad version, IHL < 5, length < header, ...)
    unsupported_link,  // a link type we do not decode
};

const char* to_string(DecodeStatus status);

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
};

// Decodes `frame` (the captured bytes) of the given link type into `out`. Returns out.status.
DecodeStatus decode_packet(int link_type, std::span<const std::uint8_t> frame, PacketView& out);

}  // namespace nettool
