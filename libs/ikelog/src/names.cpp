// --resolve NAME without an address: ask DNS now (A and AAAA at once) through the project's DnsClient.
// DNS only, never /etc/hosts: the question is what dynamic DNS publishes for the peer, which a hosts entry would hide.
#include "nettool/ikelog/ike_log.hpp"

#include "nettool/io/dns_client.hpp"
#include "nettool/wire/ip_address.hpp"

#include <algorithm>
#include <set>

namespace nettool::ikelog {

void lookup_name(NameCheck& check, const std::vector<DnsServer>& servers) {
    if (auto literal = IpAddress::parse(check.name)) {
        check.addresses = {literal->to_string()};
        return;
    }
    std::vector<DnsServer> use = servers;
    if (use.empty()) {
        auto conf = read_resolv_conf();
        if (!conf) {
            check.error = conf.error().describe();
            return;
        }
        use = conf->nameservers;
        if (use.empty()) {
            check.error = "no DNS server configured (give --dns-server)";
            return;
        }
    }
    IoContext io;
    DnsClient client(io, use);
    DnsQueryOptions options;
    options.tries = 2;
    std::set<std::string> seen;
    std::vector<std::string> errors;
    for (std::uint16_t type : {std::uint16_t{1}, std::uint16_t{28}}) {
        Status started = client.query(check.name, type, options, [&, type](DnsResult result) {
            if (result.outcome == DnsOutcome::answer) {
                for (const DnsRecord* r : result.records()) {
                    if (r->address && seen.insert(r->address->to_string()).second) {
                        check.addresses.push_back(r->address->to_string());
                    }
                }
            } else if (result.outcome != DnsOutcome::nodata) {
                errors.push_back(std::string(type == 1 ? "A: " : "AAAA: ") + to_string(result.outcome));
            }
        });
        if (!started) {
            check.error = started.error().describe();
            return;
        }
    }
    io.run();
    if (check.addresses.empty()) {
        std::sort(errors.begin(), errors.end());  // "A: ..." before "AAAA: ...", whichever answered first
        std::string joined;
        for (const auto& e : errors) joined += (joined.empty() ? "" : ", ") + e;
        check.error = joined.empty() ? "no address records" : joined;
    }
}

}  // namespace nettool::ikelog
