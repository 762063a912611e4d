#pragma once
// Asynchronous DNS over c-ares (1.18.1), driven by the run's io_context through c-ares' socket-state callback,
// Asio descriptors and a timer from ares_timeout: no polling thread. Any query type, per-query servers, UDP or TCP,
// timeout/tries, EDNS size and DO bit; the outcome keeps NOERROR-no-data, NXDOMAIN, SERVFAIL, REFUSED, timeout and
// connection refused apart, and the raw answer is parsed by our own wire parser. Many queries in flight at once.
#include "nettool/core/error.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/wire/dns_message.hpp"
#include "nettool/wire/dns_server.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nettool {

enum class DnsTransport { udp, tcp };

struct DnsQueryOptions {
    std::vector<DnsServer> servers;  // empty: the client's default servers
    DnsTransport transport = DnsTransport::udp;
    // Per try. With one server c-ares 1.18.1 doubles it for each further round: tries = 2 waits 1x + 2x.
    std::chrono::milliseconds timeout{2000};
    int tries = 1;
    std::uint16_t edns_udp_size = 0;  // 0: no EDNS
    bool dnssec_ok = false;
    bool recursion_desired = true;
    // true: a UDP answer with TC set is returned as it came (message->tc) instead of being retried over TCP.
    bool accept_truncated = false;
};

enum class DnsOutcome {
    answer,              // NOERROR with records of the asked type (directly or through CNAMEs)
    nodata,              // NOERROR, no record of that type
    nxdomain,
    servfail,
    refused,
    formerr,
    notimp,
    other_rcode,
    timeout,             // no answer within timeout x tries
    connection_refused,  // ICMP port unreachable (UDP) or RST (TCP)
    network_error,       // other socket errors (no route, host unreachable, ...): error_text has strerror
    bad_response,        // an answer came but did not parse
    cancelled,
};
const char* to_string(DnsOutcome outcome);

struct DnsResult {
    DnsOutcome outcome = DnsOutcome::timeout;
    std::string name;
    std::uint16_t type = 0;
    std::optional<DnsMessage> message;  // parsed answer, when one came
    std::vector<std::uint8_t> raw;      // answer bytes, when one came
    std::chrono::microseconds elapsed{0};
    int timeouts = 0;                   // tries that timed out (from c-ares)
    std::string error_text;             // for network_error / bad_response

    bool answered() const { return message.has_value(); }
    // Records of the asked type following CNAMEs from the asked name.
    std::vector<const DnsRecord*> records() const;
};

using DnsCallback = std::function<void(DnsResult)>;

class DnsClient {
public:
    // `default_servers` are used for queries that name none; may be empty if every query names its servers.
    DnsClient(IoContext& io, std::vector<DnsServer> default_servers);
    ~DnsClient();
    DnsClient(const DnsClient&) = delete;
    DnsClient& operator=(const DnsClient&) = delete;

    // Starts a query; `callback` runs exactly once on the io_context (also on failure and on cancel_all()).
    // A name that cannot be encoded returns an input Error at once and the callback never runs.
    Status query(const std::string& name, std::uint16_t type, const DnsQueryOptions& options, DnsCallback callback);

    // Cancels every outstanding query (their callbacks run with `cancelled`, posted like every other result).
    // The destructor also completes every outstanding query with `cancelled`, but runs those callbacks at once,
    // before it returns (nothing may stay queued behind a destroyed client).
    void cancel_all();
    std::size_t in_flight() const;
    const std::vector<DnsServer>& default_servers() const;
    IoContext& io_context() const;  // the io_context that runs the callbacks

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// Reads /etc/resolv.conf (or `path`); an environment error when the file cannot be read.
Result<ResolvConf> read_resolv_conf(const std::string& path = "/etc/resolv.conf");

}  // namespace nettool
