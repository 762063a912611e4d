#pragma once
// Perfdata for `nettool spf --nagios`: DNS-querying terms (critical at the RFC limit of 10) and void lookups (2).
#include "nettool/core/nagios.hpp"
#include "nettool/spf/spf.hpp"

namespace nettool::spf {

std::vector<PerfDatum> nagios_perfdata(const SpfReport& report);

}  // namespace nettool::spf
