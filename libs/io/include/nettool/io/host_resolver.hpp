#pragma once
// Host name to addresses, the way ping and friends need it: IP literals come back as they are (no DNS), an
// /etc/hosts-style file is consulted first (pure parser below), then A and AAAA are asked concurrently through the
// run's DnsClient. Asynchronous: the callback runs exactly once on the io_context (never inside resolve()).
#include "nettool/core/error.hpp"
#include "nettool/io/dns_client.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/wire/ip_address.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nettool {

// Which address families a caller wants (ping -4 / -6 / neither).
enum class HostFamily { any, v4, v6 };
const char* to_string(HostFamily family);  // "any", "v4", "v6"

// One line of a hosts file: an address and its names (canonical name first, then aliases), as written.
struct HostsEntry {
    IpAddress address;
    std::vector<std::string> names;
};

struct HostsFile {
    std::vector<HostsEntry> entries;  // in file order
    std::size_t skipped_lines = 0;    // lines that were neither blank/comment nor "ADDRESS NAME..." (counted)

    // Addresses listed for `name` (case-insensitive, a trailing dot ignored), in file order, without duplicates,
    // restricted to `family`. IPv6 zone ids (fe80::1%eth0) are dropped when parsing, the address kept.
    std::vector<IpAddress> lookup(std::string_view name, HostFamily family = HostFamily::any) const;
};

// Parses hosts(5) text: "ADDRESS NAME [ALIAS...]", '#' starts a comment, blank lines ignored. Never fails: a
// line with a bad address or no name is counted in skipped_lines. Names longer than 255 bytes are skipped too.
HostsFile parse_hosts_file(std::string_view text);
// Reads and parses a hosts file; an environment error when it cannot be read.
Result<HostsFile> read_hosts_file(const std::string& path = "/etc/hosts");

struct HostResolveOptions {
    HostFamily family = HostFamily::any;
    // Servers (empty: the DnsClient's defaults), transport, timeout and tries for the A/AAAA queries.
    DnsQueryOptions dns;
    // Consulted before DNS; empty: no hosts file. A missing or unreadable file counts as an empty one.
    std::string hosts_path = "/etc/hosts";
};

// Addresses in this order: with HostFamily::any the IPv4 ones first, then the IPv6 ones; within a family, the
// order of the hosts file or of the DNS answer; no duplicates; never empty on success.
// Errors (one line, naming the host and, for DNS, the outcome and server):
//   input        - not a valid host name; NXDOMAIN; the name exists but has no address of the wanted family
//   environment  - timeout, connection refused, SERVFAIL/REFUSED/other rcodes, network errors, bad answers,
//                  no DNS server configured
//   internal     - cancelled (cancel_all() or the resolver went away)
using HostResolveCallback = std::function<void(Result<std::vector<IpAddress>>)>;

class HostResolver {
public:
    // `dns` must outlive the resolver; its io_context runs the callbacks.
    explicit HostResolver(DnsClient& dns);
    ~HostResolver();  // runs pending callbacks with the "cancelled" error
    HostResolver(const HostResolver&) = delete;
    HostResolver& operator=(const HostResolver&) = delete;

    // Starts resolving `host` (a name or an IPv4/IPv6 literal; "[::1]" brackets accepted).
    void resolve(const std::string& host, const HostResolveOptions& options, HostResolveCallback callback);
    void cancel_all();
    std::size_t in_flight() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

// Convenience for one-shot callers before their main loop starts: runs a private io_context and DnsClient
// (with `default_servers`) until `host` is resolved. Same results and errors as HostResolver::resolve.
Result<std::vector<IpAddress>> resolve_host_blocking(const std::string& host, const HostResolveOptions& options,
                                                     std::vector<DnsServer> default_servers);

}  // namespace nettool
