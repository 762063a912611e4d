#include "nettool/dnscheck/nagios.hpp"

#include "nettool/dnscheck/diagnose.hpp"

namespace nettool::dnscheck {

std::vector<PerfDatum> nagios_perfdata(const DnsCheckResult& result) {
    std::vector<PerfDatum> out;
    bool several = result.servers.size() > 1;
    for (const auto& report : result.servers) {
        std::string suffix = several ? "_" + report.probes.server.to_string() : std::string();
        const std::pair<const char*, const std::vector<QueryProbe>*> sets[] = {
            {"udp", &report.probes.udp}, {"tcp", &report.probes.tcp}, {"large", &report.probes.large}};
        for (const auto& [transport, probes] : sets) {
            if (probes->empty()) continue;
            std::size_t answered = 0;
            for (const auto& q : *probes) answered += q.status == QueryStatus::answered;
            out.push_back({std::string(transport) + "_answered" + suffix, static_cast<double>(answered), "",
                           std::nullopt, std::nullopt, 0.0, static_cast<double>(probes->size())});
        }
        if (auto median = summarize(report.probes.udp).median_rtt_ms) {
            out.push_back({"rtt" + suffix, *median / 1000.0, "s", std::nullopt, std::nullopt, 0.0, std::nullopt});
        }
    }
    return out;
}

}  // namespace nettool::dnscheck
