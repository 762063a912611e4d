#pragma once
// dnscheck's data: what was asked (DnsCheckRequest), what every probe saw (ResolverProbes, plain values with no io
// types in them so the diagnosis is a pure function of them), and the whole result with its diagnoses.
#include "nettool/core/diagnosis.hpp"
#include "nettool/wire/dns_server.hpp"
#include "nettool/wire/ip_address.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nettool::dnscheck {

// Stable diagnosis codes (docs/dnscheck.md explains each).
namespace code {
inline constexpr const char* ok = "ok";
inline constexpr const char* no_resolver = "no_resolver";
inline constexpr const char* server_unreachable = "server_unreachable";
inline constexpr const char* port_closed = "port_closed";
inline constexpr const char* udp_blocked = "udp_blocked";
inline constexpr const char* tcp_blocked = "tcp_blocked";
inline constexpr const char* large_response_dropped = "large_response_dropped";
inline constexpr const char* packet_loss = "packet_loss";
inline constexpr const char* high_latency = "high_latency";
inline constexpr const char* servfail = "servfail";
inline constexpr const char* refused = "refused";
inline constexpr const char* upstream_failure = "upstream_failure";
inline constexpr const char* malformed_answer = "malformed_answer";
inline constexpr const char* nxdomain_for_known_names = "nxdomain_for_known_names";
// Top level, beside no_resolver and ok:
inline constexpr const char* ip_works_names_fail = "ip_works_names_fail";
inline constexpr const char* system_resolver_failed = "system_resolver_failed";
inline constexpr const char* reach_failed = "reach_failed";
inline constexpr const char* resolver_failover_delay = "resolver_failover_delay";
}  // namespace code

// Default names for a recursive resolver: well-known names that exist.
std::vector<std::string> default_names();
inline constexpr const char* default_large_name = ".";      // the root zone's DNSKEY set with DO: > 1,500 bytes
inline constexpr std::uint16_t default_large_type = 48;     // DNSKEY
// An answer above this many bytes tests the large-answer path (the DNS flag day 2020 buffer size: resolvers send
// nothing larger over UDP by default).
inline constexpr std::size_t large_answer_bytes = 1232;
inline constexpr const char* default_systemd_upstream_file = "/run/systemd/resolve/resolv.conf";

struct DnsCheckRequest {
    std::vector<std::string> names;         // empty: default_names()
    std::vector<DnsServer> servers;         // --server; empty: from resolv_conf_path
    std::string resolv_conf_path = "/etc/resolv.conf";
    bool resolv_conf_explicit = false;      // --resolv-conf given: an unreadable file is an input error
    std::string systemd_upstream_path = default_systemd_upstream_file;
    std::string large_name = default_large_name;
    std::uint16_t large_type = default_large_type;
    // The types the large probe asks for large_name; empty: large_type alone. --large-name without --large-type
    // asks the types that can be large (TXT, DNSKEY) and judges by the largest answer.
    std::vector<std::uint16_t> large_types;
    std::optional<IpAddress> reach;         // empty: the default gateway (from proc_net_route_path)
    std::string proc_net_route_path = "/proc/net/route";
    int count = 5;                          // UDP queries per resolver
    std::chrono::milliseconds timeout{1500};  // the whole probing deadline
    double high_latency_ms = 500.0;         // median UDP RTT above this is high_latency
    bool system_resolver = true;            // run getaddrinfo for the first name
};

// ---- probe records -------------------------------------------------------------------------------------------

// local: a query any DNS server answers itself without recursion (CHAOS TXT version.bind), to tell a dead
// upstream from a dead path.
enum class QueryKind { udp, tcp, large, local };
const char* to_string(QueryKind kind);

enum class QueryStatus {
    not_sent,            // the deadline came before it was due
    answered,            // a DNS message came back (any rcode)
    timeout,             // nothing before its timeout or the deadline
    connection_refused,  // ICMP port unreachable (UDP) or RST (TCP)
    network_error,       // another socket error (no route, ...)
    bad_response,        // a DNS message with our query id came back but did not parse (detail: the parse error)
};
const char* to_string(QueryStatus status);

struct QueryProbe {
    QueryKind kind = QueryKind::udp;
    std::string name;
    std::uint16_t type = 1;
    QueryStatus status = QueryStatus::not_sent;
    int rcode = -1;                 // when answered
    bool truncated = false;         // TC bit of the answer
    std::size_t answer_bytes = 0;   // wire size of the answer
    std::size_t answer_records = 0;
    double rtt_ms = 0.0;            // when answered
    double sent_at_ms = 0.0;        // since the start of the run
    double waited_ms = 0.0;         // for unanswered queries: how long we waited before giving up
    std::string detail;             // error text for network_error / bad_response
    std::uint16_t klass = 1;        // IN; CHAOS (3) for the local probe
    bool question_missing = false;  // the answer had no question section (e.g. REFUSED from an ACL)
    bool connected = false;         // TCP: the connection was set up (so the host and port are there)
};

