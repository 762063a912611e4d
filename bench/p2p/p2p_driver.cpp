// Stand-in for `nettool p2p -r FILE --json` built only from the p2p library and its dependencies (core, wire,
// io), for measuring when a release build of the whole nettool binary is not at hand. Same request, same
// library call, same JSON emitter as apps/nettool/cmd_p2p.cpp. Usage: p2p_driver p2p -r FILE [--json]
#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/p2p/p2p.hpp"

#include <iostream>
#include <string>

int main(int argc, char** argv) {
    nettool::p2p::P2pRequest request;
    nettool::OutputOptions output;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--json") {
            output.json = true;
        } else if (arg == "-r" && i + 1 < argc) {
            request.files.push_back(argv[++i]);
        } else if (arg == "--local" && i + 1 < argc) {
            request.local.push_back(argv[++i]);
        }
    }
    auto report = nettool::p2p::run_p2p(request);
    if (!report) {
        std::cerr << report.error().describe() << '\n';
        return nettool::to_int(nettool::exit_status_for(report.error()));
    }
    nettool::emit_result(*report, "p2p", output, [](std::ostream& out, const nettool::p2p::P2pReport& r,
                                                    const nettool::Style& style) { nettool::p2p::render_human(out, r, style); });
    return nettool::to_int(nettool::exit_status_for(report->diagnoses));
}
