#pragma once
// A DNS server endpoint and the resolv.conf reader that finds the default ones (pure: text in, servers out).
#include "nettool/core/error.hpp"
#include "nettool/wire/ip_address.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nettool {

struct DnsServer {
    IpAddress address;
    std::uint16_t port = 53;

    // "192.0.2.1", "192.0.2.1:5353", "2001:db8::1", "[2001:db8::1]:5353". Usage error otherwise.
    static Result<DnsServer> parse(std::string_view text);
    std::string to_string() const;  // "192.0.2.1:53", "[2001:db8::1]:53"
    friend bool operator==(const DnsServer&, const DnsServer&) = default;
};

struct ResolvConf {
    std::vector<DnsServer> nameservers;  // in file order, duplicates kept out
    std::vector<std::string> search;
    std::size_t skipped_lines = 0;       // lines we did not understand (counted, not fatal)
    // "options timeout:N attempts:N rotate": how the system stub resolver (glibc) waits and fails over.
    int timeout_seconds = 5;             // per try and server (glibc's RES_TIMEOUT), capped at 30 as glibc does
    int attempts = 2;                    // rounds over the server list (RES_DFLRETRY), capped at 5
    bool rotate = false;
};

// Parses resolv.conf text ("nameserver", "search", "domain"; comments with # or ;). Zone ids (%eth0) dropped.
ResolvConf parse_resolv_conf(std::string_view text);

}  // namespace nettool
