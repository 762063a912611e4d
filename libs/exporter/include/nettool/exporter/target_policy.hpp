#pragma once
// Which addresses /probe may send to. An exporter that pings any address a URL names is an amplifier: by default
// only private, loopback and link-local addresses (the LAN the tool is for), and names that resolve only to them.
#include "nettool/core/error.hpp"
#include "nettool/wire/ip_address.hpp"

#include <string>
#include <vector>

namespace nettool::exporter {

struct TargetPolicy {
    // Empty: the default (is_private_or_local). A config's "allowed_targets" replaces it.
    std::vector<IpPrefix> allowed;
    bool allows(const IpAddress& address) const;
    std::string describe() const;  // "private, loopback and link-local addresses" or the prefixes
};

// Resolves `host` (an address literal, or a name through getaddrinfo, as `getent ahosts` does) and checks every
// address against the policy. Returns the addresses; a usage Error names the refused address or the failed lookup.
Result<std::vector<IpAddress>> allowed_addresses(const std::string& host, const TargetPolicy& policy);

}  // namespace nettool::exporter
