#pragma once
// Host name to addresses, the way ping and friends need it. Two ways, chosen per call:
//  - HostLookup::system: exactly what `getent ahosts` does on this machine (nsswitch order, /etc/hosts, the search
//    list and ndots of resolv.conf, mDNS or whatever else nsswitch names): getaddrinfo() on a helper thread that
//    posts its answer back to the io_context. When it fails, the name servers of resolv.conf are asked directly
//    (c-ares, the search candidates in order) so the error can say REFUSED or SERVFAIL instead of "not found".
//  - HostLookup::dns_client (the default, for an explicit --server): an /etc/hosts-style file first (pure parser
//    below), then A and AAAA asked concurrently through the run's DnsClient, for the name exactly as written.
// IP literals never touch either. Asynchronous: the callback runs exactly once on the io_context (never inside
// resolve()).
#include "nettool/core/error.hpp"
#include "nettool/io/dns_client.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/wire/ip_address.hpp"

#include <cstddef>
#include <cstdint>
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

// The names the resolver tries for `name`, in order, as glibc's res_search does: a name ending in a dot is only
// itself; a name with at least `ndots` dots is tried as given first, then with each search domain; a shorter one
// with each search domain first, then as given. Empty for an empty name.
std::vector<std::string> search_candidates(std::string_view name, const std::vector<std::string>& search, int ndots);

// The services of the "hosts:" line of nsswitch.conf text, in order, without [STATUS=action] items ("files",
// "dns", "mdns4_minimal", ...). Empty when there is no such line (glibc then uses "dns [!UNAVAIL=return] files").
std::vector<std::string> parse_nsswitch_hosts(std::string_view text);

enum class HostLookup { dns_client, system };

struct HostResolveOptions {
    HostFamily family = HostFamily::any;
    HostLookup lookup = HostLookup::dns_client;
    // HostLookup::system: where the follow-up after a failure reads the servers, search list and services.
    std::string resolv_conf_path = "/etc/resolv.conf";
    std::string nsswitch_path = "/etc/nsswitch.conf";
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

// What resolve_detailed() found: the addresses and how the name got there ("router" -> "router.office.lan").
struct HostResolution {
    std::string host;                // as given (brackets removed)
    std::string canonical_name;      // the name that finally answered: getaddrinfo's canonical name (after the
                                     // search list and CNAMEs), the hosts file's first name; empty for literals
    std::vector<IpAddress> addresses;
    std::vector<std::uint32_t> scope_ids;  // system lookups: the interface index of each address (fe80::1%eth0 in
                                           // /etc/hosts), 0 for none; else empty
    std::string source;              // "literal", "hosts file", "DNS", "system resolver"
    std::vector<std::string> tried;  // system lookups: the search candidates from resolv.conf, in order
    double elapsed_ms = 0.0;
};
using HostResolutionCallback = std::function<void(Result<HostResolution>)>;

class HostResolver {
public:
    // `dns` must outlive the resolver; its io_context runs the callbacks.
    explicit HostResolver(DnsClient& dns);
    ~HostResolver();  // runs pending callbacks with the "cancelled" error
    HostResolver(const HostResolver&) = delete;
    HostResolver& operator=(const HostResolver&) = delete;

    // Starts resolving `host` (a name or an IPv4/IPv6 literal; "[::1]" brackets accepted).
    void resolve(const std::string& host, const HostResolveOptions& options, HostResolveCallback callback);
    // The same, with the canonical name and how it was found.
    void resolve_detailed(const std::string& host, const HostResolveOptions& options,
                          HostResolutionCallback callback);
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
