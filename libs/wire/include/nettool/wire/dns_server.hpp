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
    std::vector<std::string> search;     // the last "search" or "domain" line wins, as in glibc
    // "options ndots:N timeout:N attempts:N rotate": how the system stub resolver (glibc) searches, waits and
    // fails over, capped as glibc caps them (15, 30 s, 5); glibc's defaults otherwise.
    int ndots = 1;
    int timeout_s = 5;   // per try and server (RES_TIMEOUT)
    int attempts = 2;    // rounds over the server list (RES_DFLRETRY)
    bool rotate = false;
    std::size_t skipped_lines = 0;       // lines we did not understand (counted, not fatal)
};

// Parses resolv.conf text ("nameserver", "search", "domain", "options"; comments with # or ;). Zone ids (%eth0)
// dropped.
ResolvConf parse_resolv_conf(std::string_view text);

}  // namespace nettool
