// nettool dnscheck: options in, one library call, one report out.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/dnscheck/dnscheck.hpp"
#include "nettool/dnscheck/nagios.hpp"
#include "nettool/dnscheck/text.hpp"
#include "nettool/wire/dns_message.hpp"

#include <memory>

namespace {

struct DnscheckOptions {
    std::vector<std::string> names;
    std::vector<std::string> servers;
    std::string resolv_conf;
    std::string systemd_resolv_conf = nettool::dnscheck::default_systemd_upstream_file;
    std::string large_name = nettool::dnscheck::default_large_name;
    std::string large_type;  // empty: DNSKEY for the default name, TXT and DNSKEY for a --large-name
    std::string reach;
    int count = 5;
    int timeout_ms = 1500;
    double latency_threshold_ms = 500.0;
    nettool::OutputOptions output;
};

int run_dnscheck_command(const DnscheckOptions& o) {
    using namespace nettool;
    dnscheck::DnsCheckRequest request;
    request.names = o.names;
    for (const auto& text : o.servers) request.servers.push_back(DnsServer::parse(text).take());
    if (!o.resolv_conf.empty()) {
        request.resolv_conf_path = o.resolv_conf;
        request.resolv_conf_explicit = true;
    }
    request.systemd_upstream_path = o.systemd_resolv_conf;
    request.large_name = o.large_name;
    if (!o.large_type.empty()) {
        auto type = dnscheck::type_from_name(o.large_type);
        if (!type) throw ErrorException(usage_error("unknown record type '" + o.large_type + "'", "--large-type"));
        request.large_type = *type;
    } else if (o.large_name != nettool::dnscheck::default_large_name) {
        // A name the user picked for its large answer: ask the types that can be large and judge by the largest.
        request.large_types = {dns_type::txt, dns_type::dnskey};
    }
    if (!o.reach.empty()) {
        auto address = IpAddress::parse(o.reach);
        if (!address) throw ErrorException(usage_error("not an IP address: '" + o.reach + "'", "--reach"));
        request.reach = *address;
    }
    request.count = o.count;
    request.timeout = std::chrono::milliseconds(o.timeout_ms);
    request.high_latency_ms = o.latency_threshold_ms;

    dnscheck::DnsCheckResult result = dnscheck::run_dnscheck(request).take();
    emit_result(result, "dnscheck", o.output, dnscheck::render_dnscheck);
    return to_int(dnscheck::dnscheck_exit_status(result));
}

nettool::app::RunFunction setup_dnscheck(CLI::App& sub) {
    auto o = std::make_shared<DnscheckOptions>();
    sub.footer(
        "Probes every resolver at once - ping, --count queries over UDP, one over TCP, a CHAOS version.bind query\n"
        "it answers without any upstream, a large answer (EDNS 4096 with DO) - and asks getaddrinfo() as\n"
        "applications do, then names the fault: ok, no_resolver, server_unreachable, port_closed, udp_blocked,\n"
        "tcp_blocked, large_response_dropped, packet_loss, high_latency, servfail, refused, upstream_failure,\n"
        "malformed_answer, nxdomain_for_known_names (top level also ip_works_names_fail, system_resolver_failed,\n"
        "resolver_failover_delay, reach_failed). With the defaults it finishes within 1.5 s (plus start-up), even\n"
        "when every server is dead.\n"
        "Resolvers: --server, else the nameservers of /etc/resolv.conf (or --resolv-conf); the systemd-resolved\n"
        "stub 127.0.0.53 adds the upstream servers of /run/systemd/resolve/resolv.conf.\n"
        "Ping needs an ICMP socket (net.ipv4.ping_group_range) or CAP_NET_RAW; without it the other probes still run.\n"
        "Exit status: 0 every resolver works, 1 a problem was found, 2 bad usage, 3 no resolver to test / could not run.\n"
        "Examples:\n"
        "  nettool dnscheck\n"
        "  nettool dnscheck www.example.org --server 192.0.2.53 --server 198.51.100.53\n"
        "  nettool dnscheck --resolv-conf /etc/resolv.conf --reach 192.0.2.1 --json");
    sub.add_option("NAME", o->names,
                   "Names to look up (default: example.com wikipedia.org); the first is also given to getaddrinfo");
    sub.add_option("--server", o->servers, "Resolver to test, IP[:PORT] or [IPv6]:PORT (repeatable)")
        ->type_name("IP[:PORT]")
        ->allow_extra_args(false);
    sub.add_option("--resolv-conf", o->resolv_conf, "Read the resolvers from this file instead of /etc/resolv.conf")
        ->type_name("FILE");
    sub.add_option("--systemd-resolv-conf", o->systemd_resolv_conf,
                   "Upstream list of the systemd-resolved stub, read when 127.0.0.53 is configured")
        ->type_name("FILE")
        ->capture_default_str();
    sub.add_option("--large-name", o->large_name,
                   "Name whose answer exceeds 1232 bytes, for the large-answer probe (default: the root, '.'); "
                   "without --large-type its TXT and DNSKEY are asked and the largest answer counts")
        ->type_name("NAME")
        ->capture_default_str();
    sub.add_option("--large-type", o->large_type,
                   "Record type of the large-answer probe (default: DNSKEY for '.', else TXT and DNSKEY)")
        ->type_name("TYPE");
    sub.add_option("--reach", o->reach,
                   "IP address to ping to tell 'IP works, names do not' apart (default: the IPv4 default gateway)")
        ->type_name("IP");
    sub.add_option("--count", o->count, "Small queries over UDP per resolver (1-100)")
        ->type_name("N")
        ->capture_default_str();
    sub.add_option("--timeout", o->timeout_ms, "Deadline for the whole run, in ms (100-60000)")
        ->type_name("MS")
        ->capture_default_str();
    sub.add_option("--latency-threshold", o->latency_threshold_ms, "Median UDP RTT above this is high_latency")
        ->type_name("MS")
        ->capture_default_str();
    nettool::app::add_output_options(sub, o->output);
    return [o] { return run_dnscheck_command(*o); };
}

}  // namespace

NETTOOL_SUBCOMMAND("dnscheck", "Find out in seconds why name resolution fails, and where", 40, setup_dnscheck);
