#pragma once
// `nettool ping`: ICMP echo like iputils ping, with the outcome judged. A run resolves the host (IP literals as they
// are, ADDR%IFACE for scoped IPv6; names through the system resolver exactly as `getent ahosts`, or through
// /etc/hosts and the DNS servers the caller names), refuses a subnet broadcast unless asked, sends `count` echo
// requests `interval` apart through IcmpPinger, and keeps iputils' counters (transmitted, received, duplicates,
// errors, min/avg/max/mdev from sum and sum of squares). diagnose_ping() turns the outcome into Diagnoses:
// ok, first_probe_lost (ARP/neighbour resolution, not loss), packet_loss, no_reply, host_unreachable, ...
#include "nettool/core/diagnosis.hpp"
#include "nettool/core/error.hpp"
#include "nettool/core/style.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/io/host_resolver.hpp"
#include "nettool/io/icmp.hpp"
#include "nettool/wire/dns_server.hpp"
#include "nettool/wire/ip_address.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nettool {

struct PingRequest {
    std::string host;
    std::uint32_t count = 4;
    std::chrono::microseconds interval{1'000'000};
    std::chrono::milliseconds timeout{2000};  // per probe
    std::size_t payload_size = 56;
    int ttl = 0;  // 0: system default
    HostFamily family = HostFamily::any;
    IcmpSocketKind socket = IcmpSocketKind::automatic;
    // For names: empty = the system resolver (getaddrinfo: nsswitch, /etc/hosts, resolv.conf search and ndots);
    // else these servers are asked for the name exactly as given, after `hosts_path`.
    std::vector<DnsServer> dns_servers;
    std::string hosts_path = "/etc/hosts";
    std::chrono::milliseconds dns_timeout{3000};
    std::string interface;   // -I: send through this interface only (and the zone of a link-local target)
    bool broadcast = false;  // -b: a broadcast address is allowed (SO_BROADCAST), every answering host counted
};

