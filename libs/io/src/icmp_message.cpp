// Pure ICMP / ICMPv6 parsing and building: bytes in, struct out. No sockets, clocks, globals or logging.
#include "nettool/io/icmp.hpp"

#include <algorithm>
#include <array>

namespace nettool {
namespace {

constexpr std::size_t icmp_header_size = 8;
constexpr std::size_t ipv4_min_header = 20;
constexpr std::size_t ipv6_header_size = 40;
constexpr std::uint8_t proto_icmp = 1;
constexpr std::uint8_t proto_icmpv6 = 58;

std::uint16_t read16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at) {
    return (static_cast<std::uint32_t>(b[at]) << 24) | (static_cast<std::uint32_t>(b[at + 1]) << 16) |
           (static_cast<std::uint32_t>(b[at + 2]) << 8) | static_cast<std::uint32_t>(b[at + 3]);
}

IcmpMessage fail(IcmpMessage m, IcmpParseStatus status, std::string why) {
    m.status = status;
    m.error = std::move(why);
    return m;
}

IcmpMessageKind kind_of(IpFamily family, std::uint8_t type) {
    if (family == IpFamily::v4) {
        switch (type) {
            case 0: return IcmpMessageKind::echo_reply;
            case 8: return IcmpMessageKind::echo_request;
            case 3: return IcmpMessageKind::destination_unreachable;
            case 11: return IcmpMessageKind::time_exceeded;
            case 12: return IcmpMessageKind::parameter_problem;
            default: return IcmpMessageKind::other;
        }
    }
    switch (type) {
        case 129: return IcmpMessageKind::echo_reply;
        case 128: return IcmpMessageKind::echo_request;
        case 1: return IcmpMessageKind::destination_unreachable;
        case 2: return IcmpMessageKind::packet_too_big;
        case 3: return IcmpMessageKind::time_exceeded;
        case 4: return IcmpMessageKind::parameter_problem;
        default: return IcmpMessageKind::other;
    }
}

bool is_error_kind(IcmpMessageKind kind) {
    return kind == IcmpMessageKind::destination_unreachable || kind == IcmpMessageKind::packet_too_big ||
           kind == IcmpMessageKind::time_exceeded || kind == IcmpMessageKind::parameter_problem;
}

// The echo request an IPv4 error quotes: IPv4 header (any options) then at least the 8-byte ICMP header.
std::optional<IcmpQuotedEcho> quoted_echo_v4(std::span<const std::uint8_t> q) {
    if (q.size() < ipv4_min_header) return std::nullopt;
    if ((q[0] >> 4) != 4) return std::nullopt;
    std::size_t ihl = static_cast<std::size_t>(q[0] & 0x0F) * 4;
    if (ihl < ipv4_min_header || q.size() < ihl + icmp_header_size) return std::nullopt;
    if (q[9] != proto_icmp) return std::nullopt;
    // A non-first fragment carries no ICMP header.
    if ((read16(q, 6) & 0x1FFF) != 0) return std::nullopt;
    auto icmp = q.subspan(ihl);
    if (icmp[0] != 8 || icmp[1] != 0) return std::nullopt;
    IcmpQuotedEcho echo;
    echo.source = IpAddress::from_v4_bytes(q.subspan(12, 4));
    echo.destination = IpAddress::from_v4_bytes(q.subspan(16, 4));
    echo.identifier = read16(icmp, 4);
    echo.sequence = read16(icmp, 6);
    return echo;
}

// The echo request an ICMPv6 error quotes: IPv6 header, extension headers (walked, bounded), ICMPv6 header.
std::optional<IcmpQuotedEcho> quoted_echo_v6(std::span<const std::uint8_t> q) {
    if (q.size() < ipv6_header_size) return std::nullopt;
    if ((q[0] >> 4) != 6) return std::nullopt;
    std::uint8_t next = q[6];
    std::size_t at = ipv6_header_size;
    for (int hops = 0; hops < 8 && next != proto_icmpv6; ++hops) {
        if (next == 44) {  // fragment header: fixed 8 bytes; only the first fragment has the ICMPv6 header
            if (q.size() < at + 8) return std::nullopt;
            if ((read16(q, at + 2) & 0xFFF8) != 0) return std::nullopt;
            next = q[at];
            at += 8;
        } else if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
            if (q.size() < at + 2) return std::nullopt;
            std::size_t length = (static_cast<std::size_t>(q[at + 1]) + 1) * 8;
            next = q[at];
            at += length;
        } else {
            return std::nullopt;
        }
    }
    if (next != proto_icmpv6 || q.size() < at + icmp_header_size) return std::nullopt;
    auto icmp = q.subspan(at);
    if (icmp[0] != 128 || icmp[1] != 0) return std::nullopt;
    IcmpQuotedEcho echo;
    echo.source = IpAddress::from_v6_bytes(q.subspan(8, 16));
    echo.destination = IpAddress::from_v6_bytes(q.subspan(24, 16));
    echo.identifier = read16(icmp, 4);
    echo.sequence = read16(icmp, 6);
    return echo;
}

}  // namespace

