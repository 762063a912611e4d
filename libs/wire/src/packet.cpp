// decode_packet: one pass over the captured bytes, no allocation, no copies. Every read is preceded by a length
// check against the captured size; lengths from the headers are only compared, never trusted for indexing.
#include "nettool/wire/packet.hpp"

#include <algorithm>
#include <cstddef>

namespace nettool {

namespace {

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86dd;
constexpr std::uint16_t ethertype_vlan = 0x8100;      // 802.1Q C-tag
constexpr std::uint16_t ethertype_qinq = 0x88a8;      // 802.1ad S-tag
constexpr std::uint16_t ethertype_qinq_old = 0x9100;  // pre-standard QinQ
constexpr std::uint16_t ethertype_pppoe_session = 0x8864;
constexpr std::uint16_t ppp_ipv4 = 0x0021;
constexpr std::uint16_t ppp_ipv6 = 0x0057;
constexpr int max_vlan_tags = 8;         // more than this is not a real frame
constexpr int max_ipv6_ext_headers = 16;  // bounded walk of the extension header chain

constexpr std::uint8_t ipv6_hop_by_hop = 0;
constexpr std::uint8_t ipv6_routing = 43;
constexpr std::uint8_t ipv6_fragment = 44;
constexpr std::uint8_t ipv6_esp = 50;
constexpr std::uint8_t ipv6_ah = 51;
constexpr std::uint8_t ipv6_no_next = 59;
constexpr std::uint8_t ipv6_dest_options = 60;

inline std::uint16_t be16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
inline std::uint32_t be32(const std::uint8_t* p) {
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | p[3];
}
inline std::uint32_t le32(const std::uint8_t* p) {
    return (static_cast<std::uint32_t>(p[3]) << 24) | (static_cast<std::uint32_t>(p[2]) << 16) |
           (static_cast<std::uint32_t>(p[1]) << 8) | p[0];
}
inline std::uint16_t clamp16(std::size_t value) {
    return static_cast<std::uint16_t>(std::min<std::size_t>(value, 0xffff));
}

inline void set_v4(IpAddress& address, const std::uint8_t* p) {
    address.family = IpFamily::v4;
    std::copy_n(p, 4, address.bytes.begin());
}
inline void set_v6(IpAddress& address, const std::uint8_t* p) {
    address.family = IpFamily::v6;
    std::copy_n(p, 16, address.bytes.begin());
}

inline DecodeStatus link_failure(PacketView& out, LayerStatus layer) {
    out.link_status = layer;
    out.status = layer == LayerStatus::truncated ? DecodeStatus::truncated : DecodeStatus::malformed;
    return out.status;
}
inline DecodeStatus ip_failure(PacketView& out, LayerStatus layer) {
    out.ip_status = layer;
    out.status = layer == LayerStatus::truncated ? DecodeStatus::truncated : DecodeStatus::malformed;
    return out.status;
}

inline void transport_failure(PacketView& out, LayerStatus layer) {
    out.transport_status = layer;
    out.transport_truncated = layer == LayerStatus::truncated;
    if (layer == LayerStatus::malformed) {
        out.transport_decoded = false;
        out.payload_wire_length = 0;
    }
    out.payload = {};
}

// The transport header at frame[offset]: `captured` bytes of it are in the buffer (already trimmed to the IP
// length), `wire` bytes according to the IP header.
void decode_transport(std::uint8_t protocol, const std::uint8_t* frame, std::size_t offset, std::size_t captured,
                      std::size_t wire, PacketView& out) {
    const std::uint8_t* t = frame + offset;
    out.transport_offset = clamp16(offset);
    switch (protocol) {
        case ip_proto::tcp: {
            if (wire < 20) return transport_failure(out, LayerStatus::malformed);
            if (captured < 20) return transport_failure(out, LayerStatus::truncated);
            out.src_port = be16(t);
            out.dst_port = be16(t + 2);
            out.tcp_seq = be32(t + 4);
            out.tcp_ack = be32(t + 8);
            out.tcp_flags = t[13];
            out.tcp_window = be16(t + 14);
            out.transport_decoded = true;
            const std::size_t header = static_cast<std::size_t>(t[12] >> 4) * 4;
            if (header < 20 || header > wire) return transport_failure(out, LayerStatus::malformed);
            out.payload_wire_length = static_cast<std::uint32_t>(wire - header);
            if (header > captured) return transport_failure(out, LayerStatus::truncated);
            out.transport_status = LayerStatus::ok;
            out.payload = {t + header, captured - header};
            return;
        }
        case ip_proto::udp: {
            if (wire < 8) return transport_failure(out, LayerStatus::malformed);
            if (captured < 8) return transport_failure(out, LayerStatus::truncated);
            out.src_port = be16(t);
            out.dst_port = be16(t + 2);
            std::size_t length = be16(t + 4);
            if (length == 0 && out.ip_length_from_capture && out.src.is_v6()) length = wire;  // RFC 2675 jumbogram
            // A first fragment carries only part of the datagram, so the UDP length may exceed it.
            if (length < 8 || (length > wire && !out.is_first_fragment)) {
                return transport_failure(out, LayerStatus::malformed);
            }
            out.transport_decoded = true;
            out.transport_status = LayerStatus::ok;
            out.payload_wire_length = static_cast<std::uint32_t>(length - 8);
            out.payload = {t + 8, std::min(captured, length) - 8};
            return;
        }
        case ip_proto::icmp:
        case ip_proto::icmpv6: {
            if (wire < 8) return transport_failure(out, LayerStatus::malformed);
            if (captured < 4) return transport_failure(out, LayerStatus::truncated);
            out.icmp_type = t[0];
            out.icmp_code = t[1];
            out.transport_decoded = true;
            out.payload_wire_length = static_cast<std::uint32_t>(wire - 8);
            if (captured < 8) return transport_failure(out, LayerStatus::truncated);
            out.icmp_id = be16(t + 4);
            out.icmp_seq = be16(t + 6);
            out.transport_status = LayerStatus::ok;
            out.payload = {t + 8, captured - 8};
            return;
        }
        default:
            // No transport header we decode (GRE, ESP, SCTP, ...): the payload is the IP payload.
            out.transport_status = LayerStatus::absent;
            out.payload = {t, captured};
            out.payload_wire_length = static_cast<std::uint32_t>(wire);
            return;
    }
}

DecodeStatus decode_ipv4(const std::uint8_t* frame, std::size_t size, std::size_t offset, PacketView& out) {
    const std::uint8_t* ip = frame + offset;
    const std::size_t available = size - offset;
    if ((ip[0] >> 4) != 4) return ip_failure(out, LayerStatus::malformed);  // decode_ip saw at least one byte
    if (available < 20) return ip_failure(out, LayerStatus::truncated);
    const std::size_t header = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
    std::size_t total = be16(ip + 2);
    out.ip_id = be16(ip + 4);
    const std::uint16_t flags_offset = be16(ip + 6);
    out.dont_fragment = (flags_offset & 0x4000) != 0;
    out.more_fragments = (flags_offset & 0x2000) != 0;
    out.fragment_offset = static_cast<std::uint16_t>((flags_offset & 0x1fff) * 8);
    out.is_fragment = out.more_fragments || out.fragment_offset != 0;
    out.is_first_fragment = out.is_fragment && out.fragment_offset == 0;
    out.ttl = ip[8];
    out.ip_protocol = ip[9];
    set_v4(out.src, ip + 12);
    set_v4(out.dst, ip + 16);
    if (header < 20) return ip_failure(out, LayerStatus::malformed);
    if (total == 0) {
        // TCP segmentation offload on the capturing host leaves 0 here; the captured length is the best we have.
        out.ip_length_from_capture = true;
        total = available;
    }
    if (total < header) return ip_failure(out, LayerStatus::malformed);
    out.ip_length = static_cast<std::uint32_t>(total);
    if (header > available) return ip_failure(out, LayerStatus::truncated);
    out.ip_status = LayerStatus::ok;
    out.status = DecodeStatus::ok;
    const std::size_t end = std::min(total, available);  // drops Ethernet padding
    if (out.fragment_offset != 0) {
        out.payload = {ip + header, end - header};
        out.payload_wire_length = static_cast<std::uint32_t>(total - header);
        return out.status;
    }
    decode_transport(out.ip_protocol, frame, offset + header, end - header, total - header, out);
    return out.status;
}

DecodeStatus decode_ipv6(const std::uint8_t* frame, std::size_t size, std::size_t offset, PacketView& out) {
    const std::uint8_t* ip = frame + offset;
    const std::size_t available = size - offset;
    if ((ip[0] >> 4) != 6) return ip_failure(out, LayerStatus::malformed);
    if (available < 40) return ip_failure(out, LayerStatus::truncated);
    std::size_t total = static_cast<std::size_t>(be16(ip + 4)) + 40;
    std::uint8_t next = ip[6];
    out.ttl = ip[7];
    set_v6(out.src, ip + 8);
    set_v6(out.dst, ip + 24);
    if (total == 40 && next != ipv6_no_next && available > 40) {
        // Payload length 0 with data behind it: a jumbogram or a segmentation-offload capture.
        out.ip_length_from_capture = true;
        total = available;
    }
    out.ip_length = static_cast<std::uint32_t>(total);
    const std::size_t end = std::min(total, available);
    std::size_t position = 40;
    out.ip_protocol = next;
    for (int walked = 0;; ++walked) {
        if (walked == max_ipv6_ext_headers) return ip_failure(out, LayerStatus::malformed);
        std::size_t length = 0;
        switch (next) {
            case ipv6_hop_by_hop:
            case ipv6_routing:
            case ipv6_dest_options:
            case ipv6_ah: {
                if (position + 2 > total) return ip_failure(out, LayerStatus::malformed);
                if (position + 2 > end) return ip_failure(out, LayerStatus::truncated);
                length = next == ipv6_ah ? (static_cast<std::size_t>(ip[position + 1]) + 2) * 4
                                         : (static_cast<std::size_t>(ip[position + 1]) + 1) * 8;
                break;
            }
            case ipv6_fragment: {
                length = 8;
                if (position + length > total) return ip_failure(out, LayerStatus::malformed);
                if (position + length > end) return ip_failure(out, LayerStatus::truncated);
                const std::uint16_t offset_flags = be16(ip + position + 2);
                out.is_fragment = true;
                out.fragment_offset = static_cast<std::uint16_t>(offset_flags & 0xfff8);
                out.more_fragments = (offset_flags & 1) != 0;
                out.is_first_fragment = out.fragment_offset == 0;
                out.ip_id = static_cast<std::uint16_t>(be32(ip + position + 4));
                break;
            }
            default: length = 0; break;
        }
        if (length == 0) break;  // reached the upper-layer header (or ESP / no next header)
        if (position + length > total) return ip_failure(out, LayerStatus::malformed);
        if (position + length > end) return ip_failure(out, LayerStatus::truncated);
        next = ip[position];
        position += length;
        out.ip_protocol = next;
        if (out.is_fragment && out.fragment_offset != 0) {
            out.ip_status = LayerStatus::ok;
            out.status = DecodeStatus::ok;
            out.payload = {ip + position, end - position};
            out.payload_wire_length = static_cast<std::uint32_t>(total - position);
            return out.status;
        }
    }
    out.ip_status = LayerStatus::ok;
    out.status = DecodeStatus::ok;
    if (next == ipv6_no_next || next == ipv6_esp) {
        out.payload = {ip + position, end - position};
        out.payload_wire_length = static_cast<std::uint32_t>(total - position);
        return out.status;
    }
    decode_transport(next, frame, offset + position, end - position, total - position, out);
    return out.status;
}

// IP at frame[offset]; version 0 means "look at the version nibble" (raw IP link types).
DecodeStatus decode_ip(const std::uint8_t* frame, std::size_t size, std::size_t offset, int version,
                       PacketView& out) {
    out.ip_offset = clamp16(offset);
    if (offset >= size) return ip_failure(out, LayerStatus::truncated);
    if (version == 0) version = frame[offset] >> 4;
    if (version == 4) return decode_ipv4(frame, size, offset, out);
    if (version == 6) return decode_ipv6(frame, size, offset, out);
    return ip_failure(out, LayerStatus::malformed);
}

// Everything after an ethertype field: VLAN tags, PPPoE session, IP.
DecodeStatus decode_ethertype(std::uint16_t type, const std::uint8_t* frame, std::size_t size, std::size_t offset,
                              PacketView& out) {
    while (type == ethertype_vlan || type == ethertype_qinq || type == ethertype_qinq_old) {
        if (out.vlan_count == max_vlan_tags) return link_failure(out, LayerStatus::malformed);
        if (size - offset < 4) return link_failure(out, LayerStatus::truncated);
        const std::uint16_t id = be16(frame + offset) & 0x0fff;
        if (out.vlan_count == 0) {
            out.has_vlan = true;
            out.vlan_id = id;
        } else {
            out.inner_vlan_id = id;
        }
        ++out.vlan_count;
        type = be16(frame + offset + 2);
        offset += 4;
    }
    out.ethertype = type;
    if (type == ethertype_pppoe_session) {
        if (size - offset < 8) return link_failure(out, LayerStatus::truncated);
        if (frame[offset] != 0x11 || frame[offset + 1] != 0x00) return link_failure(out, LayerStatus::malformed);
        out.pppoe = true;
        const std::uint16_t ppp_protocol = be16(frame + offset + 6);
        out.link_status = LayerStatus::ok;
        if (ppp_protocol == ppp_ipv4) return decode_ip(frame, size, offset + 8, 4, out);
        if (ppp_protocol == ppp_ipv6) return decode_ip(frame, size, offset + 8, 6, out);
        out.status = DecodeStatus::not_ip;
        return out.status;
    }
    out.link_status = LayerStatus::ok;
    if (type == ethertype_ipv4) return decode_ip(frame, size, offset, 4, out);
    if (type == ethertype_ipv6) return decode_ip(frame, size, offset, 6, out);
    out.status = DecodeStatus::not_ip;
    return out.status;
}

// BSD loopback families: AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD),
// 30 (macOS).
DecodeStatus decode_loopback_family(std::uint32_t family, const std::uint8_t* frame, std::size_t size,
                                    PacketView& out) {
    out.link_status = LayerStatus::ok;
    if (family == 2) return decode_ip(frame, size, 4, 4, out);
    if (family == 10 || family == 24 || family == 28 || family == 30) return decode_ip(frame, size, 4, 6, out);
    out.status = DecodeStatus::not_ip;
    return out.status;
}

}  // namespace

const char* to_string(DecodeStatus status) {
    switch (status) {
        case DecodeStatus::ok: return "ok";
        case DecodeStatus::not_ip: return "not_ip";
        case DecodeStatus::truncated: return "truncated";
        case DecodeStatus::malformed: return "malformed";
        case DecodeStatus::unsupported_link: return "unsupported_link";
    }
    return "malformed";
}

const char* to_string(LayerStatus status) {
    switch (status) {
        case LayerStatus::absent: return "absent";
        case LayerStatus::ok: return "ok";
        case LayerStatus::truncated: return "truncated";
        case LayerStatus::malformed: return "malformed";
    }
    return "malformed";
}

bool is_supported_link_type(int type) {
    switch (type) {
        case link_type::null_bsd:
        case link_type::ethernet:
        case link_type::raw:
        case link_type::raw_dlt12:
        case link_type::raw_dlt14:
        case link_type::loop:
        case link_type::linux_sll:
        case link_type::ipv4:
        case link_type::ipv6:
        case link_type::linux_sll2: return true;
        default: return false;
    }
}

const char* link_type_name(int type) {
    switch (type) {
        case link_type::null_bsd: return "NULL";
        case link_type::ethernet: return "EN10MB";
        case link_type::raw:
        case link_type::raw_dlt12:
        case link_type::raw_dlt14: return "RAW";
        case link_type::loop: return "LOOP";
        case link_type::linux_sll: return "LINUX_SLL";
        case link_type::ipv4: return "IPV4";
        case link_type::ipv6: return "IPV6";
        case link_type::linux_sll2: return "LINUX_SLL2";
        default: return "unknown";
    }
}

DecodeStatus decode_packet(int type, std::span<const std::uint8_t> frame, PacketView& out) {
    out = PacketView{};
    const std::uint8_t* p = frame.data();
    const std::size_t size = frame.size();
    switch (type) {
        case link_type::ethernet:
            if (size < 14) return link_failure(out, LayerStatus::truncated);
            if (be16(p + 12) < 0x0600) {  // an 802.3 length field: LLC/SNAP, STP, ... never IP for us
                out.link_status = LayerStatus::ok;
                out.status = DecodeStatus::not_ip;
                return out.status;
            }
            return decode_ethertype(be16(p + 12), p, size, 14, out);
        case link_type::linux_sll:
            // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
            if (size < 16) return link_failure(out, LayerStatus::truncated);
            return decode_ethertype(be16(p + 14), p, size, 16, out);
        case link_type::linux_sll2:
            // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
            if (size < 20) return link_failure(out, LayerStatus::truncated);
            return decode_ethertype(be16(p), p, size, 20, out);
        case link_type::null_bsd: {
            if (size < 4) return link_failure(out, LayerStatus::truncated);
            // Host byte order of the capturing machine, which we do not know: families are small numbers, so a
            // value with only the upper half set was written in the other byte order.
            std::uint32_t family = le32(p);
            if ((family & 0xffff0000u) != 0 && (family & 0x0000ffffu) == 0) family = be32(p);
            return decode_loopback_family(family, p, size, out);
        }
        case link_type::loop:
            if (size < 4) return link_failure(out, LayerStatus::truncated);
            return decode_loopback_family(be32(p), p, size, out);
        case link_type::raw:
        case link_type::raw_dlt12:
        case link_type::raw_dlt14:
            out.link_status = LayerStatus::ok;
            return decode_ip(p, size, 0, 0, out);
        case link_type::ipv4:
            out.link_status = LayerStatus::ok;
            return decode_ip(p, size, 0, 4, out);
        case link_type::ipv6:
            out.link_status = LayerStatus::ok;
            return decode_ip(p, size, 0, 6, out);
        default:
            out.status = DecodeStatus::unsupported_link;
            return out.status;
    }
}

}  // namespace nettool
