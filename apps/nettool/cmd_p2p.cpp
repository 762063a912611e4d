// nettool p2p: which LAN hosts run P2P file sharing, live or from captures, and who they are.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/core/text.hpp"
#include "nettool/io/capture.hpp"
#include "nettool/p2p/p2p.hpp"

#include <unistd.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <memory>

namespace {

struct P2pOptions {
    std::string interface;
    std::vector<std::string> files;
    double duration = 0;
    std::int64_t count = 0;  // signed, so that "-c -1" is refused instead of wrapping to a huge count
    std::string filter;
    std::string inventory;
    std::vector<std::string> local;
    std::size_t top = 10;
    std::size_t max_flows = 262'144;
    int buffer_kib = nettool::default_capture_buffer_bytes / 1024;
    std::string write_path;
    std::string user = "nobody";
    nettool::OutputOptions output;
};

void draw_progress(const nettool::p2p::Progress& p, bool done) {
    std::string line = "\r" + nettool::sanitize_for_terminal(p.file) + ": " + std::to_string(p.packets) + " packets";
    if (p.file_size > 0) {
        double fraction = std::min(1.0, static_cast<double>(p.bytes_read) / static_cast<double>(p.file_size));
        int filled = static_cast<int>(std::lround(fraction * 30));
        line += " [" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(30 - filled), ' ') + "] " + nettool::format_percent(fraction, 0);
    }
    std::cerr << line << "\x1b[K" << (done ? "\r\x1b[K" : "") << std::flush;
}

int run_p2p_command(const P2pOptions& o) {
    using namespace nettool;
    p2p::P2pRequest request;
    request.files = o.files;
    request.filter = o.filter;
    request.inventory_path = o.inventory;
    request.local = o.local;
    request.top = o.top;
    request.limits.max_flows = o.max_flows;
    request.buffer_bytes = o.buffer_kib * 1024;
    request.write_path = o.write_path;
    request.run_as_user = o.user;
    if (!o.files.empty() && !o.write_path.empty()) {
        throw ErrorException(usage_error("-w saves a live capture; with -r the packets are already in a file"));
    }
    if (o.duration < 0 || !std::isfinite(o.duration)) throw ErrorException(usage_error("--duration must be >= 0"));
    if (o.duration > 0) request.duration = std::chrono::milliseconds(static_cast<std::int64_t>(o.duration * 1000));
    if (o.count > 0) request.max_packets = static_cast<std::uint64_t>(o.count);
    if (!o.files.empty() && o.duration > 0) {
        throw ErrorException(usage_error("--duration limits a live capture; with -r FILE use -c COUNT or --filter"));
    }
    if (request.files.empty()) {
        request.interface = o.interface;
        if (request.interface.empty()) {
            auto route = default_route_interface();
            if (!route) {
                throw ErrorException(environment_error(
                    "no IPv4 default route to take the interface from; name the interface (nettool p2p eth0) or read "
                    "a capture with -r FILE"));
            }
            request.interface = *route;
        }
    } else if (!o.interface.empty()) {
        throw ErrorException(usage_error("give either an interface or -r FILE, not both"));
    }

    p2p::RunHooks hooks;
    bool stdout_tty = ::isatty(1) == 1;
    bool stderr_tty = ::isatty(2) == 1;
    Style live_style = Style::for_stream(1, o.output.no_color);
    bool drew_live = false;
    p2p::LiveCounters counters, previous_counters;
    bool have_counters = false;
    if (request.files.empty() && stdout_tty && !o.output.machine() && request.write_path != "-") {
        hooks.on_counters = [&](const p2p::LiveCounters& now) {
            if (have_counters) previous_counters = counters;
            counters = now;
            have_counters = true;
        };
        hooks.on_tick = [&](const p2p::P2pReport& report, double elapsed) {
            p2p::render_live(std::cout, report, live_style, elapsed, &counters, &previous_counters);
            drew_live = true;
        };
    }
    if (!request.files.empty() && stderr_tty) {
        hooks.on_progress = [](const p2p::Progress& p) {
            if (p.file_size != 0 && p.file_size < 4'000'000 && p.bytes_read < p.file_size) return;
            draw_progress(p, p.file_size != 0 && p.bytes_read >= p.file_size);
        };
    }

    auto report = p2p::run_p2p(request, hooks);
    if (!report) throw ErrorException(report.error());
    if (drew_live) std::cout << "\x1b[H\x1b[2J" << std::flush;
    emit_result(*report, "p2p", o.output, [](std::ostream& out, const p2p::P2pReport& r, const Style& style) {
        p2p::render_human(out, r, style);
    });
    return to_int(exit_status_for(report->diagnoses));
}

