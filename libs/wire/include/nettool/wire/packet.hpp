#pragma once
// Pure decoding of one captured frame into a compact view: link layer (Ethernet, 802.1Q, Linux cooked SLL/SLL2,
// raw IP, BSD loopback), IPv4 (fragments flagged), IPv6 (extension headers walked), TCP, UDP, ICMP/ICMPv6.
// No copies: `payload` points into the caller's buffer. Every read is bounds-checked; a short or inconsistent
// frame gives a status, never a crash.
#include "nettool/wire/ip_address.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

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

// ---------------------------------------------------------------------------------------------------------------
// Capture files. A pure, incremental reader of pcap (micro/nanosecond, either byte order, the "modified" Kuznetzov
// variant) and pcapng (several sections and interfaces, each with its own link type and timestamp resolution):
// bytes in, one header/block/record out per call. The caller owns the buffering (see read_capture_file in
// nettool/io/capture.hpp); nothing here reads a file.

struct CaptureRecord {
    int link_type = -1;               // the record's interface link type (LINKTYPE_ value; see link_type above)
    std::int64_t timestamp_ns = 0;    // since the epoch
    std::uint32_t captured_length = 0;
    std::uint32_t wire_length = 0;
    std::uint32_t interface_id = 0;   // pcapng interface within its section; 0 for pcap
    std::span<const std::uint8_t> data;  // points into the input given to next()
};

class CaptureFileParser {
public:
    enum class Format : std::uint8_t { unknown, pcap, pcapng };
    enum class Step : std::uint8_t {
        record,     // `record` filled; `consumed` bytes used
        skipped,    // a file header or a block without a packet; `consumed` bytes used
        need_more,  // `needed` bytes (from the current position) are required; at end of input: truncated file
        error,      // corrupt or not a capture file; error() says why, in one line
    };
    struct Outcome {
        Step step = Step::need_more;
        std::size_t consumed = 0;
        std::size_t needed = 0;
    };

    // Hard caps that keep hostile files from asking for absurd amounts of memory.
    static constexpr std::size_t max_record_bytes = 16u << 20;
    static constexpr std::size_t max_interfaces = 4096;

    // `input` is the not yet consumed rest of the stream (at least what the last need_more asked for, if possible).
    Outcome next(std::span<const std::uint8_t> input, CaptureRecord& record);

    Format format() const { return format_; }
    const std::string& error() const { return error_; }
    // Link type of the file (pcap) or of the first interface (pcapng); -1 before it is known.
    int first_link_type() const { return first_link_type_; }
    // True when the file's timestamps are finer than microseconds (pcap nanosecond magic, pcapng if_tsresol).
    bool nanosecond() const { return nanosecond_; }
    // Distinct link types seen so far (pcapng interfaces may differ).
    const std::vector<int>& link_types() const { return link_types_; }

private:
    struct Interface {
        int link_type = -1;
        bool power_of_two = false;  // resolution 2^-exponent instead of 10^-exponent
        std::uint8_t exponent = 6;
        std::int64_t offset_seconds = 0;
    };
    Outcome fail(std::string message);
    Outcome read_file_header(std::span<const std::uint8_t> input);
    Outcome read_pcap_record(std::span<const std::uint8_t> input, CaptureRecord& record);
    Outcome read_pcapng_block(std::span<const std::uint8_t> input, CaptureRecord& record);
    Outcome read_section_header(std::span<const std::uint8_t> block);
    Outcome read_interface(std::span<const std::uint8_t> block, std::size_t consumed);
    std::uint16_t u16(const std::uint8_t* p) const;
    std::uint32_t u32(const std::uint8_t* p) const;
    void note_link_type(int link_type);

    Format format_ = Format::unknown;
    bool big_endian_ = false;  // byte order of multi-byte fields (pcap: the file's; pcapng: the section's)
    bool nanosecond_ = false;
    bool pcap_nanosecond_ = false;
    bool pcap_modified_ = false;  // 24-byte record headers (Kuznetzov's patched libpcap)
    int pcap_link_type_ = -1;
    int first_link_type_ = -1;
    bool failed_ = false;
    std::string error_;
    std::vector<Interface> interfaces_;
    std::vector<int> link_types_;
};

}  // namespace nettool
