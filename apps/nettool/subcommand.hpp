#pragma once
// How a subcommand plugs into the nettool driver. Each cmd_<name>.cpp defines a setup function that declares its
// options on the CLI11 sub-app and returns the function that runs it (returning the exit status), and registers
// itself with NETTOOL_SUBCOMMAND. The driver (main.cpp) knows no subcommand by name.
#include "nettool/core/render.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace nettool::app {

using RunFunction = std::function<int()>;
using SetupFunction = RunFunction (*)(CLI::App& subcommand);

struct SubcommandInfo {
    const char* name;
    const char* description;
    int order;  // position in --help
    SetupFunction setup;
};

bool register_subcommand(const SubcommandInfo& info);
const std::vector<SubcommandInfo>& registered_subcommands();

// --json and --no-color, the same on every subcommand.
void add_output_options(CLI::App& subcommand, OutputOptions& output);

}  // namespace nettool::app

#define NETTOOL_SUBCOMMAND_CONCAT_INNER(a, b) a##b
#define NETTOOL_SUBCOMMAND_CONCAT(a, b) NETTOOL_SUBCOMMAND_CONCAT_INNER(a, b)
// NETTOOL_SUBCOMMAND("ping", "Send ICMP echo requests ...", 10, setup_ping);
#define NETTOOL_SUBCOMMAND(name, description, order, setup)                                         \
    namespace {                                                                                   \
    [[maybe_unused]] const bool NETTOOL_SUBCOMMAND_CONCAT(registered_, __LINE__) =                \
        ::nettool::app::register_subcommand({name, description, order, setup});                  \
    }
