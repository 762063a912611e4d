#include "nettool/doctor/system.hpp"

#include <charconv>
#include <sstream>
#include <vector>

namespace nettool::doctor {
namespace {

std::vector<std::string> split_fields(std::string_view line) {
    std::vector<std::string> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) fields.emplace_back(line.substr(start, i - start));
    }
    return fields;
}

template <class Each>
void for_each_line(std::string_view text, Each&& each) {
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        each(line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

std::optional<unsigned long> parse_hex(std::string_view text) {
    unsigned long value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::optional<IpAddress> parse_hex_v6(std::string_view text) {
    if (text.size() != 32) return std::nullopt;
    std::uint8_t bytes[16];
    for (std::size_t k = 0; k < 16; ++k) {
        auto byte = parse_hex(text.substr(2 * k, 2));
        if (!byte) return std::nullopt;
        bytes[k] = static_cast<std::uint8_t>(*byte);
    }
    return IpAddress::from_v6_bytes(bytes);
}

constexpr unsigned long rtf_up = 0x0001;
constexpr unsigned long rtf_reject = 0x0200;
constexpr unsigned long atf_com = 0x02;

}  // namespace

std::optional<Ipv6DefaultRoute> parse_ipv6_default_route(std::string_view table, const std::string& interface) {
    std::optional<Ipv6DefaultRoute> best;
    for_each_line(table, [&](std::string_view line) {
        auto f = split_fields(line);
        if (f.size() < 10) return;
        auto dest = parse_hex_v6(f[0]);
        auto dest_len = parse_hex(f[1]);
        auto next_hop = parse_hex_v6(f[4]);
        auto metric = parse_hex(f[5]);
        auto flags = parse_hex(f[8]);
        if (!dest || !dest_len || !next_hop || !metric || !flags) return;
        if (*dest_len != 0 || *dest != IpAddress::from_v6_bytes(std::array<std::uint8_t, 16>{})) return;
        if ((*flags & rtf_up) == 0 || (*flags & rtf_reject) != 0 || f[9] == "lo") return;
        if (!interface.empty() && f[9] != interface) return;
        if (best && best->metric <= *metric) return;
        Ipv6DefaultRoute route;
        route.interface = f[9];
        route.metric = static_cast<unsigned>(*metric);
        if (*next_hop != IpAddress::from_v6_bytes(std::array<std::uint8_t, 16>{})) route.gateway = *next_hop;
        best = route;
    });
    return best;
}

NeighbourEntry parse_arp_entry(std::string_view table, const IpAddress& address, const std::string& interface) {
    NeighbourEntry entry;
    for_each_line(table, [&](std::string_view line) {
        // IP address, HW type, Flags, HW address, Mask, Device
        auto f = split_fields(line);
        if (f.size() < 6) return;
        auto ip = IpAddress::parse(f[0]);
        if (!ip || *ip != address) return;
        if (!interface.empty() && f[5] != interface) return;
        std::string_view flags_text = f[2];
        if (flags_text.starts_with("0x")) flags_text.remove_prefix(2);
        auto flags = parse_hex(flags_text);
        if (!flags) return;
        if ((*flags & atf_com) != 0) {
            entry.state = NeighbourState::unknown;
            entry.detail = "entry " + f[3] + " on " + f[5] + " (possibly from before the run: not re-checked)";
        } else {
            entry.state = NeighbourState::failed;
            entry.detail = "incomplete entry on " + f[5] + " (no ARP reply)";
        }
    });
    return entry;
}

std::optional<MacAddress> parse_mac(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text.size() != 17) return std::nullopt;
    MacAddress mac{};
    for (std::size_t k = 0; k < 6; ++k) {
        if (k > 0 && text[3 * k - 1] != ':') return std::nullopt;
        auto byte = parse_hex(text.substr(3 * k, 2));
        if (!byte) return std::nullopt;
        mac[k] = static_cast<std::uint8_t>(*byte);
    }
    return mac;
}

std::string format_mac(const MacAddress& mac) {
    static const char digits[] = "0123456789abcdef";
    std::string text;
    for (std::size_t k = 0; k < mac.size(); ++k) {
        if (k > 0) text += ':';
        text += digits[mac[k] >> 4];
        text += digits[mac[k] & 0xf];
    }
    return text;
}

namespace {
constexpr std::size_t arp_packet_size = 28;
constexpr std::uint16_t arp_request = 1;
constexpr std::uint16_t arp_reply = 2;
}  // namespace

std::vector<std::uint8_t> build_arp_request(const MacAddress& sender_mac, const IpAddress& sender_ip,
                                            const IpAddress& target) {
    std::vector<std::uint8_t> p(arp_packet_size, 0);
    p[1] = 1;                // hardware type Ethernet
    p[2] = 0x08;             // protocol type IPv4
    p[4] = 6;                // hardware address length
    p[5] = 4;                // protocol address length
    p[7] = arp_request;
    std::copy(sender_mac.begin(), sender_mac.end(), p.begin() + 8);
    std::copy(sender_ip.bytes.begin(), sender_ip.bytes.begin() + 4, p.begin() + 14);
    std::copy(target.bytes.begin(), target.bytes.begin() + 4, p.begin() + 24);
    return p;
}

std::optional<MacAddress> parse_arp_answer(std::span<const std::uint8_t> p, const IpAddress& target) {
    if (p.size() < arp_packet_size || !target.is_v4()) return std::nullopt;
    if (p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0 || p[4] != 6 || p[5] != 4) return std::nullopt;
    const std::uint16_t operation = static_cast<std::uint16_t>(p[6] << 8 | p[7]);
    if (operation != arp_reply && operation != arp_request) return std::nullopt;
    if (!std::equal(p.begin() + 14, p.begin() + 18, target.bytes.begin())) return std::nullopt;
    MacAddress mac{};
    std::copy(p.begin() + 8, p.begin() + 14, mac.begin());
    return mac;
}

}  // namespace nettool::doctor
