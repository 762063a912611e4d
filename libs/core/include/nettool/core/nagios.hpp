#pragma once
// Nagios/Icinga plugin output (Monitoring Plugins development guidelines): the first line
// "SERVICE STATE - summary | perfdata", the other findings as long output, and the plugin exit status
// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, mapped from the diagnoses' severities.
#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace nettool {

enum class NagiosState { ok = 0, warning = 1, critical = 2, unknown = 3 };
const char* to_string(NagiosState state);

// 'label'=value[UOM];[warn];[crit];[min];[max]
struct PerfDatum {
    std::string label;
    double value = 0;
    std::string unit;  // "", "s", "%", "B", "c"
    std::optional<double> warn, crit, min, max;
};
std::string format_perfdata(const std::vector<PerfDatum>& data);

// Writes the plugin output for a command's JSON document (every "diagnoses" array in it counts) and returns the
// state. `service` is the command name ("dnscheck" -> "DNSCHECK").
NagiosState render_nagios(std::ostream& out, const std::string& service, const nlohmann::json& document,
                          const std::vector<PerfDatum>& perfdata);
// "SERVICE UNKNOWN - message": for a run that could not happen (bad usage, no permission, ...).
void render_nagios_unknown(std::ostream& out, const std::string& service, const std::string& message);

// The state the last render_nagios() reported: the driver exits with it instead of the command's own status.
std::optional<NagiosState> nagios_exit_state();

}  // namespace nettool
