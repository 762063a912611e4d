#pragma once
// The driver's command-line ergonomics, kept out of main.cpp: one-line subcommand summaries in the top-level
// --help, "did you mean" for a mistyped subcommand, errors as a JSON document when --json was asked for, and the
// machine-readable description of the whole command line (--cli-spec) that man pages and completions are
// generated from at build time.
#include "nettool/core/error.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::app {

// The hidden top-level flag that prints cli_spec() (not listed in --help, completions or man pages).
inline constexpr std::string_view cli_spec_flag = "--cli-spec";

// The first line of `description`, cut at the end of its first sentence: what the top-level --help shows.
std::string summary_line(std::string_view description);

// Subcommand name -> the one line shown for it in the top-level --help (a subcommand may replace its registered
// description with several paragraphs for its own --help).
using Summaries = std::map<std::string, std::string>;

// Lists subcommands with their summary line only; a subcommand's own --help keeps its full description.
class SummaryFormatter : public CLI::Formatter {
public:
    explicit SummaryFormatter(Summaries summaries) : summaries_(std::move(summaries)) {}
    std::string make_subcommand(const CLI::App* sub) const override;
    std::string summary_of(const CLI::App& sub) const;

private:
    Summaries summaries_;
};

// When argv names no known subcommand where one is expected: "unknown subcommand 'pign'; did you mean 'ping'?".
std::optional<std::string> unknown_subcommand_message(const CLI::App& app, const std::vector<std::string>& args);

// True when "--json" appears among the arguments (before a "--"): errors are then a JSON document on stdout too.
bool json_requested(const std::vector<std::string>& args);

// The subcommand named in the arguments, or empty: the "command" of an error document.
std::string command_in(const CLI::App& app, const std::vector<std::string>& args);

// {"schema_version":1, "command":..., "error":{"kind":..., "message":..., "exit_status":...}}
nlohmann::json error_document(const Error& error, const std::string& command);

// Every subcommand with its summary, description, footer and options (names, value type, choices, default,
// help): the one source the generated man pages and shell completions are built from.
nlohmann::json cli_spec(CLI::App& app, const SummaryFormatter& formatter);

}  // namespace nettool::app
