#include "nettool/link/nagios.hpp"

namespace nettool::link {

std::vector<PerfDatum> nagios_perfdata(const LinkReport& report) {
    std::vector<PerfDatum> out;
    for (const auto& nic : report.interfaces) {
        if (nic.settings.speed_mbps) {
            out.push_back({nic.name + "_speed", static_cast<double>(*nic.settings.speed_mbps) * 1e6 / 8, "B",
                           std::nullopt, std::nullopt, 0.0, std::nullopt});
        }
        for (const char* counter : {"rx_errors", "tx_errors", "rx_crc_errors", "rx_dropped"}) {
            auto it = nic.counters.find(counter);
            if (it == nic.counters.end() || !it->second.delta) continue;
            out.push_back({nic.name + "_" + counter, static_cast<double>(*it->second.delta), "c", std::nullopt,
                           std::nullopt, 0.0, std::nullopt});
        }
    }
    return out;
}

}  // namespace nettool::link
