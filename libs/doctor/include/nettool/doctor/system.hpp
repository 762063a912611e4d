#pragma once
// The kernel tables doctor reads beside what io and dnscheck already parse (the IPv4 default route and gateway):
// the IPv6 default route and the IPv4 neighbour table. Pure: text in, values out; malformed lines are skipped.
#include "nettool/doctor/doctor.hpp"
#include "nettool/wire/ip_address.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::doctor {

struct Ipv6DefaultRoute {
    std::string interface;
    std::optional<IpAddress> gateway;  // nullopt for a route without next hop
    unsigned metric = 0;
};

// The up, non-reject IPv6 default route (::/0) with the lowest metric from /proc/net/ipv6_route text; when
// `interface` is not empty, only routes through it count.
std::optional<Ipv6DefaultRoute> parse_ipv6_default_route(std::string_view proc_net_ipv6_route,
                                                         const std::string& interface = {});

struct NeighbourEntry {
    NeighbourState state = NeighbourState::unknown;  // unknown: no entry for the address
    std::string detail;
};

// The entry for `address` in /proc/net/arp text. An entry without ATF_COM (0x2) (incomplete, hardware address
// 00:00:00:00:00:00) = the kernel asked and got no ARP answer: failed. A complete entry may be stale (learnt before
// the run, not re-checked yet), so it proves nothing about now: unknown, with the address in the detail.
NeighbourEntry parse_arp_entry(std::string_view proc_net_arp, const IpAddress& address,
                               const std::string& interface = {});

using MacAddress = std::array<std::uint8_t, 6>;

// "02:00:5e:10:00:01" (sysfs `address`) -> bytes; nullopt for anything else.
std::optional<MacAddress> parse_mac(std::string_view text);
std::string format_mac(const MacAddress& mac);

// An Ethernet/IPv4 ARP request (the 28-byte ARP packet, no Ethernet header): who has `target`? tell `sender_ip`.
std::vector<std::uint8_t> build_arp_request(const MacAddress& sender_mac, const IpAddress& sender_ip,
                                            const IpAddress& target);
// The sender hardware address of an ARP reply (or request: a gratuitous announcement counts too) from `target`;
// nullopt for anything else, short or malformed packets included.
std::optional<MacAddress> parse_arp_answer(std::span<const std::uint8_t> packet, const IpAddress& target);

}  // namespace nettool::doctor
