// The nettool driver: builds the command line from the registered subcommands, runs the chosen one, and maps
// every failure to the shared exit statuses (0 ok, 1 problem found, 2 bad usage/input, 3 could not run).
#include "cli.hpp"
#include "subcommand.hpp"

#include "nettool/core/error.hpp"
#include "nettool/core/exit_status.hpp"
#include "nettool/core/nagios.hpp"
#include "nettool/core/text.hpp"

#include <algorithm>
#include <exception>
#include <iostream>
#include <map>
#include <new>
#include <string>
#include <string_view>

namespace {

// With --json a failure is also one JSON document on stdout, so a script always gets JSON.
bool json_errors = false;
std::string error_command;  // the subcommand named on the command line, for the error document
// With --nagios a failure is still plugin output: "SERVICE UNKNOWN - reason" on stdout, exit 3.
std::string nagios_service;  // the subcommand's name when --nagios was given

int report_error(const nettool::Error& error) {
    if (!nagios_service.empty()) {
        nettool::render_nagios_unknown(std::cout, nagios_service, error.describe());
        return static_cast<int>(nettool::NagiosState::unknown);
    }
    if (json_errors) std::cout << nettool::json_dump(nettool::app::error_document(error, error_command)) << '\n';
    std::cerr << "nettool: " << (error.kind == nettool::ErrorKind::usage ? "usage error: " : "error: ")
              << nettool::sanitize_for_terminal(error.describe()) << '\n';
    return nettool::to_int(nettool::exit_status_for(error));
}

}  // namespace

int main(int argc, char** argv) {
    using namespace nettool;
    CLI::App app{"nettool: network troubleshooting for small-office networks.\n"
                 "Measures, names the cause, shows the evidence and says what to do.\n"
                 "Exit status: 0 nothing wrong found, 1 a problem found, 2 bad usage or input, 3 could not run.",
                 "nettool"};
    app::Summaries summaries;
    for (const auto& info : app::registered_subcommands()) summaries[info.name] = info.description;
    auto formatter = std::make_shared<app::SummaryFormatter>(summaries);
    app.formatter(formatter);
    app.set_version_flag("--version", "nettool " NETTOOL_VERSION);
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show help for every subcommand");

    std::map<CLI::App*, app::RunFunction> runners;
    for (const auto& info : app::registered_subcommands()) {
        CLI::App* sub = app.add_subcommand(info.name, info.description);
        runners[sub] = info.setup(*sub);
    }
    const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    if (args.size() == 1 && args[0] == app::cli_spec_flag) {
        std::cout << json_dump(app::cli_spec(app, *formatter)) << '\n';
        return 0;
    }
    json_errors = app::json_requested(args);
    error_command = app::command_in(app, args);
    if (std::find(args.begin(), args.end(), "--nagios") != args.end()) {
        nagios_service = error_command.empty() ? std::string("nettool") : error_command;
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11's own codes are 100-127; our contract says 2 for any usage error (Nagios: UNKNOWN, 3).
        if (auto unknown = app::unknown_subcommand_message(app, args)) return report_error(usage_error(*unknown));
        if (json_errors || !nagios_service.empty()) return report_error(usage_error(e.what()));
        std::cerr << "nettool: usage error: " << e.what() << " (see --help)\n";
        return to_int(ExitStatus::bad_input);
    }

    try {
        for (CLI::App* sub : app.get_subcommands()) {
            auto it = runners.find(sub);
            if (it != runners.end()) {
                int status = it->second();
                if (auto nagios = nettool::nagios_exit_state()) return static_cast<int>(*nagios);
                return status;
            }
        }
        return report_error(usage_error("no subcommand given"));
    } catch (const ErrorException& e) {
        return report_error(e.error());
    } catch (const std::bad_alloc&) {
        return report_error(internal_error("out of memory"));
    } catch (const std::exception& e) {
        return report_error(internal_error(std::string("unexpected failure: ") + e.what()));
    }
}
