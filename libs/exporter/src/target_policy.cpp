#include "nettool/exporter/target_policy.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>

namespace nettool::exporter {

bool TargetPolicy::allows(const IpAddress& address) const {
    IpAddress plain = address.unmapped();
    if (allowed.empty()) return is_private_or_local(plain);
    return std::any_of(allowed.begin(), allowed.end(), [&](const IpPrefix& p) { return p.contains(plain); });
}

std::string TargetPolicy::describe() const {
    if (allowed.empty()) return "private, loopback and link-local addresses";
    std::string out;
    for (const auto& prefix : allowed) out += (out.empty() ? "" : ", ") + prefix.to_string();
    return out;
}

Result<std::vector<IpAddress>> allowed_addresses(const std::string& host, const TargetPolicy& policy) {
    std::vector<IpAddress> addresses;
    if (auto literal = IpAddress::parse(host)) {
        addresses.push_back(*literal);
    } else {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* found = nullptr;
        int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
        if (rc != 0) return usage_error("target '" + host + "' does not resolve: " + ::gai_strerror(rc));
        std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
        for (const addrinfo* ai = found; ai; ai = ai->ai_next) {
            IpAddress address;
            if (ai->ai_family == AF_INET) {
                const auto* in = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
                address = IpAddress::from_v4_bytes({reinterpret_cast<const std::uint8_t*>(&in->sin_addr), 4});
            } else if (ai->ai_family == AF_INET6) {
                const auto* in6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
                address = IpAddress::from_v6_bytes({reinterpret_cast<const std::uint8_t*>(&in6->sin6_addr), 16});
            } else {
                continue;
            }
            if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) addresses.push_back(address);
        }
        if (addresses.empty()) return usage_error("target '" + host + "' has no IPv4 or IPv6 address");
    }
    for (const auto& address : addresses) {
        if (!policy.allows(address)) {
            return usage_error("target " + address.to_string() + (host == address.to_string() ? "" : " (" + host + ")") +
                               " is not allowed: probes may target " + policy.describe() +
                               " (widen with \"allowed_targets\" in --config)");
        }
    }
    return addresses;
}

}  // namespace nettool::exporter
