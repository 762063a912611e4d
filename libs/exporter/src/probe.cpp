#include "nettool/exporter/probe.hpp"

#include "nettool/dnscheck/dnscheck.hpp"
#include "nettool/doctor/doctor.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/link/link_check.hpp"
#include "nettool/link/snapshot.hpp"
#include "nettool/ping/ping.hpp"
#include "nettool/spf/spf.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace nettool::exporter {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::vector<std::string> all_values(const ProbeRequest& request, const std::string& key) {
    std::vector<std::string> out;
    auto range = request.parameters.equal_range(key);
    for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
    return out;
}

// The time a module may spend: the scrape's deadline less what answering takes.
milliseconds budget(const ProbeRequest& request, milliseconds at_most) {
    milliseconds left = request.deadline - milliseconds(300);
    return std::clamp(left, milliseconds(200), at_most);
}

struct ModuleOutcome {
    std::vector<Diagnosis> diagnoses;
    MetricSet measurements;
};

Result<ModuleOutcome> probe_ping(const ProbeRequest& request, const ProbeSettings& settings) {
    auto addresses = allowed_addresses(request.target, settings.policy);
    if (!addresses) return addresses.error();
    PingRequest ping;
    ping.host = addresses->front().to_string();
    milliseconds time = budget(request, milliseconds(10'000));
    ping.count = 3;
    ping.interval = std::chrono::microseconds(std::min<std::int64_t>(200'000, time.count() * 1000 / 6));
    ping.timeout = std::max(milliseconds(100), time - 2 * std::chrono::duration_cast<milliseconds>(ping.interval));
    ping.timeout = std::min(ping.timeout, milliseconds(2000));
    IoContext io;
    auto result = run_ping(io, ping);
    if (!result) return result.error();
    const PingStatistics& s = result->statistics;
    ModuleOutcome out{result->diagnoses, {}};
    MetricSet& m = out.measurements;
    m.add("nettool_ping_packets_sent", "gauge", "Echo requests sent by this probe", static_cast<double>(s.transmitted));
    m.add("nettool_ping_packets_received", "gauge", "Echo replies received in time", static_cast<double>(s.received));
    m.add("nettool_ping_late_replies", "gauge", "Echo replies that came after their probe timed out",
          static_cast<double>(s.late));
    m.add("nettool_ping_duplicate_replies", "gauge", "Duplicate echo replies", static_cast<double>(s.duplicates));
    m.add("nettool_ping_loss_ratio", "gauge", "Share of echo requests without a reply (0..1)", s.loss);
    const std::pair<const char*, std::optional<double>> rtts[] = {
        {"min", s.min_ms}, {"avg", s.avg_ms}, {"max", s.max_ms}, {"mdev", s.mdev_ms}};
    for (const auto& [stat, value] : rtts) {
        if (value) m.add("nettool_ping_rtt_seconds", "gauge", "Round-trip time of the replies", *value / 1000.0,
                         {{"stat", stat}});
    }
    return out;
}

Result<ModuleOutcome> probe_dnscheck(const ProbeRequest& request, const ProbeSettings& settings) {
    auto server = DnsServer::parse(request.target);
    if (!server) return usage_error("target '" + request.target + "' is not a resolver address (IP or IP:PORT)");
    if (!settings.policy.allows(server->address)) {
        return usage_error("target " + server->address.to_string() + " is not allowed: probes may target " +
                           settings.policy.describe());
    }
    dnscheck::DnsCheckRequest check;
    check.servers = {*server};
    check.names = all_values(request, "name");
    check.system_resolver = false;  // the exporter's own resolver is not what is probed
    check.reach = server->address;  // "does IP reach it" asks the resolver itself, never the exporter's gateway
    check.timeout = budget(request, milliseconds(1500));
    if (auto valid = dnscheck::validate_request(check); !valid) return valid.error();
    auto result = dnscheck::run_dnscheck(check);
    if (!result) return result.error();
    ModuleOutcome out;
    out.diagnoses = result->diagnoses;
    MetricSet& m = out.measurements;
    for (const auto& report : result->servers) {
        out.diagnoses.insert(out.diagnoses.end(), report.diagnoses.begin(), report.diagnoses.end());
        std::string name = report.probes.server.to_string();
        const std::pair<const char*, const std::vector<dnscheck::QueryProbe>*> sets[] = {
            {"udp", &report.probes.udp}, {"tcp", &report.probes.tcp}, {"large", &report.probes.large}};
        for (const auto& [transport, probes] : sets) {
            std::size_t sent = 0, answered = 0;
            std::vector<double> rtts;
            for (const auto& q : *probes) {
                if (q.status != dnscheck::QueryStatus::not_sent) ++sent;
                if (q.status == dnscheck::QueryStatus::answered) {
                    ++answered;
                    rtts.push_back(q.rtt_ms);
                }
            }
            Labels labels{{"server", name}, {"transport", transport}};
            m.add("nettool_dnscheck_queries_sent", "gauge", "DNS queries this probe sent to the resolver",
                  static_cast<double>(sent), labels);
            m.add("nettool_dnscheck_queries_answered", "gauge", "DNS queries the resolver answered (any rcode)",
                  static_cast<double>(answered), labels);
            if (auto median = dnscheck::median(rtts)) {
                m.add("nettool_dnscheck_rtt_seconds", "gauge", "Median round-trip time of the answered queries",
                      *median / 1000.0, labels);
            }
        }
        std::size_t echoes = std::count_if(report.probes.icmp.begin(), report.probes.icmp.end(),
                                           [](const dnscheck::EchoProbe& e) { return e.status == dnscheck::EchoOutcome::reply; });
        m.add("nettool_dnscheck_icmp_replies", "gauge", "ICMP echo replies from the resolver's address",
              static_cast<double>(echoes), {{"server", name}});
    }
    return out;
}

Result<ModuleOutcome> probe_spf(const ProbeRequest& request, const ProbeSettings& settings) {
    spf::SpfRequest check;
    check.domain = request.target;
    check.ips = all_values(request, "ip");
    check.servers = settings.dns_servers;
    check.timeout = std::min(milliseconds(2000), budget(request, milliseconds(10'000)) / 4);
    check.tries = 2;
    auto report = spf::run_spf_with_dns(check);
    if (!report) return report.error();
    ModuleOutcome out{report->diagnoses, {}};
    MetricSet& m = out.measurements;
    for (const auto& evaluation : report->evaluations) {
        m.add("nettool_spf_result", "gauge", "check_host() result for the client IP (1 for the result reached)", 1,
              {{"ip", evaluation.request.ip.to_string()}, {"result", spf::to_string(evaluation.result.result)}});
        m.add("nettool_spf_lookups", "gauge", "DNS-querying terms the evaluation used (limit 10)",
              evaluation.result.lookups, {{"ip", evaluation.request.ip.to_string()}});
        m.add("nettool_spf_void_lookups", "gauge", "Lookups that returned no answer (limit 2)",
              evaluation.result.void_lookups, {{"ip", evaluation.request.ip.to_string()}});
    }
    if (report->lint) {
        m.add("nettool_spf_lint_lookups", "gauge", "DNS-querying terms of the domain's record tree (limit 10)",
              report->lint->lookups);
    }
    return out;
}

Result<ModuleOutcome> probe_link(const ProbeRequest& request, const ProbeSettings&) {
    if (!link::valid_interface_name(request.target)) {
        return usage_error("target '" + request.target + "' is not an interface name");
    }
    link::LinkRequest check;
    check.interfaces = {request.target};
    check.watch_seconds = std::chrono::duration<double>(budget(request, milliseconds(3000))).count();
    if (auto valid = link::validate_request(check); !valid) return valid.error();
    IoContext io;
    auto report = link::run_link_check(check, io);
    if (!report) return report.error();
    ModuleOutcome out;
    MetricSet& m = out.measurements;
    for (const auto& nic : report->interfaces) {
        out.diagnoses.insert(out.diagnoses.end(), nic.diagnoses.begin(), nic.diagnoses.end());
        Labels labels{{"interface", nic.name}};
        if (nic.carrier) m.add("nettool_link_carrier", "gauge", "1 when the link has carrier", *nic.carrier, labels);
        if (nic.settings.speed_mbps) {
            m.add("nettool_link_speed_bytes", "gauge", "Negotiated link speed in bytes per second",
                  static_cast<double>(*nic.settings.speed_mbps) * 1e6 / 8, labels);
        }
        if (nic.settings.duplex != link::Duplex::unknown) {
            m.add("nettool_link_full_duplex", "gauge", "1 for full duplex, 0 for half",
                  nic.settings.duplex == link::Duplex::full, labels);
        }
        if (nic.settings.autoneg) {
            m.add("nettool_link_autonegotiation", "gauge", "1 when autonegotiation is on", *nic.settings.autoneg,
                  labels);
        }
        if (nic.carrier_changes && nic.carrier_changes->delta) {
            m.add("nettool_link_carrier_changes", "gauge", "Carrier changes during the probe window",
                  static_cast<double>(*nic.carrier_changes->delta), labels);
        }
        for (const auto& [counter, change] : nic.counters) {
            if (!change.delta) continue;
            Labels with_counter = labels;
            with_counter.emplace_back("statistic", counter);
            m.add("nettool_link_statistic_increase", "gauge",
                  "Increase of the interface's statistics counter during the probe window",
                  static_cast<double>(*change.delta), with_counter);
        }
    }
    m.add("nettool_link_window_seconds", "gauge", "Length of the observation window", report->window_seconds);
    return out;
}

// doctor: target is the interface to start from on the exporter's host ("default" for the default route's);
// reach=IP and tcp=IP:PORT (repeatable, each allowed by the policy) and name=NAME as in `nettool doctor`.
Result<ModuleOutcome> probe_doctor(const ProbeRequest& request, const ProbeSettings& settings) {
    doctor::DoctorRequest check;
    if (request.target != "default") {
        if (!link::valid_interface_name(request.target)) {
            return usage_error("target '" + request.target + "' is not an interface name (or 'default')");
        }
        check.interface = request.target;
    }
    check.names = all_values(request, "name");
    for (const auto& text : all_values(request, "reach")) {
        auto address = IpAddress::parse(text);
        if (!address) return usage_error("reach '" + text + "' is not an IP address");
        if (!settings.policy.allows(*address)) {
            return usage_error("reach " + text + " is not allowed: probes may target " + settings.policy.describe());
        }
        check.reach.push_back(*address);
    }
    for (const auto& text : all_values(request, "tcp")) {
        auto target = doctor::TcpTarget::parse(text);
        if (!target) return target.error();
        if (!settings.policy.allows(target->address)) {
            return usage_error("tcp " + text + " is not allowed: probes may target " + settings.policy.describe());
        }
        check.tcp.push_back(*target);
    }
    check.servers = settings.dns_servers;
    check.probe_deadline = budget(request, milliseconds(2500));
    check.link_window = std::min(check.probe_deadline, milliseconds(2000));
    if (auto valid = doctor::validate_request(check); !valid) return valid.error();
    IoContext io;
    auto result = doctor::run_doctor(check, io);
    if (!result) return result.error();
    ModuleOutcome out;
    MetricSet& m = out.measurements;
    for (const auto& layer : result->layers) {
        out.diagnoses.insert(out.diagnoses.end(), layer.diagnoses.begin(), layer.diagnoses.end());
        for (const char* status : {"ok", "problem", "inconclusive", "skipped"}) {
            m.add("nettool_doctor_layer_status", "gauge", "1 for the status each layer has (bottom-up walk)",
                  std::string_view(to_string(layer.status)) == status, {{"layer", layer.name}, {"status", status}});
        }
    }
    if (result->root_cause) {
        m.add("nettool_doctor_root_cause", "gauge", "The lowest layer's problem that explains the others (1 while present)",
              1, {{"code", result->root_cause->code}, {"layer", result->root_cause->layer}});
    }
    return out;
}

}  // namespace

const std::vector<std::string>& probe_modules() {
    static const std::vector<std::string> modules = {"ping", "dnscheck", "spf", "link", "doctor"};
    return modules;
}

Status validate_probe(const ProbeRequest& request, const ProbeSettings& settings) {
    const auto& modules = probe_modules();
    if (request.module.empty()) return usage_error("missing parameter: module");
    if (std::find(modules.begin(), modules.end(), request.module) == modules.end()) {
        std::string known;
        for (const auto& m : modules) known += (known.empty() ? "" : ", ") + m;
        return usage_error("unknown module '" + request.module + "' (known: " + known + ")");
    }
    if (request.target.empty()) return usage_error("missing parameter: target");
    if (request.target.size() > 253) return usage_error("target is longer than 253 characters");
    if (request.module == "spf") {
        for (const auto& ip : all_values(request, "ip")) {
            if (!IpAddress::parse(ip)) return usage_error("ip '" + ip + "' is not an IPv4 or IPv6 address");
        }
    }
    (void)settings;
    return Ok{};
}

void add_probe_result(MetricSet& metrics, const std::string& module, const std::string& target, bool success,
                      double duration_seconds, const std::vector<Diagnosis>& diagnoses) {
    metrics.add("nettool_probe_success", "gauge", "1 when the probe ran and found no warning or critical problem",
                success ? 1 : 0);
    metrics.add("nettool_probe_duration_seconds", "gauge", "How long the probe took", duration_seconds);
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& d : diagnoses) {
        if (!seen.insert({d.code, to_string(d.severity)}).second) continue;  // one series per code and severity
        metrics.add("nettool_diagnosis", "gauge",
                    "One series per finding of the probe: the diagnosis code and its severity (1 while present)", 1,
                    {{"module", module}, {"target", target}, {"code", d.code}, {"severity", to_string(d.severity)}});
    }
}

Result<MetricSet> run_probe(const ProbeRequest& request, const ProbeSettings& settings) {
    if (auto valid = validate_probe(request, settings); !valid) return valid.error();
    auto started = Clock::now();
    Result<ModuleOutcome> outcome = usage_error("unreachable");
    if (request.module == "ping") {
        outcome = probe_ping(request, settings);
    } else if (request.module == "dnscheck") {
        outcome = probe_dnscheck(request, settings);
    } else if (request.module == "spf") {
        outcome = probe_spf(request, settings);
    } else if (request.module == "doctor") {
        outcome = probe_doctor(request, settings);
    } else {
        outcome = probe_link(request, settings);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    MetricSet metrics;
    if (!outcome) {
        const Error& error = outcome.error();
        if (error.kind == ErrorKind::usage || error.kind == ErrorKind::input) return error;  // HTTP 400
        Diagnosis failed{"probe_failed", Severity::critical, error.describe(), {}, "", std::nullopt};
        add_probe_result(metrics, request.module, request.target, false, seconds, {failed});
        metrics.add("nettool_probe_error_info", "gauge", "Why the probe could not run", 1,
                    {{"kind", to_string(error.kind)}, {"message", error.describe()}});
        return metrics;
    }
    add_probe_result(metrics, request.module, request.target, !has_problem(outcome->diagnoses), seconds,
                     outcome->diagnoses);
    for (const auto& family : outcome->measurements.families()) {
        for (const auto& sample : family.samples) {
            metrics.add(family.name, family.type, family.help, sample.value, sample.labels);
        }
    }
    return metrics;
}

}  // namespace nettool::exporter
