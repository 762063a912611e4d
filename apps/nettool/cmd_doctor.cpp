// `nettool doctor`: every layer at once, one root cause. Options in, one library call, rendering out.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/doctor/doctor.hpp"
#include "nettool/io/event_loop.hpp"

#include <memory>

namespace {

struct DoctorOptions {
    std::string interface;
    std::vector<std::string> names;
    std::vector<std::string> reach;
    std::vector<std::string> tcp;
    std::vector<std::string> servers;
    std::string resolv_conf;
    std::string sysfs_root;
    std::string ethtool_json;
    double capture = 0;
    nettool::OutputOptions output;
};

nettool::app::RunFunction setup_doctor(CLI::App& sub) {
    auto o = std::make_shared<DoctorOptions>();
    sub.footer(
        "Probes every layer at once on one event loop, then judges bottom-up:\n"
        "  link      carrier, speed/duplex/autoneg, error and drop counters over the run (as `nettool link`)\n"
        "  address   an address on IFACE and a default route (no_address, no_default_route)\n"
        "  gateway   ARP/neighbour resolution and ping of the default gateway (gateway_unreachable)\n"
        "  internet  --reach IPs (ping) and --tcp IP:PORT (connect); nothing leaves the LAN unless named\n"
        "            (internet_unreachable, target_unreachable)\n"
        "  dns       dnscheck's probes on the configured resolvers with the NAMEs (every dnscheck code)\n"
        "  traffic   with --capture N: top talkers and P2P hosts over N seconds (traffic_hog, p2p codes)\n"
        "Each layer is ok, problem, inconclusive or skipped (with the reason). The root cause is the lowest layer\n"
        "with a problem that explains the problems above it; problems it cannot explain are reported as\n"
        "independent. The probes end within 2.5 s (the link window is 2 s), plus --capture when asked.\n"
        "\n"
        "Examples:\n"
        "  nettool doctor                                   the default-route interface, /etc/resolv.conf\n"
        "  nettool doctor eth0 --reach 192.0.2.1 --tcp 192.0.2.1:443 --name example.com\n"
        "  nettool doctor --sysfs-root /tmp/recorded-link  the link layer from a `nettool link --record` dir\n"
        "  nettool doctor --capture 10 --json\n"
        "\n"
        "Exit status: 0 no problem, 1 a problem found, 2 bad usage or input, 3 could not run (no layer could be\n"
        "examined, or IFACE does not exist).");
    sub.add_option("IFACE", o->interface, "Interface to examine (default: the interface of the default route)");
    sub.add_option("--name", o->names, "Name to resolve in the DNS layer (repeatable; default: well-known names)")
        ->type_name("NAME");
    sub.add_option("--reach", o->reach, "IP address beyond the gateway to ping (repeatable; default: none)")
        ->type_name("IP");
    sub.add_option("--tcp", o->tcp, "IP:PORT beyond the gateway to connect to (repeatable; default: none)")
        ->type_name("IP:PORT");
    sub.add_option("--server", o->servers, "Resolver to test instead of the configured ones (repeatable)")
        ->type_name("IP[:PORT]");
    sub.add_option("--resolv-conf", o->resolv_conf, "Read the resolvers from this file instead of /etc/resolv.conf")
        ->type_name("FILE");
    sub.add_option("--capture", o->capture, "Also capture SECONDS of traffic for top talkers and P2P hosts")
        ->type_name("SECONDS");
    sub.add_option("--sysfs-root", o->sysfs_root, "Take the link layer from a recording (as `nettool link`)")
        ->type_name("DIR");
    sub.add_option("--ethtool-json", o->ethtool_json, "Recorded ethtool data for --sysfs-root")->type_name("FILE");
    nettool::app::add_output_options(sub, o->output);

    return [o]() -> int {
        using namespace nettool;
        doctor::DoctorRequest request;
        request.interface = o->interface;
        request.names = o->names;
        for (const auto& text : o->reach) {
            auto address = IpAddress::parse(text);
            if (!address) throw ErrorException(usage_error("--reach wants an IP address, got '" + text + "'"));
            request.reach.push_back(*address);
        }
        for (const auto& text : o->tcp) request.tcp.push_back(doctor::TcpTarget::parse(text).take());
        for (const auto& text : o->servers) request.servers.push_back(DnsServer::parse(text).take());
        if (!o->resolv_conf.empty()) {
            request.resolv_conf_path = o->resolv_conf;
            request.resolv_conf_explicit = true;
        }
        if (!o->sysfs_root.empty()) request.sysfs_root = o->sysfs_root;
        if (!o->ethtool_json.empty()) request.ethtool_json = o->ethtool_json;
        request.capture_seconds = o->capture;
        IoContext io;
        auto result = doctor::run_doctor(request, io);
        if (!result) throw ErrorException(result.error());
        emit_result(*result, "doctor", o->output, doctor::render_doctor);
        return to_int(doctor::doctor_exit_status(*result));
    };
}

}  // namespace

NETTOOL_SUBCOMMAND("doctor", "Check every layer at once (link, address, gateway, internet, DNS) and name the root cause",
                   5, setup_doctor);
