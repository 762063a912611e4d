#pragma once
// One /probe request: a module (ping, dnscheck, spf, link; doctor when built in) run against one target, turned
// into Prometheus metrics — success, duration, one nettool_diagnosis series per diagnosis (the cause becomes an
// alert label) and the module's own measurements. Runs to completion on the calling thread (a worker).
#include "nettool/core/diagnosis.hpp"
#include "nettool/core/error.hpp"
#include "nettool/exporter/metrics.hpp"
#include "nettool/exporter/target_policy.hpp"
#include "nettool/wire/dns_server.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace nettool::exporter {

struct ProbeRequest {
    std::string module;
    std::string target;
    std::multimap<std::string, std::string> parameters;  // the query string (module, target included)
    std::chrono::milliseconds deadline{5000};             // from X-Prometheus-Scrape-Timeout-Seconds
};

struct ProbeSettings {
    TargetPolicy policy;
    std::vector<DnsServer> dns_servers;  // for names (ping targets, spf); empty: /etc/resolv.conf
};

// The names /probe knows, in the order the index page lists them.
const std::vector<std::string>& probe_modules();

// Checks the request (module known, target well-formed and allowed) without probing: a usage Error (HTTP 400)
// with a one-line reason otherwise.
Status validate_probe(const ProbeRequest& request, const ProbeSettings& settings);

// Runs the probe and returns its metrics. A probe that could not run is still metrics (success 0 and a
// nettool_diagnosis{code="probe_failed"} with the reason); only a bad request is an Error.
Result<MetricSet> run_probe(const ProbeRequest& request, const ProbeSettings& settings);

// The shared part of every probe's answer.
void add_probe_result(MetricSet& metrics, const std::string& module, const std::string& target, bool success,
                      double duration_seconds, const std::vector<Diagnosis>& diagnoses);

}  // namespace nettool::exporter
