#include "subcommand.hpp"

#include <algorithm>

namespace nettool::app {
namespace {

std::vector<SubcommandInfo>& registry() {
    static std::vector<SubcommandInfo> entries;
    return entries;
}

}  // namespace

bool register_subcommand(const SubcommandInfo& info) {
    auto& entries = registry();
    entries.push_back(info);
    std::stable_sort(entries.begin(), entries.end(),
                     [](const SubcommandInfo& a, const SubcommandInfo& b) { return a.order < b.order; });
    return true;
}

const std::vector<SubcommandInfo>& registered_subcommands() { return registry(); }

void add_output_options(CLI::App& subcommand, OutputOptions& output) {
    auto* json = subcommand.add_flag("--json", output.json, "Print one JSON document on stdout instead of the human report");
    subcommand
        .add_flag("--nagios", output.nagios,
                  "Nagios/Icinga plugin output: 'SERVICE STATE - summary | perfdata', the other findings below; "
                  "exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
        ->excludes(json);
    subcommand.add_flag("--no-color", output.no_color,
                        "Never colour the output (colour is used only on a terminal; NO_COLOR also disables it)");
}

}  // namespace nettool::app
