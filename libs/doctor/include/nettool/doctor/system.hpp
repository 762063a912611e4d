#pragma once
// The kernel tables doctor reads beside what io and dnscheck already parse (the IPv4 default route and gateway):
// the IPv6 default route and the IPv4 neighbour table. Pure: text in, values out; malformed lines are skipped.
#include "nettool/doctor/doctor.hpp"
#include "nettool/wire/ip_address.hpp"

#include <optional>
#include <string>
#include <string_view>

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

// The entry for `address` in /proc/net/arp text: flags with ATF_COM (0x2) set = resolved; an entry without it
// (incomplete, hardware address 00:00:00:00:00:00) = the neighbour did not answer ARP.
NeighbourEntry parse_arp_entry(std::string_view proc_net_arp, const IpAddress& address,
                               const std::string& interface = {});

}  // namespace nettool::doctor
