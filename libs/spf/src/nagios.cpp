#include "nettool/spf/nagios.hpp"

namespace nettool::spf {

std::vector<PerfDatum> nagios_perfdata(const SpfReport& report) {
    std::vector<PerfDatum> out;
    if (report.lint) {
        out.push_back({"lookups", static_cast<double>(report.lint->lookups), "", std::nullopt, 10.0, 0.0, std::nullopt});
        out.push_back(
            {"void_lookups", static_cast<double>(report.lint->void_lookups), "", std::nullopt, 2.0, 0.0, std::nullopt});
    }
    for (const auto& e : report.evaluations) {
        std::string ip = e.request.ip.to_string();
        out.push_back({"lookups_" + ip, static_cast<double>(e.result.lookups), "", std::nullopt, 10.0, 0.0, std::nullopt});
    }
    return out;
}

}  // namespace nettool::spf
