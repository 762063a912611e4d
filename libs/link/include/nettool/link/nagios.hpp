#pragma once
// Perfdata for `nettool link --nagios`: per interface the speed and the error counters' growth in the window.
#include "nettool/core/nagios.hpp"
#include "nettool/link/link_check.hpp"

namespace nettool::link {

std::vector<PerfDatum> nagios_perfdata(const LinkReport& report);

}  // namespace nettool::link