// Limits enforced by validate_ping_request (usage errors outside them).
inline constexpr std::uint32_t max_ping_count = 1'000'000;
inline constexpr std::size_t max_ping_payload = 65507;  // 65535 - 20 (IPv4) - 8 (ICMP)
inline constexpr std::chrono::microseconds min_unprivileged_interval{2000};
inline constexpr std::chrono::milliseconds max_ping_timeout{3'600'000};
inline constexpr std::chrono::microseconds max_ping_interval{3'600'000'000};
// Average RTT from which high_latency is reported.
inline constexpr double high_latency_ms = 500.0;
// Per-probe records kept in the result (counters always cover every probe).
inline constexpr std::size_t max_recorded_probes = 10000;

// A usage Error for absurd values: count 0 or above max_ping_count, a negative, too long or (unless
// `privileged`) sub-2 ms interval, a timeout of 0 or above an hour, a payload above 65507 bytes, a TTL outside
// 0..255, an empty host.
Status validate_ping_request(const PingRequest& request, bool privileged);

struct PingProbe {
    std::uint32_t index = 0;      // icmp_seq as printed: 1, 2, ...
    std::uint16_t sequence = 0;   // on the wire (index modulo 65536)
    EchoStatus status = EchoStatus::timeout;
    IpAddress from;
    std::optional<double> rtt_ms;  // replies and ICMP errors
    int ttl = -1;
    std::size_t bytes = 0;
    int icmp_type = -1;
    int icmp_code = -1;
    std::string detail;
    std::optional<double> late_reply_ms;  // a reply that came after the timeout, and when
    double sent_ms = 0.0;                 // when it was sent, from the start of the run
    int error_number = 0;                 // send_error: the kernel's errno
};

// What the kernel knew about the next hop towards the target (read with `ip route get` / `ip neigh`, no traffic):
// evidence for the first-probe pattern. Empty fields when it could not be read.
struct NeighbourEvidence {
    std::string interface;     // outgoing interface
    IpAddress next_hop;        // the target itself on the link, else the gateway
    std::string state_before;  // "none" (no entry), "REACHABLE", "STALE", "FAILED", "INCOMPLETE", ...
    std::string state_after;
    std::optional<int> retrans_time_ms;  // /proc/sys/net/ipv{4,6}/neigh/<if>/retrans_time_ms
};

// A host that answered a broadcast ping and how often.
struct BroadcastResponder {
    IpAddress address;
    std::uint64_t replies = 0;
};

// iputils' running counters: constant memory, statistics derived at the end.
struct PingStatistics {
    std::uint64_t transmitted = 0;  // probes sent and finished (cancelled ones not counted)
    std::uint64_t received = 0;     // replies within the timeout
    std::uint64_t duplicates = 0;
    std::uint64_t errors = 0;       // ICMP errors and local send errors
    std::uint64_t late = 0;         // replies after their probe had timed out
    std::uint64_t cancelled = 0;    // in flight when the run was interrupted
    double loss = 0.0;              // (transmitted - received) / transmitted, 0..1
    std::optional<double> min_ms;   // over replies and duplicates, as iputils
    std::optional<double> avg_ms;
    std::optional<double> max_ms;
    std::optional<double> mdev_ms;  // sqrt(mean of squares - square of mean)
    double elapsed_ms = 0.0;        // first send to the end of the last probe
};

class PingCounters {
public:
    void transmitted() { ++transmitted_; }
    void reply(double rtt_ms);
    void duplicate(double rtt_ms);
    void error() { ++errors_; }
    void late() { ++late_; }
    void cancelled() { ++cancelled_; }
    PingStatistics statistics(double elapsed_ms) const;

private:
    void sample(double rtt_ms);
    std::uint64_t transmitted_ = 0;
    std::uint64_t received_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t errors_ = 0;
    std::uint64_t late_ = 0;
    std::uint64_t cancelled_ = 0;
    std::uint64_t samples_ = 0;
    double sum_ = 0.0;
    double sum_squares_ = 0.0;
    double min_ = 0.0;
    double max_ = 0.0;
};

struct PingResult {
    std::string host;               // as given
    IpAddress address;              // the one pinged
    std::vector<IpAddress> resolved;  // every address the name gave (just the address for a literal)
    std::string canonical_name;     // the name that finally answered ("router" -> "router.office.lan"); empty for
                                    // literals
    std::string resolved_by;        // "literal", "system resolver", "hosts file", "DNS"
    std::vector<std::string> search_tried;  // system resolver: the names the search list makes of `host`
    std::string interface;          // -I or the %zone
    bool broadcast = false;         // the target is a broadcast address (sent with -b)
    std::vector<BroadcastResponder> responders;  // broadcast: every host that answered, in order of first reply
    NeighbourEvidence neighbour;
    // Send errors with EPERM/EACCES: the nft rules that drop or reject outgoing packets (empty: none found;
    // nullopt: not looked at or nft could not be run).
    std::optional<std::vector<std::string>> output_drop_rules;
    std::string socket;             // "datagram" or "raw"
    std::size_t payload_size = 56;
    std::uint32_t count = 0;        // requested
    double interval_ms = 0.0;
    double timeout_ms = 0.0;
    int ttl = 0;
    bool interrupted = false;
    std::vector<PingProbe> probes;  // in send order, the first max_recorded_probes
    std::uint64_t probes_not_recorded = 0;
    PingStatistics statistics;
    std::uint64_t ignored_messages = 0;    // ICMP that was not for us
    std::uint64_t corrupted_messages = 0;  // bad checksum / malformed
    std::vector<Diagnosis> diagnoses;
};

// Judges a finished run (pure: uses statistics, probes and the request fields in `result`).
std::vector<Diagnosis> diagnose_ping(const PingResult& result);

// The first-probe pattern: leading probes held back by one address resolution. Their replies (late or in time)
// arrive together once the neighbour is resolved; every later probe is answered in time. `held` counts the
// leading probes, `timed_out` those of them that missed their timeout. Pure, over the recorded probes.
struct HeldProbes {
    std::size_t held = 0;
    std::size_t timed_out = 0;
    double released_after_ms = 0.0;  // from the first send to the first reply of the held probes
    double spread_ms = 0.0;          // between the first and last reply of the held probes
    double typical_rtt_ms = 0.0;     // median RTT of the probes after them
};
std::optional<HeldProbes> find_held_probes(const PingResult& result);

// Pure helpers for the edges of a run (unit-tested on text):
// "10.0.0.1 via 10.0.0.254 dev eth0 src ..." (`ip route get`) -> interface and next hop (the gateway or the target).
std::optional<std::pair<std::string, IpAddress>> parse_route_get(std::string_view text, const IpAddress& target);
// `ip neigh show to ADDR dev IF` output -> the state word ("REACHABLE", "STALE", ...), "none" for no entry.
std::string parse_neigh_state(std::string_view text);
// `nft list ruleset` text -> the rules that drop or reject in an output or postrouting hook, as "table T chain C:
// RULE" lines (at most `limit`).
std::vector<std::string> find_output_drop_rules(std::string_view ruleset, std::size_t limit = 5);

// Called while the run goes: once the target is known and the socket open, then per finished probe and per
// duplicate/late reply (`probe` then describes that extra reply: status reply, late_reply_ms or duplicate flag).
struct PingObserver {
    std::function<void(const PingResult& started)> on_start;
    std::function<void(const PingProbe& probe)> on_probe;
    std::function<void(const PingProbe& extra, bool duplicate)> on_extra_reply;
};

// Runs the whole ping on `io` (running it until done) and returns the judged result. SIGINT/SIGTERM stop it early
// with the statistics so far. Errors: usage (validate_ping_request), input (a name that does not resolve),
// environment (no privilege for ICMP, DNS server unreachable, no address of the wanted family).
Result<PingResult> run_ping(IoContext& io, const PingRequest& request, const PingObserver& observer = {});

// The human renderers: "PING ..." header, one line per probe like iputils, the summary and diagnoses.
void render_ping_start(std::ostream& out, const PingResult& result, const Style& style);
void render_ping_probe(std::ostream& out, const PingProbe& probe, const Style& style);
void render_ping_extra_reply(std::ostream& out, const PingProbe& extra, bool duplicate, const Style& style);
void render_ping_summary(std::ostream& out, const PingResult& result, const Style& style);
// All of it at once (header, recorded probes, summary), for output that was not streamed.
void render_ping_report(std::ostream& out, const PingResult& result, const Style& style);
// iputils' way of printing a time: 3 significant decimals below 100 ms ("0.045", "12.3"), whole ms above.
std::string format_ping_ms(double milliseconds);

void to_json(nlohmann::json& j, const PingProbe& probe);
void to_json(nlohmann::json& j, const PingStatistics& statistics);
void to_json(nlohmann::json& j, const PingResult& result);

}  // namespace nettool
