#pragma once
// Perfdata for `nettool dnscheck --nagios`: per resolver, queries answered of those sent per transport and the
// median UDP round trip ("udp_answered_10.0.0.53=0;;;0;5").
#include "nettool/core/nagios.hpp"
#include "nettool/dnscheck/model.hpp"

namespace nettool::dnscheck {

std::vector<PerfDatum> nagios_perfdata(const DnsCheckResult& result);

}  // namespace nettool::dnscheck
