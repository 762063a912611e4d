#pragma once
// Perfdata for `nettool ike-log --nagios`: peers whose last attempt established, peers down, attempts, failures.
#include "nettool/core/nagios.hpp"
#include "nettool/ikelog/ike_log.hpp"

namespace nettool::ikelog {

std::vector<PerfDatum> nagios_perfdata(const IkeReport& report);

}  // namespace nettool::ikelog
