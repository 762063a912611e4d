#include "nettool/ping/nagios.hpp"

namespace nettool {

std::vector<PerfDatum> nagios_perfdata(const PingResult& result) {
    const PingStatistics& s = result.statistics;
    std::vector<PerfDatum> out;
    if (s.avg_ms) out.push_back({"rta", *s.avg_ms / 1000.0, "s", std::nullopt, std::nullopt, 0.0, std::nullopt});
    out.push_back({"pl", s.loss * 100.0, "%", std::nullopt, std::nullopt, 0.0, 100.0});
    out.push_back({"received", static_cast<double>(s.received), "", std::nullopt, std::nullopt, 0.0,
                   static_cast<double>(s.transmitted)});
    if (s.late > 0) out.push_back({"late", static_cast<double>(s.late), "", std::nullopt, std::nullopt, 0.0, std::nullopt});
    return out;
}

}  // namespace nettool