nettool::app::RunFunction setup_p2p(CLI::App& app) {
    auto options = std::make_shared<P2pOptions>();
    app.description(
        "Find the LAN hosts running P2P file sharing (Gnutella, BitTorrent, eDonkey/Kad, Soulseek, DirectConnect,\n"
        "Ares, FastTrack, PPStream, Kontiki, Winny), live on an interface or from capture files, and say who they\n"
        "are. Flows are identified by payload signatures (proof); hosts with no readable payload are judged by\n"
        "transport behaviour (Karagiannis et al., IMC 2004: TCP+UDP to the same peers, {IP,port} endpoints with as\n"
        "many peer IPs as peer ports, fan-out to many high ports) and reported as 'suspect' with a confidence.\n"
        "A default port alone is only a hint. Verdicts: p2p (payload proof), suspect (behaviour), clean.\n"
        "Live capture needs CAP_NET_RAW (setcap cap_net_raw+ep $(command -v nettool)). Once the device is open\n"
        "every capability is dropped; started as root, nettool also switches to the user of -Z (default nobody)\n"
        "and its group, so a bug in a packet parser cannot write root's files. The kernel ring (-B) holds about a\n"
        "second of gigabit traffic by default; drops are shown live and reported as capture_drops (warning).\n"
        "Exit status: 0 no P2P host, 1 a host is p2p or suspect, 2 bad usage or input, 3 could not run.\n"
        "Examples:\n"
        "  nettool p2p eth0 --duration 60 --inventory hosts.csv\n"
        "  nettool p2p -r office.pcapng --local 192.168.1.0/24 --json\n"
        "  tcpdump -i eth0 -w - | nettool p2p -r -");
    app.add_option("interface", options->interface,
                   "Interface to capture on (default: the interface of the IPv4 default route)");
    app.add_option("-r,--read", options->files,
                   "Read a pcap/pcapng file, gzip-compressed or not, instead of capturing ('-' = stdin); repeatable")
        ->type_name("FILE");
    app.add_option("--duration", options->duration, "Stop a live capture after this many seconds (default: Ctrl-C)")
        ->type_name("S");
    app.add_option("-c,--count", options->count, "Stop after this many packets (at least 1)")
        ->type_name("COUNT")
        ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
    app.add_option("--filter", options->filter, "BPF filter for the capture or the files, e.g. 'not port 22'")
        ->type_name("BPF");
    app.add_option("--inventory", options->inventory,
                   "CSV address register: address or CIDR, owner, host name, note (names each host's owner)")
        ->type_name("FILE");
    app.add_option("--local", options->local,
                   "Local network whose hosts get a verdict (repeatable; default RFC 1918, ULA, link-local, CGNAT)")
        ->type_name("CIDR");
    app.add_option("-B,--buffer-size", options->buffer_kib,
                   "Kernel capture ring in KiB, like tcpdump -B (default 131072 = 128 MiB, about 1 s at 1 Gb/s)")
        ->type_name("KiB")
        ->check(CLI::Range(256, 4 * 1024 * 1024));
    app.add_option("-w,--write", options->write_path,
                   "Also save the live capture to FILE as pcapng ('-' = stdout), while analysing it")
        ->type_name("FILE");
    app.add_option("-Z,--user", options->user,
                   "Started as root: run as USER (and its group) once the device is open (default nobody; '' keeps "
                   "root's user ID, capabilities are dropped either way)")
        ->type_name("USER");
    app.add_option("--top", options->top, "Number of top talkers to list (default 10)")->type_name("N");
    app.add_option("--max-flows", options->max_flows,
                   "Flow table cap; the least recently active flows are evicted beyond it (default 262144)")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 26));
    nettool::app::add_output_options(app, options->output);
    return [options]() { return run_p2p_command(*options); };
}

}  // namespace

NETTOOL_SUBCOMMAND("p2p", "Find LAN hosts running P2P file sharing, live or from a capture, and name their owner", 40,
                   setup_p2p);
