// `nettool link`: link speed, duplex and error checks. Options in, one library call, rendering out.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/link/link_check.hpp"
#include "nettool/link/nagios.hpp"

#include <memory>

namespace {

struct LinkOptions {
    std::vector<std::string> interfaces;
    double watch = 3.0;
    std::string sysfs_root;
    std::string ethtool_json;
    std::string record;
    nettool::OutputOptions output;
};

nettool::app::RunFunction setup_link(CLI::App& sub) {
    auto opts = std::make_shared<LinkOptions>();
    sub.footer(
        "Reads what the kernel and the NIC know about each interface (operstate, carrier, speed, duplex,\n"
        "auto-negotiation, port, supported/advertised/link-partner modes via the ETHTOOL_GLINKSETTINGS ioctl,\n"
        "falling back to ETHTOOL_GSET and then /sys/class/net; driver and firmware; MTU; carrier changes; error,\n"
        "drop and driver counters), samples it at the start and the end of the watch window and reports rates.\n"
        "No root needed; a refused ioctl is reported as a note and the reading falls back.\n"
        "\n"
        "Diagnosis codes: ok, link_down, half_duplex, speed_downshift, autoneg_off, errors_rising, drops_rising,\n"
        "link_flapping, speed_unknown.\n"
        "\n"
        "Recorded data: --record DIR saves both samples (a sysfs subset and ethtool.json); analyse it later,\n"
        "anywhere, with --sysfs-root DIR. --sysfs-root also takes a plain sysfs root (ROOT/class/net/IFACE/...)\n"
        "or a root with start/ and end/ samples plus a window_seconds file; --ethtool-json FILE adds ethtool data.\n"
        "\n"
        "Examples:\n"
        "  nettool link                       every non-loopback interface, 3 s window\n"
        "  nettool link eth0 --watch 10       one interface, 10 s window (Ctrl-C ends it early)\n"
        "  nettool link eth0 --record /tmp/r  also save the readings\n"
        "  nettool link --sysfs-root /tmp/r   analyse a recording\n"
        "\n"
        "Exit status: 0 every interface ok, 1 a link problem found, 2 bad usage or input, 3 could not run.");
    sub.add_option("IFACE", opts->interfaces, "Interfaces to check (default: every interface except loopback)");
    auto* watch = sub.add_option("--watch", opts->watch,
                                 "Seconds between the first and the second sample (0: one sample, no rates)")
                      ->default_val(3.0);
    sub.add_option("--sysfs-root", opts->sysfs_root,
                   "Analyse recorded data under DIR instead of reading this machine")
        ->type_name("DIR");
    sub.add_option("--ethtool-json", opts->ethtool_json,
                   "Recorded ethtool data for --sysfs-root (format: docs/link.md)")
        ->type_name("FILE");
    sub.add_option("--record", opts->record, "Save the live readings to DIR (new or empty) for later analysis")
        ->type_name("DIR");
    nettool::app::add_output_options(sub, opts->output);

    return [opts, watch]() -> int {
        using namespace nettool;
        link::LinkRequest request;
        request.interfaces = opts->interfaces;
        request.watch_seconds = opts->watch;
        if (!opts->sysfs_root.empty()) request.sysfs_root = opts->sysfs_root;
        if (!opts->ethtool_json.empty()) request.ethtool_json = opts->ethtool_json;
        if (!opts->record.empty()) request.record_dir = opts->record;
        if (request.sysfs_root && watch->count() > 0) {
            throw ErrorException(usage_error("--watch applies to live readings, not to --sysfs-root recordings"));
        }
        IoContext io;
        auto report = link::run_link_check(request, io);
        if (!report) throw ErrorException(report.error());
        emit_result(*report, "link", opts->output, link::render_link_report);
        return to_int(exit_status_for(link::all_diagnoses(*report)));
    };
}

}  // namespace

NETTOOL_SUBCOMMAND("link", "Check link speed, duplex, negotiation and error counters of network interfaces", 60,
                   setup_link);
