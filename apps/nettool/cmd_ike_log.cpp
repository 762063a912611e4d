// nettool ike-log: why does the IPsec VPN not come up? Reads IKE logs of many vendors (files, gzip, stdin, a
// growing file, or syslog over UDP) and reports per peer: attempts, state reached, failure codes with evidence.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/core/text.hpp"
#include "nettool/ikelog/ike_log.hpp"
#include "nettool/ikelog/nagios.hpp"
#include "nettool/wire/dns_server.hpp"

#include <iostream>
#include <memory>

namespace {

using namespace nettool;
using namespace nettool::ikelog;

struct IkeLogOptions {
    std::vector<std::string> files;
    std::string format = "auto";
    std::vector<std::string> peers;
    std::vector<std::string> resolve;
    std::string dns_server;
    bool follow = false;
    std::string listen;
    OutputOptions output;
};

std::string format_list() {
    std::string out;
    for (const FormatInfo* f : all_formats()) out += "\n  " + std::string(f->name) + ": " + std::string(f->description);
    return out;
}

// What --format takes; as a CLI11 check, the names reach --help, the man page and shell completion.
std::vector<std::string> format_choices() {
    std::vector<std::string> names{"auto"};
    for (const FormatInfo* f : all_formats()) names.emplace_back(f->name);
    return names;
}

std::string format_names() {
    std::string out;
    for (const FormatInfo* f : all_formats()) out += (out.empty() ? "" : ", ") + std::string(f->name);
    return out;
}

std::vector<NameCheck> check_names(const IkeLogOptions& opt) {
    std::vector<NameCheck> checks;
    for (const auto& argument : opt.resolve) {
        NameCheck check = parse_resolve_argument(argument).take();
        if (check.source == "dns") {
            std::vector<DnsServer> servers;
            if (!opt.dns_server.empty()) servers.push_back(DnsServer::parse(opt.dns_server).take());
            lookup_name(check, servers);
        }
        checks.push_back(std::move(check));
    }
    return checks;
}

int run_ike_log(const IkeLogOptions& opt) {
    const FormatInfo* forced = nullptr;
    if (opt.format != "auto") {
        forced = find_format(opt.format);
        if (!forced) throw ErrorException(usage_error("unknown --format '" + opt.format + "'; known: auto, " + format_names()));
    }
    bool live = opt.follow || !opt.listen.empty();
    if (opt.follow && !opt.listen.empty()) throw ErrorException(usage_error("--follow and --listen exclude each other"));
    if (opt.follow && opt.files.size() != 1) throw ErrorException(usage_error("--follow takes exactly one FILE"));
    if (!opt.listen.empty() && !opt.files.empty()) throw ErrorException(usage_error("--listen takes no FILE"));
    if (!live && opt.files.empty()) throw ErrorException(usage_error("give at least one FILE (or - for standard input)"));
    for (const auto& p : opt.peers) {
        if (p.empty()) throw ErrorException(usage_error("--peer wants an address or a connection name"));
    }

    Analyzer analyzer;
    analyzer.set_name_checks(check_names(opt));

    LiveOptions live_options;
    live_options.forced = forced;
    Style style = Style::for_stream(1, opt.output.no_color);
    if (!opt.output.machine()) {
        live_options.on_update = [&](const LiveUpdate& u) {
            if (!opt.peers.empty()) {
                bool wanted = false;
                for (const auto& p : opt.peers) wanted = wanted || p == u.peer;
                if (!wanted) return;
            }
            std::cout << style.paint(sanitize_for_terminal(u.source), Colour::dim) << ' '
                      << sanitize_for_terminal(u.peer) << ": " << sanitize_for_terminal(u.text) << std::endl;
        };
    }

    if (opt.follow) {
        Status s = follow_log(opt.files.front(), analyzer, live_options);
        if (!s) throw ErrorException(s.error());
        if (!opt.output.machine()) std::cout << "\n-- stopped; summary --\n";
    } else if (!opt.listen.empty()) {
        Status s = listen_syslog(opt.listen, analyzer, live_options, [&](unsigned short port) {
            std::cerr << "nettool ike-log: listening for syslog on " << opt.listen.substr(0, opt.listen.rfind(':'))
                      << ":" << port << " (Ctrl-C to stop)" << std::endl;
        });
        if (!s) throw ErrorException(s.error());
        if (!opt.output.machine()) std::cout << "\n-- stopped; summary --\n";
    } else {
        for (const auto& path : opt.files) {
            Status s = read_log(path, analyzer, forced);
            if (!s) throw ErrorException(s.error());
        }
    }

    IkeReport report = analyzer.report();
    if (Status kept = keep_peers(report, opt.peers); !kept) throw ErrorException(kept.error());
    emit_result(report, "ike-log", opt.output, [](std::ostream& out, const IkeReport& r, const Style& st) {
        render_human(out, r, st);
    });
    return to_int(report.problem_found() ? ExitStatus::problem : ExitStatus::ok);
}

app::RunFunction setup_ike_log(CLI::App& sub) {
    auto opt = std::make_shared<IkeLogOptions>();
    sub.footer(
        "Reads IKE/IPsec VPN logs and says, per peer, how far each negotiation got and why it failed.\n"
        "Failure codes: no_proposal_chosen, auth_failed, peer_unreachable, id_mismatch, ts_unacceptable,\n"
        "dpd_timeout, unknown_peer (the responder has no configuration for the peer's address: stale dynamic DNS),\n"
        "none; also sa_install_failed (local kernel refused the IPsec SA). Each comes with evidence (file:line)\n"
        "and advice. Each peer leads with its root cause (the finding that explains the others). Give both ends'\n"
        "logs to see their attempts side by side and get one verdict per tunnel naming the end to change.\n"
        "Gzip-compressed files are read as they are; '-' reads standard input. Garbage, binary and over-long\n"
        "(> 64 KiB) lines are skipped and counted.\n"
        "Formats (auto-detected per file, or --format NAME):" +
        format_list() +
        "\nExamples:\n"
        "  nettool ike-log /var/log/charon.log\n"
        "  nettool ike-log factory.log hq.log --resolve factory.example.net=219.46.154.35\n"
        "  nettool ike-log --follow /var/log/pluto.log\n"
        "  nettool ike-log --listen udp://0.0.0.0:5514 --json\n"
        "Exit status: 0 nothing at warning or worse found, 1 a warning or critical finding (a peer not up, a\n"
        "flap, a negotiation that could not be followed), 2 bad usage or input (a file that cannot be a log: empty,\n"
        "binary, UTF-16, a directory, no known format; --peer matching no peer), 3 could not run.");
    sub.add_option("FILE", opt->files, "Log files ('-' = standard input; .gz read transparently)");
    sub.add_option("--format", opt->format, "auto (default) or a format name: see the list below")
        ->check(CLI::IsMember(format_choices()))
        ->capture_default_str();
    sub.add_option("--peer", opt->peers, "Report only this peer (address or connection name); repeatable")
        ->allow_extra_args(false);
    sub.add_option("--resolve", opt->resolve,
                   "NAME=ADDR[,ADDR]: what DNS says NAME resolves to (compared with the address in the log);\n"
                   "NAME alone: look it up now. Repeatable")
        ->allow_extra_args(false);
    sub.add_option("--dns-server", opt->dns_server, "Server for --resolve lookups (ADDR[:PORT]); default: the system's");
    sub.add_flag("--follow,-f", opt->follow,
                 "Keep reading FILE as it grows (survives rotation); print events as they happen; Ctrl-C ends\n"
                 "with the summary");
    sub.add_option("--listen", opt->listen,
                   "Receive router syslog on udp://ADDR:PORT (RFC 3164 and RFC 5424); Ctrl-C ends with the summary");
    app::add_output_options(sub, opt->output);
    return [opt] { return run_ike_log(*opt); };
}

}  // namespace

NETTOOL_SUBCOMMAND("ike-log", "Explain why an IPsec VPN does not come up, from IKE logs of many vendors", 60,
                   setup_ike_log)
