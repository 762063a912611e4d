#pragma once
// Perfdata for `nettool ping --nagios`, in check_ping's terms: rta (average round trip) and pl (packet loss).
#include "nettool/core/nagios.hpp"
#include "nettool/ping/ping.hpp"

namespace nettool {

std::vector<PerfDatum> nagios_perfdata(const PingResult& result);

}  // namespace nettool
