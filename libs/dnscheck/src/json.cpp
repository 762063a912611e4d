#include "nettool/dnscheck/diagnose.hpp"
#include "nettool/dnscheck/model.hpp"
#include "nettool/dnscheck/text.hpp"

#include <nlohmann/json.hpp>

namespace nettool::dnscheck {
namespace {

nlohmann::json query_group(const std::vector<QueryProbe>& queries) {
    QuerySummary s = summarize(queries);
    nlohmann::json j = nlohmann::json::object();
    j["sent"] = s.sent;
    j["answered"] = s.answered;
    j["timeouts"] = s.timeouts;
    j["connection_refused"] = s.connection_refused;
    j["network_errors"] = s.network_errors;
    j["bad_responses"] = s.bad_responses;
    j["lost_percent"] = s.loss_fraction() * 100.0;
    nlohmann::json rtt = nlohmann::json::object();
    if (s.min_rtt_ms) rtt["min"] = *s.min_rtt_ms;
    if (s.median_rtt_ms) rtt["median"] = *s.median_rtt_ms;
    if (s.max_rtt_ms) rtt["max"] = *s.max_rtt_ms;
    j["rtt_ms"] = rtt;
    nlohmann::json rcodes = nlohmann::json::object();
    for (const auto& [rcode, n] : s.rcodes) rcodes[rcode_name(rcode)] = n;
    j["rcodes"] = rcodes;
    j["queries"] = queries;
    return j;
}

nlohmann::json echo_group(const std::vector<EchoProbe>& echoes, const std::string& unavailable) {
    nlohmann::json j = nlohmann::json::object();
    int sent = 0, replies = 0;
    for (const auto& e : echoes) {
        if (e.status == EchoOutcome::unavailable) continue;
        ++sent;
        if (e.status == EchoOutcome::reply) ++replies;
    }
    j["sent"] = sent;
    j["replies"] = replies;
    if (!unavailable.empty()) j["unavailable"] = unavailable;
    j["echoes"] = echoes;
    return j;
}

}  // namespace

const char* to_string(QueryKind kind) {
    switch (kind) {
        case QueryKind::udp: return "udp";
        case QueryKind::tcp: return "tcp";
        case QueryKind::large: return "large";
        case QueryKind::local: return "local";
    }
    return "udp";
}

const char* to_string(QueryStatus status) {
    switch (status) {
        case QueryStatus::not_sent: return "not_sent";
        case QueryStatus::answered: return "answered";
        case QueryStatus::timeout: return "timeout";
        case QueryStatus::connection_refused: return "connection_refused";
        case QueryStatus::network_error: return "network_error";
        case QueryStatus::bad_response: return "bad_response";
    }
    return "not_sent";
}

const char* to_string(LargeStatus status) {
    switch (status) {
        case LargeStatus::not_tested: return "not_tested";
        case LargeStatus::ok: return "ok";
        case LargeStatus::inconclusive: return "inconclusive";
        case LargeStatus::dropped: return "dropped";
    }
    return "not_tested";
}

const char* to_string(EchoOutcome outcome) {
    switch (outcome) {
        case EchoOutcome::reply: return "reply";
        case EchoOutcome::timeout: return "timeout";
        case EchoOutcome::unreachable: return "unreachable";
        case EchoOutcome::error: return "error";
        case EchoOutcome::unavailable: return "unavailable";
    }
    return "timeout";
}

const char* to_string(LookupStatus status) {
    switch (status) {
        case LookupStatus::not_run: return "not_run";
        case LookupStatus::resolved: return "resolved";
        case LookupStatus::no_such_name: return "no_such_name";
        case LookupStatus::failed: return "failed";
        case LookupStatus::no_answer: return "no_answer";
    }
    return "not_run";
}

std::vector<std::string> default_names() { return {"example.com", "wikipedia.org"}; }

void to_json(nlohmann::json& j, const QueryProbe& q) {
    j = nlohmann::json::object();
    j["kind"] = to_string(q.kind);
    j["name"] = display_name(q.name);
    j["type"] = type_name(q.type);
    if (q.klass != 1) j["class"] = q.klass == 3 ? std::string("CH") : "CLASS" + std::to_string(q.klass);
    j["status"] = to_string(q.status);
    j["sent_at_ms"] = q.sent_at_ms;
    if (q.status == QueryStatus::answered) {
        j["rcode"] = rcode_name(q.rcode);
        j["rtt_ms"] = q.rtt_ms;
        j["answer_bytes"] = q.answer_bytes;
        j["answer_records"] = q.answer_records;
        j["truncated"] = q.truncated;
        if (q.question_missing) j["question_missing"] = true;
    }
    if (q.status == QueryStatus::bad_response) j["answer_bytes"] = q.answer_bytes;
    if (q.kind == QueryKind::tcp) j["connected"] = q.connected;
    if (q.status == QueryStatus::timeout) j["waited_ms"] = q.waited_ms;
    if (!q.detail.empty()) j["detail"] = q.detail;
}

void to_json(nlohmann::json& j, const EchoProbe& e) {
    j = nlohmann::json::object();
    j["status"] = to_string(e.status);
    if (e.status == EchoOutcome::reply) j["rtt_ms"] = e.rtt_ms;
    if (!e.from.empty()) j["from"] = e.from;
    if (!e.detail.empty()) j["detail"] = e.detail;
}

void to_json(nlohmann::json& j, const ResolverReport& r) {
    j = nlohmann::json::object();
    j["address"] = r.probes.server.address.to_string();
    j["port"] = r.probes.server.port;
    j["source"] = r.probes.source;
    j["works"] = resolver_works(r);
    nlohmann::json probes = nlohmann::json::object();
    probes["icmp"] = echo_group(r.probes.icmp, r.probes.icmp_unavailable);
    probes["udp"] = query_group(r.probes.udp);
    probes["tcp"] = query_group(r.probes.tcp);
    probes["large"] = query_group(r.probes.large);
    const LargeCheck large = assess_large(r.probes);
    probes["large"]["status"] = to_string(large.status);
    probes["large"]["largest_answer_bytes"] = large.largest_bytes;
    probes["large"]["detail"] = large.detail;
    probes["large"]["over_tcp"] = query_group(r.probes.large_tcp);
    probes["local"] = query_group(r.probes.local);
    j["probes"] = probes;
    j["diagnoses"] = r.diagnoses;
}

void to_json(nlohmann::json& j, const SystemLookup& s) {
    j = nlohmann::json::object();
    j["status"] = to_string(s.status);
    j["name"] = display_name(s.name);
    j["addresses"] = s.addresses;
    if (!s.error.empty()) j["error"] = s.error;
    j["elapsed_ms"] = s.elapsed_ms;
}

void to_json(nlohmann::json& j, const ReachCheck& r) {
    j = nlohmann::json::object();
    j["attempted"] = r.attempted;
    if (r.attempted) {
        j["target"] = r.target.to_string();
        j["target_source"] = r.target_source;
        j["reachable"] = r.reachable();
        j["icmp"] = echo_group(r.echoes, r.unavailable);
    } else {
        j["reason"] = r.not_attempted_reason;
    }
}

void to_json(nlohmann::json& j, const Verdict& v) {
    j = nlohmann::json::object();
    j["status"] = v.status;
    j["summary"] = v.summary;
    j["working_resolvers"] = v.working_resolvers;
    if (v.applications_can_resolve) {
        j["applications_can_resolve"] = *v.applications_can_resolve;
    } else {
        j["applications_can_resolve"] = nullptr;
    }
    j["most_likely_fault"] = v.most_likely_fault;
    if (v.failover_wait_s) j["failover_wait_s"] = *v.failover_wait_s;
}

void to_json(nlohmann::json& j, const DnsCheckResult& r) {
    j = nlohmann::json::object();
    j["verdict"] = r.verdict;
    j["diagnoses"] = r.diagnoses;
    j["servers"] = r.servers;
    j["system_resolver"] = r.system;
    j["reach"] = r.reach;
    nlohmann::json names = nlohmann::json::array();
    for (const auto& n : r.names) names.push_back(display_name(n));
    j["names"] = names;
    nlohmann::json large_types = nlohmann::json::array();
    for (auto t : r.large_types) large_types.push_back(type_name(t));
    j["large_query"] = {{"name", display_name(r.large_name)}, {"type", type_name(r.large_type)}, {"types", large_types}};
    j["count"] = r.count;
    j["timeout_ms"] = r.timeout_ms;
    j["high_latency_ms"] = r.high_latency_ms;
    j["resolver_files"] = r.resolver_files;
    j["notes"] = r.notes;
    j["elapsed_ms"] = r.elapsed_ms;
}

}  // namespace nettool::dnscheck
