#pragma once
// The decision, as pure functions: probe records in, diagnoses out. No sockets, clocks or files here, so every
// code is unit-tested from hand-made probe records.
#include "nettool/core/exit_status.hpp"
#include "nettool/dnscheck/model.hpp"

#include <map>
#include <optional>
#include <vector>

namespace nettool::dnscheck {

// Counts and times over a list of queries (only those actually sent).
struct QuerySummary {
    int sent = 0;
    int answered = 0;
    int timeouts = 0;
    int connection_refused = 0;
    int network_errors = 0;
    int bad_responses = 0;
    std::optional<double> min_rtt_ms, median_rtt_ms, max_rtt_ms;  // over answered queries
    std::map<int, int> rcodes;                                   // rcode -> count, answered queries
    std::size_t largest_answer_bytes = 0;
    bool any_truncated = false;
    double loss_fraction() const;  // (sent - answered) / sent; 0 when nothing was sent
};

QuerySummary summarize(const std::vector<QueryProbe>& queries);

// Median of the values (mean of the middle two for an even count); nullopt for none.
std::optional<double> median(std::vector<double> values);

// One-line descriptions used as evidence and in the human report: "3 of 5 answered (40% lost), median RTT
// 1.20 ms; rcodes: 3 NOERROR"; "NOERROR, 3120 bytes in 2.10 ms" or how the attempts failed; "2 of 2 replies".
std::string describe_udp(const std::vector<QueryProbe>& queries);
std::string describe_single(const std::vector<QueryProbe>& queries);
std::string describe_echoes(const std::vector<EchoProbe>& echoes, const std::string& unavailable);

// Diagnoses for one resolver: exactly one "ok" when nothing is wrong, else one or more problem codes
// (server_unreachable, port_closed, udp_blocked, tcp_blocked, large_response_dropped, packet_loss, high_latency,
// servfail, refused), each with the probe counts and times as evidence and advice in plain words.
std::vector<Diagnosis> diagnose_resolver(const ResolverProbes& probes, double high_latency_ms);

// True when the resolver answers names (no critical diagnosis).
bool resolver_works(const ResolverReport& report);

// Fills result.verdict and result.diagnoses (top level: no_resolver, ip_works_names_fail, system_resolver_failed,
// reach_failed, ok) from result.servers (already diagnosed), result.system and result.reach.
void diagnose_overall(DnsCheckResult& result);

// 3 when there is no resolver to test, 1 when any diagnosis (top level or per resolver) is a problem, else 0.
ExitStatus dnscheck_exit_status(const DnsCheckResult& result);

}  // namespace nettool::dnscheck
