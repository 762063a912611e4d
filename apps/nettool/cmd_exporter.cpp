// `nettool exporter`: a Prometheus exporter (multi-target /probe like blackbox_exporter, /metrics with the IKE
// tunnels of followed logs). Options in, the server on the io_context until SIGINT/SIGTERM.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/exporter/config.hpp"
#include "nettool/exporter/ike_sources.hpp"
#include "nettool/exporter/server.hpp"
#include "nettool/io/event_loop.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

namespace {

struct ExporterOptions {
    std::string listen;
    std::string config_path;
};


nettool::app::RunFunction setup_exporter(CLI::App& sub) {
    auto o = std::make_shared<ExporterOptions>();
    sub.footer(
        "Serves Prometheus metrics over HTTP until SIGINT/SIGTERM.\n"
        "  GET /probe?module=MODULE&target=TARGET   runs one check and answers in the text exposition format:\n"
        "      ping      target: host (address or name)\n"
        "      dnscheck  target: resolver IP[:PORT]; name=NAME (repeatable) to query\n"
        "      spf       target: domain; ip=IP (repeatable) to evaluate\n"
        "      link      target: interface on the exporter's host\n"
        "      doctor    target: interface on the exporter's host ('default': the default route's); reach=IP,\n"
        "                tcp=IP:PORT, name=NAME (repeatable)\n"
        "    nettool_probe_success, nettool_probe_duration_seconds, nettool_diagnosis{module,target,code,severity}\n"
        "    and the module's measurements; the deadline follows X-Prometheus-Scrape-Timeout-Seconds (default 5 s).\n"
        "  GET /metrics   the exporter's own counters and nettool_ike_* for the IKE logs and syslog sources of\n"
        "                 --config (tunnel up, attempts and failures by code).\n"
        "Safe by default: listens on 127.0.0.1; probes may target only private, loopback and link-local addresses\n"
        "(and names resolving to them) unless the config's \"allowed_targets\" says otherwise; at most\n"
        "max_concurrent_probes (4) at once (503 beyond); bad requests get HTTP 400 with the reason.\n"
        "Config (--config FILE, JSON): listen, allowed_targets, max_concurrent_probes, dns_servers,\n"
        "  ike_logs [{path, format}], syslog [\"udp://ADDR:PORT\"]. See docs/monitoring.md.\n"
        "Exit status: 0 stopped by a signal, 2 bad usage or config, 3 could not listen.");
    sub.add_option("--listen", o->listen, "ADDR:PORT to serve on (default 127.0.0.1:9798; :PORT for all addresses)")
        ->type_name("ADDR:PORT");
    sub.add_option("--config", o->config_path, "JSON config file (targets allowed, IKE logs, syslog, ...)")
        ->type_name("FILE");
    return [o]() -> int {
        using namespace nettool;
        exporter::ExporterConfig config;
        if (!o->config_path.empty()) {
            std::ifstream in(o->config_path);
            if (!in) throw ErrorException(input_error("cannot read the config", o->config_path));
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            config = exporter::parse_config(text).take();
        }
        if (!o->listen.empty()) {
            if (auto ok = exporter::parse_listen(o->listen); !ok) throw ErrorException(ok.error());
            config.listen = o->listen;
        }
        IoContext io;
        exporter::IkeSources sources;
        exporter::Server server(io, config, sources);
        unsigned short port = server.start().take();
        sources.start(config);
        std::cerr << "nettool exporter: listening on " << config.listen << " (port " << port << ")" << std::endl;
        InterruptHandler interrupt(io, [&]() {
            server.stop();
            io.stop();
        });
        io.run();
        sources.join();
        return to_int(ExitStatus::ok);
    };
}

}  // namespace

NETTOOL_SUBCOMMAND("exporter", "Serve Prometheus metrics: /probe runs a check per scrape, /metrics follows IKE logs",
                   80, setup_exporter);
