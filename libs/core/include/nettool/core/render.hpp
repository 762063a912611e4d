#pragma once
// Shared pieces of the human renderers, and the one place that picks human or JSON output.
#include "nettool/core/diagnosis.hpp"
#include "nettool/core/nagios.hpp"
#include "nettool/core/style.hpp"
#include "nettool/core/text.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <ostream>
#include <vector>

namespace nettool {

// Bumped only when a JSON field changes meaning or disappears; new fields do not bump it.
inline constexpr int json_schema_version = 1;

struct OutputOptions {
    bool json = false;
    bool no_color = false;
    bool nagios = false;  // plugin output for Nagios/Icinga (nagios.hpp)
    // Output for a program, not a person: nothing is streamed while the run goes.
    bool machine() const { return json || nagios; }
};

// "[warning] udp_blocked: summary" then indented evidence lines and "advice: ...".
void render_diagnosis(std::ostream& out, const Diagnosis& diagnosis, const Style& style,
                      const std::string& indent = "");
void render_diagnoses(std::ostream& out, const std::vector<Diagnosis>& diagnoses, const Style& style,
                      const std::string& indent = "");

// Writes `result` as one JSON document ({"schema_version":1, "command":..., ...to_json(result)}), as Nagios plugin
// output (with the perfdata of `nagios_perfdata(result)` when the result's library defines it), or through
// `render_human(out, result, style)`. The renderer is chosen here, once, never at print sites.
template <class ResultT, class HumanRenderer>
void emit_result(const ResultT& result, const char* command, const OutputOptions& options,
                 HumanRenderer&& render_human, std::ostream& out = std::cout) {
    if (options.json || options.nagios) {
        nlohmann::json document = result;
        nlohmann::json wrapped = {{"schema_version", json_schema_version}, {"command", command}};
        if (document.is_object()) {
            for (auto& [key, value] : document.items()) wrapped[key] = value;
        } else {
            wrapped["result"] = document;
        }
        if (options.nagios) {
            std::vector<PerfDatum> perfdata;
            if constexpr (requires { nagios_perfdata(result); }) perfdata = nagios_perfdata(result);
            render_nagios(out, command, wrapped, perfdata);
        } else {
            out << json_dump(wrapped) << '\n';
        }
    } else {
        Style style = Style::for_stream(&out == &std::cout ? 1 : -1, options.no_color);
        render_human(out, result, style);
    }
    out.flush();
}

}  // namespace nettool
