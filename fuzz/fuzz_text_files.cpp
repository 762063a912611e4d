// The small text readers of local files and arguments: resolv.conf, /etc/hosts, /proc/net/route, the P2P host
// inventory (CSV), and IP address / prefix parsing (whose printed form must parse back to the same value).
#include "fuzz_target.hpp"
#include "fuzz_input.hpp"
#include "nettool/io/capture.hpp"
#include "nettool/io/host_resolver.hpp"
#include "nettool/p2p/inventory.hpp"
#include "nettool/wire/dns_server.hpp"
#include "nettool/wire/ip_address.hpp"

NETTOOL_FUZZ_TARGET(text_files) {
    using namespace nettool;
    const std::string_view text = fuzz::as_text(data, size);
    (void)parse_resolv_conf(text);
    (void)parse_hosts_file(text);
    (void)parse_default_route_interface(text);
    (void)p2p::parse_inventory(text, "fuzz.csv");
    if (auto address = IpAddress::parse(text)) {
        const auto again = IpAddress::parse(address->to_string());
        NETTOOL_FUZZ_CHECK(again && *again == *address);
    }
    if (auto prefix = IpPrefix::parse(text)) {
        const auto again = IpPrefix::parse(prefix->to_string());
        NETTOOL_FUZZ_CHECK(again && *again == *prefix);
    }
    return 0;
}
