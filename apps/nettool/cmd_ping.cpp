// nettool ping HOST: options in, PingRequest to libs/ping, the result out through emit_result.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/ping/ping.hpp"
#include "nettool/ping/nagios.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <memory>

namespace {

using namespace nettool;

struct PingOptions {
    std::string host;
    long long count = 4;
    double interval_s = 1.0;
    double timeout_s = 2.0;
    long long size = 56;
    std::optional<long long> ttl;
    bool ipv4 = false;
    bool ipv6 = false;
    std::vector<std::string> dns_servers;
    std::string socket = "auto";
    std::string interface;
    bool broadcast = false;
    OutputOptions output;
};

// Seconds as typed (fractions allowed) to a duration, within [low, high] seconds; one wording for every way out
// of range (NaN, negative, 3601, 86401 alike).
template <class Duration>
Duration seconds_to(double seconds, const char* what, const char* range, double low, double high) {
    if (!std::isfinite(seconds) || seconds < low || seconds > high) {
        char given[64];
        std::snprintf(given, sizeof given, "%g", seconds);
        throw ErrorException(usage_error(std::string(what) + " must be " + range + " seconds, got " + given));
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
    r.interval = seconds_to<std::chrono::microseconds>(o.interval_s, "interval (-i)", "0 to 3600", 0.0, 3600.0);
    r.timeout = seconds_to<std::chrono::milliseconds>(o.timeout_s, "timeout (-W)", "0.001 to 3600", 0.001, 3600.0);
    if (o.size < 0 || o.size > static_cast<long long>(max_ping_payload)) {
        throw ErrorException(usage_error("packet size must be between 0 and " + std::to_string(max_ping_payload) +
                                         ", got " + std::to_string(o.size)));
    }
    r.payload_size = static_cast<std::size_t>(o.size);
    if (o.ttl && (*o.ttl < 1 || *o.ttl > 255)) {
        throw ErrorException(usage_error("TTL (-t) must be between 1 and 255, got " + std::to_string(*o.ttl)));
    }
    r.ttl = o.ttl ? static_cast<int>(*o.ttl) : 0;  // 0: the system's default
    r.interface = o.interface;
    r.broadcast = o.broadcast;
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
        "socket (needs root or CAP_NET_RAW). Names resolve as `getent ahosts` does (nsswitch, /etc/hosts, the\n"
        "search list and ndots of resolv.conf) and the first address is pinged; with --dns-server, /etc/hosts and\n"
        "then that server, for the name exactly as given (IPv4 preferred). IPv6 link-local addresses need a zone\n"
        "(fe80::1%eth0) or -I. A subnet broadcast address needs -b.\n"
        "Diagnosis codes: ok, first_probe_lost (leading probes held back by ARP/neighbour resolution, their\n"
        "replies late and together, the rest fine: not loss), first_probe_slow, packet_loss, no_reply,\n"
        "replies_too_late, host_unreachable, ttl_exceeded, send_failed, duplicate_replies, broadcast_replies,\n"
        "high_latency (average >= 500 ms), no_probes_sent.\n"
        "Exit status: 0 all answered (or only first_probe_lost), 1 loss/unreachable/other problem, 2 bad usage,\n"
        "3 could not run (no privilege, name server unreachable).\n"
        "Examples:\n"
        "  nettool ping 192.168.1.1 -c 5\n"
        "  nettool ping router.lan --dns-server 192.168.1.1 -i 0.2 --json\n"
        "  nettool ping -6 ::1 -c 3 -W 1\n"
        "  nettool ping fe80::1%eth0 -c 3\n"
        "  nettool ping -b 192.168.1.255 -c 2");
    sub.add_option("HOST", o->host, "Host name, IPv4 or IPv6 address to ping")->required();
    sub.add_option("-c,--count", o->count, "Number of echo requests to send (1-1000000)")->capture_default_str();
    sub.add_option("-i,--interval", o->interval_s,
                   "Seconds between requests (0 to 3600); fractions allowed, below 0.002 only for root")
        ->capture_default_str();
    sub.add_option("-W,--timeout", o->timeout_s, "Seconds to wait for each reply (0.001 to 3600)")
        ->capture_default_str();
    sub.add_option("-s,--size", o->size, "Payload bytes per request (0-65507)")->capture_default_str();
    sub.add_option("-t,--ttl", o->ttl, "IP time to live / hop limit (1-255; default: the system's)");
    sub.add_option("-I,--interface", o->interface,
                   "Send through this interface only; also the zone of an IPv6 link-local address");
    sub.add_flag("-b,--broadcast", o->broadcast,
                 "Allow pinging a broadcast address (SO_BROADCAST); every host that answers is counted");
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