const char* to_string(IcmpParseStatus status) {
    switch (status) {
        case IcmpParseStatus::ok: return "ok";
        case IcmpParseStatus::truncated: return "truncated";
        case IcmpParseStatus::malformed: return "malformed";
        case IcmpParseStatus::bad_checksum: return "bad_checksum";
    }
    return "malformed";
}

const char* to_string(IcmpMessageKind kind) {
    switch (kind) {
        case IcmpMessageKind::other: return "other";
        case IcmpMessageKind::echo_reply: return "echo_reply";
        case IcmpMessageKind::echo_request: return "echo_request";
        case IcmpMessageKind::destination_unreachable: return "destination_unreachable";
        case IcmpMessageKind::packet_too_big: return "packet_too_big";
        case IcmpMessageKind::time_exceeded: return "time_exceeded";
        case IcmpMessageKind::parameter_problem: return "parameter_problem";
    }
    return "other";
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes) {
    std::uint32_t sum = 0;
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum += static_cast<std::uint32_t>((bytes[i] << 8) | bytes[i + 1]);
    if (i < bytes.size()) sum += static_cast<std::uint32_t>(bytes[i] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

std::vector<std::uint8_t> build_echo_request(IpFamily family, std::uint16_t identifier, std::uint16_t sequence,
                                             std::span<const std::uint8_t> payload) {
    std::vector<std::uint8_t> packet(icmp_header_size + payload.size());
    packet[0] = family == IpFamily::v6 ? 128 : 8;
    packet[1] = 0;
    packet[4] = static_cast<std::uint8_t>(identifier >> 8);
    packet[5] = static_cast<std::uint8_t>(identifier & 0xFF);
    packet[6] = static_cast<std::uint8_t>(sequence >> 8);
    packet[7] = static_cast<std::uint8_t>(sequence & 0xFF);
    for (std::size_t i = 0; i < payload.size(); ++i) packet[icmp_header_size + i] = payload[i];
    if (family != IpFamily::v6) {
        std::uint16_t sum = internet_checksum(packet);
        packet[2] = static_cast<std::uint8_t>(sum >> 8);
        packet[3] = static_cast<std::uint8_t>(sum & 0xFF);
    }
    return packet;
}

IcmpMessage parse_icmp_message(std::span<const std::uint8_t> bytes, IpFamily family,
                               const IcmpParseOptions& options) {
    IcmpMessage m;
    m.family = family;
    if (family != IpFamily::v4 && family != IpFamily::v6) {
        return fail(m, IcmpParseStatus::malformed, "no address family given");
    }
    std::span<const std::uint8_t> icmp = bytes;
    if (options.with_ip_header) {
        if (family != IpFamily::v4) return fail(m, IcmpParseStatus::malformed, "IP header expected only for IPv4");
        if (bytes.empty()) return fail(m, IcmpParseStatus::truncated, "empty packet");
        if ((bytes[0] >> 4) != 4) {
            return fail(m, IcmpParseStatus::malformed, "IP version " + std::to_string(bytes[0] >> 4) + ", not 4");
        }
        if (bytes.size() < ipv4_min_header) {
            return fail(m, IcmpParseStatus::truncated,
                        "IPv4 header cut at " + std::to_string(bytes.size()) + " bytes");
        }
        std::size_t ihl = static_cast<std::size_t>(bytes[0] & 0x0F) * 4;
        if (ihl < ipv4_min_header) {
            return fail(m, IcmpParseStatus::malformed, "IPv4 header length " + std::to_string(ihl) + " < 20");
        }
        if (bytes.size() < ihl) {
            return fail(m, IcmpParseStatus::truncated, "IPv4 options cut at " + std::to_string(bytes.size()));
        }
        std::size_t total = read16(bytes, 2);
        if (total < ihl) {
            return fail(m, IcmpParseStatus::malformed,
                        "IPv4 total length " + std::to_string(total) + " < header length " + std::to_string(ihl));
        }
        if (bytes[9] != proto_icmp) {
            return fail(m, IcmpParseStatus::malformed, "IP protocol " + std::to_string(bytes[9]) + ", not ICMP");
        }
        m.has_ip_header = true;
        m.source = IpAddress::from_v4_bytes(bytes.subspan(12, 4));
        m.destination = IpAddress::from_v4_bytes(bytes.subspan(16, 4));
        m.ttl = bytes[8];
        // Linux hands raw sockets the whole datagram; trust the smaller of captured and declared length.
        std::size_t end = std::min(bytes.size(), total);
        icmp = bytes.subspan(ihl, end - ihl);
    }
    if (icmp.size() < icmp_header_size) {
        return fail(m, IcmpParseStatus::truncated,
                    "ICMP header cut at " + std::to_string(icmp.size()) + " of 8 bytes");
    }
    m.type = icmp[0];
    m.code = icmp[1];
    m.kind = kind_of(family, m.type);
    m.icmp_length = icmp.size();
    if (family == IpFamily::v4 && options.verify_checksum && internet_checksum(icmp) != 0) {
        return fail(m, IcmpParseStatus::bad_checksum, "ICMP checksum mismatch");
    }
    switch (m.kind) {
        case IcmpMessageKind::echo_reply:
        case IcmpMessageKind::echo_request:
            m.identifier = read16(icmp, 4);
            m.sequence = read16(icmp, 6);
            m.echo_data = icmp.subspan(icmp_header_size);
            break;
        default: break;
    }
    if (is_error_kind(m.kind)) {
        if (m.kind == IcmpMessageKind::packet_too_big) m.mtu = read32(icmp, 4);
        if (family == IpFamily::v4 && m.kind == IcmpMessageKind::destination_unreachable && m.code == 4) {
            m.mtu = read16(icmp, 6);
        }
        auto quoted = icmp.subspan(icmp_header_size);
        m.quoted_echo = family == IpFamily::v4 ? quoted_echo_v4(quoted) : quoted_echo_v6(quoted);
    }
    m.status = IcmpParseStatus::ok;
    return m;
}

std::optional<EchoStatus> echo_status_for(IpFamily family, int type, int code) {
    (void)code;
    switch (kind_of(family, static_cast<std::uint8_t>(type & 0xFF))) {
        case IcmpMessageKind::destination_unreachable:
        case IcmpMessageKind::packet_too_big:
        case IcmpMessageKind::parameter_problem: return EchoStatus::unreachable;
        case IcmpMessageKind::time_exceeded: return EchoStatus::time_exceeded;
        default: return std::nullopt;
    }
}

std::string describe_icmp(IpFamily family, int type, int code) {
    if (family == IpFamily::v4) {
        if (type == 0) return "Echo Reply";
        if (type == 8) return "Echo Request";
        if (type == 3) {
            static const std::array<const char*, 16> unreachable = {
                "Destination Net Unreachable",
                "Destination Host Unreachable",
                "Destination Protocol Unreachable",
                "Destination Port Unreachable",
                "Frag needed and DF set",
                "Source Route Failed",
                "Destination Net Unknown",
                "Destination Host Unknown",
                "Source Host Isolated",
                "Destination Net Prohibited",
                "Destination Host Prohibited",
                "Destination Net Unreachable for Type of Service",
                "Destination Host Unreachable for Type of Service",
                "Packet filtered (communication administratively prohibited)",
                "Precedence Violation",
                "Precedence Cutoff",
            };
            if (code >= 0 && code < static_cast<int>(unreachable.size())) return unreachable[code];
            return "Destination Unreachable, Bad Code: " + std::to_string(code);
        }
        if (type == 11) {
            if (code == 0) return "Time to live exceeded";
            if (code == 1) return "Frag reassembly time exceeded";
            return "Time exceeded, Bad Code: " + std::to_string(code);
        }
        if (type == 12) return "Parameter problem: pointer = " + std::to_string(code);
        if (type == 5) return "Redirect";
        if (type == 4) return "Source Quench";
        return "ICMP type " + std::to_string(type) + " code " + std::to_string(code);
    }
    if (type == 129) return "Echo Reply";
    if (type == 128) return "Echo Request";
    if (type == 1) {
        static const std::array<const char*, 8> unreachable = {
            "No route",
            "Administratively prohibited",
            "Beyond scope of source address",
            "Address unreachable",
            "Port unreachable",
            "Source address failed ingress/egress policy",
            "Reject route to destination",
            "Error in source routing header",
        };
        if (code >= 0 && code < static_cast<int>(unreachable.size())) {
            return std::string("Destination unreachable: ") + unreachable[code];
        }
        return "Destination unreachable: Unknown code " + std::to_string(code);
    }
    if (type == 2) return "Packet too big";
    if (type == 3) {
        if (code == 0) return "Time exceeded: Hop limit";
        if (code == 1) return "Time exceeded: Defragmentation failure";
        return "Time exceeded: code " + std::to_string(code);
    }
    if (type == 4) return "Parameter problem: code " + std::to_string(code);
    return "ICMPv6 type " + std::to_string(type) + " code " + std::to_string(code);
}

}  // namespace nettool