enum class EchoOutcome { reply, timeout, unreachable, error, unavailable };
const char* to_string(EchoOutcome outcome);

struct EchoProbe {
    EchoOutcome status = EchoOutcome::timeout;
    double rtt_ms = 0.0;
    std::string from;    // who answered (target or a router for errors)
    std::string detail;  // "port unreachable", "no route to host", ...
};

struct ResolverProbes {
    DnsServer server;
    std::string source;              // "--server", "/etc/resolv.conf", ...
    std::vector<EchoProbe> icmp;     // empty with icmp_unavailable set when ICMP could not be used
    std::string icmp_unavailable;
    std::vector<QueryProbe> udp;     // --count small queries
    std::vector<QueryProbe> tcp;
    std::vector<QueryProbe> large;   // EDNS 4096 + DO for the large answer
    std::vector<QueryProbe> local;   // CHAOS TXT version.bind over UDP: answered without any upstream
    // The large query once more over TCP: when UDP brings nothing, this tells a path that drops large packets
    // (TCP gets it) from a resolver that cannot get the answer at all (TCP gets nothing either).
    std::vector<QueryProbe> large_tcp;
};

// What the large-answer probe showed: ok (an answer above large_answer_bytes arrived over UDP), inconclusive (only
// smaller or truncated answers came back: the path for large answers was not tested), dropped (small answers
// arrive, a large query got none), not_tested (not sent, or small queries fail so it cannot be judged apart).
enum class LargeStatus { not_tested, ok, inconclusive, dropped };
const char* to_string(LargeStatus status);
struct LargeCheck {
    LargeStatus status = LargeStatus::not_tested;
    std::size_t largest_bytes = 0;  // the largest answer that came back
    std::string detail;             // one line for the probe table and the evidence
};
LargeCheck assess_large(const ResolverProbes& probes);

struct ResolverReport {
    ResolverProbes probes;
    std::vector<Diagnosis> diagnoses;
};

enum class LookupStatus {
    not_run,
    resolved,      // addresses came back
    no_such_name,  // EAI_NONAME: the resolvers answered that the name does not exist (resolution works)
    failed,        // another getaddrinfo error (EAI_AGAIN when every server timed out, ...)
    no_answer,     // still waiting at the deadline
};
const char* to_string(LookupStatus status);

// getaddrinfo() as applications see it.
struct SystemLookup {
    LookupStatus status = LookupStatus::not_run;
    std::string name;
    std::vector<std::string> addresses;
    std::string error;  // gai_strerror text
    double elapsed_ms = 0.0;
};

struct ReachCheck {
    bool attempted = false;
    IpAddress target;
    std::string target_source;  // "--reach", "default gateway (/proc/net/route)"
    std::string not_attempted_reason;
    std::vector<EchoProbe> echoes;
    std::string unavailable;  // why ICMP could not be used
    bool reachable() const;
};

struct Verdict {
    std::string status;  // "ok", "degraded", "failing"
    std::string summary;
    std::vector<std::string> working_resolvers;  // "10.0.0.1:53"
    std::optional<bool> applications_can_resolve;
    std::string most_likely_fault;  // a diagnosis code, "ok" when none
    // With a dead first resolver and a working later one: how long the system stub resolver waits before it
    // asks the next one (resolv.conf options timeout, seconds per server).
    std::optional<int> failover_wait_s;
};

struct DnsCheckResult {
    std::vector<std::string> names;
    std::string large_name;
    std::uint16_t large_type = default_large_type;
    int count = 0;
    double timeout_ms = 0.0;
    double high_latency_ms = 0.0;
    std::vector<std::string> resolver_files;  // files the resolvers came from ("--server" when given)
    std::vector<std::string> notes;           // skipped lines, stub detection, the ICMP permission hint, ...
    std::vector<std::uint16_t> large_types;   // the types the large probe asked
    bool names_are_defaults = false;          // names are default_names(): they exist, NXDOMAIN is a finding
    int stub_timeout_s = 5;                   // resolv.conf options timeout / attempts (when read from a file)
    int stub_attempts = 2;
    bool stub_rotate = false;
    std::vector<ResolverReport> servers;
    SystemLookup system;
    ReachCheck reach;
    Verdict verdict;
    std::vector<Diagnosis> diagnoses;  // top level
    double elapsed_ms = 0.0;
};

void to_json(nlohmann::json& j, const QueryProbe& probe);
void to_json(nlohmann::json& j, const EchoProbe& probe);
void to_json(nlohmann::json& j, const ResolverReport& report);
void to_json(nlohmann::json& j, const SystemLookup& lookup);
void to_json(nlohmann::json& j, const ReachCheck& reach);
void to_json(nlohmann::json& j, const Verdict& verdict);
void to_json(nlohmann::json& j, const DnsCheckResult& result);

}  // namespace nettool::dnscheck
