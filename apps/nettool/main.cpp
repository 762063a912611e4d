// The nettool driver: builds the command line from the registered subcommands, runs the chosen one, and maps
// every failure to the shared exit statuses (0 ok, 1 problem found, 2 bad usage/input, 3 could not run).
#include "subcommand.hpp"

#include "nettool/core/error.hpp"
#include "nettool/core/exit_status.hpp"
#include "nettool/core/nagios.hpp"
#include "nettool/core/text.hpp"

#include <exception>
#include <iostream>
#include <map>
#include <new>
#include <string>
#include <string_view>

namespace {

// With --nagios a failure is still plugin output: "SERVICE UNKNOWN - reason" on stdout, exit 3.
std::string nagios_service;  // the subcommand's name when --nagios was given

int report_error(const nettool::Error& error) {
    if (!nagios_service.empty()) {
        nettool::render_nagios_unknown(std::cout, nagios_service, error.describe());
        return static_cast<int>(nettool::NagiosState::unknown);
    }
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
    app.set_version_flag("--version", "nettool " NETTOOL_VERSION);
    app.require_subcommand(1);
    app.set_help_all_flag("--help-all", "Show help for every subcommand");

    std::map<CLI::App*, app::RunFunction> runners;
    for (const auto& info : app::registered_subcommands()) {
        CLI::App* sub = app.add_subcommand(info.name, info.description);
        runners[sub] = info.setup(*sub);
    }
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) != "--nagios") continue;
        for (int k = 1; k < i; ++k) {
            for (const auto& info : app::registered_subcommands()) {
                if (info.name == std::string_view(argv[k])) nagios_service = info.name;
            }
        }
        if (nagios_service.empty()) nagios_service = "nettool";
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
        // CLI11's own codes are 100-127; our contract says 2 for any usage error (Nagios: UNKNOWN).
        if (!nagios_service.empty()) return report_error(usage_error(e.what()));
        std::cerr << "nettool: usage error: " << e.what() << "\nRun with --help for usage.\n";
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
