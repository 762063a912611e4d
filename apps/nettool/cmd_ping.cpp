// nettool ping HOST: options in, PingRequest to libs/ping, the result out through emit_result.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/ping/ping.hpp"
#include "nettool/ping/nagios.hpp"

#include <cmath>
#include <iostream>
#include <memory>

namespace {

using namespace nettool;

struct PingOptions {
    std::string host;
    long long count = 4;
    double interval_s = 1.0;
    double timeout_s = 2.0;
    long long size = 56;
    long long ttl = 0;
    bool ipv4 = false;
    bool ipv6 = false;
    std::vector<std::string> dns_servers;
    std::string socket = "auto";
    OutputOptions output;
};

// Seconds as typed (fractions allowed) to a duration; usage error for NaN, infinity or absurd magnitudes.
template <class Duration>
Duration seconds_to(double seconds, const char* what) {
    if (!std::isfinite(seconds) || seconds < 0.0 || seconds > 86400.0) {
        throw ErrorException(usage_error(std::string(what) + " must be a number of seconds, 0 or more and at most a day"));
    }
    using Rep = typename Duration::rep;
    return Duration(static_cast<Rep>(std::llround(seconds * static_cast<double>(Duration::period::den) /
                                                  static_cast<double>(Duration::period::num))));
}

PingRequest build_request(const PingOptions& o) {
    PingRequest r;
    r.host = o.host;
    if (o.count < 1 || o.count > static_cast<long long>(max_ping_count)) {
        throw ErrorException(usage_error("count must be between 1 and " + std::to_string(max_ping_count) +
                                         ", got " + std::to_string(o.count)));
    }
    r.count = static_cast<std::uint32_t>(o.count);
    r.interval = seconds_to<std::chrono::microseconds>(o.interval_s, "interval (-i)");
    r.timeout = seconds_to<std::chrono::milliseconds>(o.timeout_s, "timeout (-W)");
    if (o.size < 0 || o.size > static_cast<long long>(max_ping_payload)) {
        throw ErrorException(usage_error("packet size must be between 0 and " + std::to_string(max_ping_payload) +
                                         ", got " + std::to_string(o.size)));
    }
    r.payload_size = static_cast<std::size_t>(o.size);
    if (o.ttl < 0 || o.ttl > 255) {
        throw ErrorException(usage_error("TTL must be between 1 and 255, got " + std::to_string(o.ttl)));
    }
    r.ttl = static_cast<int>(o.ttl);
    r.family = o.ipv4 ? HostFamily::v4 : o.ipv6 ? HostFamily::v6 : HostFamily::any;
    r.socket = o.socket == "datagram" ? IcmpSocketKind::datagram
               : o.socket == "raw"    ? IcmpSocketKind::raw
                                      : IcmpSocketKind::automatic;
    for (const auto& text : o.dns_servers) {
        auto server = DnsServer::parse(text);
        if (!server) throw ErrorException(server.error());
        r.dns_servers.push_back(*server);
    }
    return r;
}

int run_ping_command(const PingOptions& o) {
    PingRequest request = build_request(o);
    IoContext io;
    Style style = Style::for_stream(1, o.output.no_color);
    // Human output streams one line per probe as it finishes (like iputils); JSON waits for the one document.
    PingObserver observer;
    if (!o.output.machine()) {
        observer.on_start = [&](const PingResult& started) { render_ping_start(std::cout, started, style); };
        observer.on_probe = [&](const PingProbe& probe) { render_ping_probe(std::cout, probe, style); };
        observer.on_extra_reply = [&](const PingProbe& extra, bool duplicate) {
            render_ping_extra_reply(std::cout, extra, duplicate, style);
        };
    }
    auto result = run_ping(io, request, observer);
    if (!result) throw ErrorException(result.error());
    emit_result(*result, "ping", o.output, render_ping_summary);
    return to_int(exit_status_for(result->diagnoses));
}

app::RunFunction setup_ping(CLI::App& sub) {
    auto o = std::make_shared<PingOptions>();
    sub.footer(
        "Sends ICMP echo requests like iputils ping and judges the outcome.\n"
        "Socket: an unprivileged ICMP datagram socket where net.ipv4.ping_group_range allows it, else a raw\n"
        "socket (needs root or CAP_NET_RAW). Names are looked up in /etc/hosts, then through DNS (--dns-server,\n"
        "else the servers of /etc/resolv.conf); with neither -4 nor -6 an IPv4 address is preferred.\n"
        "Diagnosis codes: ok, first_probe_lost (first probe unanswered, the rest fine: ARP/neighbour resolution,\n"
        "not loss), first_probe_slow, packet_loss, no_reply, replies_too_late, host_unreachable, ttl_exceeded,\n"
        "send_failed, duplicate_replies, high_latency (average >= 500 ms), no_probes_sent.\n"
        "Exit status: 0 all answered (or only first_probe_lost), 1 loss/unreachable/other problem, 2 bad usage,\n"
        "3 could not run (no privilege, name server unreachable).\n"
        "Examples:\n"
        "  nettool ping 192.168.1.1 -c 5\n"
        "  nettool ping router.lan --dns-server 192.168.1.1 -i 0.2 --json\n"
        "  nettool ping -6 ::1 -c 3 -W 1");
    sub.add_option("HOST", o->host, "Host name, IPv4 or IPv6 address to ping")->required();
    sub.add_option("-c,--count", o->count, "Number of echo requests to send (1-1000000)")->capture_default_str();
    sub.add_option("-i,--interval", o->interval_s,
                   "Seconds between requests; fractions allowed, below 0.002 only for root")
        ->capture_default_str();
    sub.add_option("-W,--timeout", o->timeout_s, "Seconds to wait for each reply (above 0, at most 3600)")
        ->capture_default_str();
    sub.add_option("-s,--size", o->size, "Payload bytes per request (0-65507)")->capture_default_str();
    sub.add_option("-t,--ttl", o->ttl, "IP time to live / hop limit (1-255; default: the system's)");
    auto* v4 = sub.add_flag("-4", o->ipv4, "Use IPv4 only");
    auto* v6 = sub.add_flag("-6", o->ipv6, "Use IPv6 only");
    v4->excludes(v6);
    v6->excludes(v4);
    sub.add_option("--dns-server", o->dns_servers,
                   "Resolve HOST through this server, HOST[:PORT] or [IPv6]:PORT (repeatable)");
    sub.add_option("--socket", o->socket, "ICMP socket: auto (datagram, else raw), datagram or raw")
        ->check(CLI::IsMember({"auto", "datagram", "raw"}))
        ->capture_default_str();
    app::add_output_options(sub, o->output);
    return [o] { return run_ping_command(*o); };
}

}  // namespace

NETTOOL_SUBCOMMAND("ping", "Send ICMP echo requests and judge loss, latency and unreachable errors", 10, setup_ping)
