// The judgement, pure: observations in, one status per layer, then the root cause. A lower layer explains a
// problem above it only where the mechanism is real: a bad link, a missing address or route, a dead gateway lose
// packets (so they explain timeouts and loss above them, not a resolver's SERVFAIL); a gateway only explains DNS
// failures of resolvers behind it; a dead uplink explains every DNS failure (forwarders need it too). A problem no
// lower layer explains is reported as an independent cause, never folded into the first one.
#include "nettool/doctor/doctor.hpp"

#include "nettool/core/text.hpp"
#include "nettool/dnscheck/diagnose.hpp"
#include "nettool/dnscheck/text.hpp"
#include "nettool/link/link_check.hpp"

#include <algorithm>
#include <set>

namespace nettool::doctor {
namespace {

enum Layer : int { link_layer, address_layer, gateway_layer, internet_layer, dns_layer, traffic_layer };
constexpr const char* layer_names[] = {"link", "address", "gateway", "internet", "dns", "traffic"};

// One problem diagnosis, where it sits, and (DNS) which resolver it is about.
struct Problem {
    int layer = 0;
    const Diagnosis* diagnosis = nullptr;
    std::optional<IpAddress> server;
};

Diagnosis make(const char* code, Severity severity, std::string summary, std::string advice) {
    Diagnosis d;
    d.code = code;
    d.severity = severity;
    d.summary = std::move(summary);
    d.advice = std::move(advice);
    return d;
}

std::string speed_text(const link::InterfaceReport& r) {
    std::string text = r.settings.speed_mbps ? std::to_string(*r.settings.speed_mbps) + " Mb/s" : "speed unknown";
    if (r.settings.duplex != link::Duplex::unknown) text += std::string(" ") + link::to_string(r.settings.duplex) + " duplex";
    return text;
}

LayerReport judge_link(const LinkObservation& l) {
    LayerReport layer{"link", LayerStatus::skipped, {}, {}};
    if (!l.skipped.empty()) {
        layer.why = l.skipped;
        return layer;
    }
    if (!l.report) {
        layer.status = LayerStatus::inconclusive;
        layer.why = l.error.empty() ? "the interface could not be read" : l.error;
        return layer;
    }
    const auto& r = *l.report;
    layer.diagnoses = r.diagnoses;
    layer.status = has_problem(r.diagnoses) ? LayerStatus::problem : LayerStatus::ok;
    layer.why = r.name + ": " + speed_text(r) + ", carrier " +
                (r.carrier ? (*r.carrier ? "up" : "down") : std::string("unknown")) + " (" + l.source +
                (r.virtual_nic ? ", virtual NIC" : "") + ")";
    return layer;
}

LayerReport judge_address(const AddressObservation& a) {
    LayerReport layer{"address", LayerStatus::ok, {}, {}};
    if (!a.interface_exists) {
        layer.status = LayerStatus::inconclusive;
        layer.why = a.interface + " is not on this machine (replayed recording): addresses not checked";
        return layer;
    }
    if (a.interface.empty() || a.addresses.empty()) {
        auto d = make(code::no_address, Severity::critical,
                      a.interface.empty() ? "no interface is up with an address"
                                          : a.interface + " has no IPv4 address and no global IPv6 address",
                      "Check DHCP (is a DHCP server answering on this network?) or the static configuration; on "
                      "IPv6 check that router advertisements arrive.");
        d.evidence.push_back({"addresses on " + (a.interface.empty() ? std::string("any interface") : a.interface),
                              "none", "an IPv4 address or a global IPv6 address", "getifaddrs"});
        layer.diagnoses.push_back(std::move(d));
    }
    if (!a.default_route_v4 && !a.default_route_v6) {
        auto d = make(code::no_default_route, Severity::critical,
                      "no default route (IPv4 or IPv6): nothing beyond the local network can be reached",
                      "Check the gateway setting of the DHCP server or of the static configuration (`ip route add "
                      "default via ROUTER`); on IPv6 check router advertisements.");
        d.evidence.push_back({"default route", "none in either family", "0.0.0.0/0 or ::/0 via a gateway",
                              "/proc/net/route, /proc/net/ipv6_route"});
        layer.diagnoses.push_back(std::move(d));
    }
    std::string routes;
    if (a.default_route_v4) {
        routes += "IPv4 default via " + (a.gateway_v4 ? a.gateway_v4->to_string() : std::string("(no gateway)")) +
                  " dev " + a.default_route_v4_interface;
    }
    if (a.default_route_v6) {
        routes += std::string(routes.empty() ? "" : ", ") + "IPv6 default via " +
                  (a.gateway_v6 ? a.gateway_v6->to_string() : std::string("(no gateway)")) + " dev " +
                  a.default_route_v6_interface;
    }
    layer.why = (a.interface.empty() ? std::string("no interface") : a.interface) + ": " +
                (a.addresses.empty() ? std::string("no address") : dnscheck::join(a.addresses, ", ")) + "; " +
                (routes.empty() ? std::string("no default route") : routes);
    if (!layer.diagnoses.empty()) layer.status = LayerStatus::problem;
    return layer;
}

LayerReport judge_gateway(const Observations& obs) {
    LayerReport layer{"gateway", LayerStatus::skipped, {}, {}};
    const AddressObservation& a = obs.address;
    if (obs.gateways.empty()) {
        layer.why = (a.default_route_v4 || a.default_route_v6) ? "the default route has no gateway (point-to-point)"
                                                               : "no default route, so no gateway to test";
        return layer;
    }
    bool any_ok = false;
    bool any_inconclusive = false;
    std::vector<std::string> parts;
    for (const auto& g : obs.gateways) {
        const std::string ip = g.address.to_string();
        const bool answered = std::any_of(g.echoes.begin(), g.echoes.end(), [](const dnscheck::EchoProbe& e) {
            return e.status == dnscheck::EchoOutcome::reply;
        });
        const std::string echoes = dnscheck::describe_echoes(g.echoes, g.icmp_unavailable);
        if (answered) {
            any_ok = true;
            parts.push_back(ip + " answers (" + echoes + ")");
            continue;
        }
        if (g.echoes.empty()) {
            any_inconclusive = true;
            parts.push_back(ip + ": " + g.icmp_unavailable);
            continue;
        }
        Evidence echo_ev{"ping " + ip, echoes, "a reply", "ICMP echo"};
        Evidence neighbour_ev{"neighbour resolution of " + ip, g.neighbour_detail, "", g.neighbour_source};
        if (g.neighbour == NeighbourState::resolved) {
            auto d = make(code::gateway_unreachable, Severity::warning,
                          "the gateway " + ip + " does not answer ping: ARP ok, ICMP dropped",
                          "The router is on the LAN (it answered ARP) but ignores or filters ICMP echo; if nothing "
                          "beyond it works either, check the router itself (overloaded, crashed forwarding).");
            d.evidence = {echo_ev, neighbour_ev};
            layer.diagnoses.push_back(std::move(d));
        } else if (g.neighbour == NeighbourState::failed) {
            auto d = make(code::gateway_unreachable, Severity::critical,
                          "the gateway " + ip + " does not answer: ARP got no answer (nothing holds that address on "
                          "the LAN)",
                          "The router is off, on another network or VLAN, or has another address: check the "
                          "router, its port, and that the configured gateway address is the router's.");
            d.evidence = {echo_ev, neighbour_ev};
            layer.diagnoses.push_back(std::move(d));
        } else {
            auto d = make(code::gateway_unreachable, Severity::critical,
                          "the gateway " + ip + " does not answer ping",
                          "Check the router and the path to it.");
            d.evidence = {echo_ev};
            if (!g.neighbour_detail.empty()) d.evidence.push_back(neighbour_ev);
            layer.diagnoses.push_back(std::move(d));
        }
        parts.push_back(ip + " does not answer");
    }
    layer.why = dnscheck::join(parts, "; ");
    layer.status = !layer.diagnoses.empty() ? LayerStatus::problem
                   : any_ok                 ? LayerStatus::ok
                                            : LayerStatus::inconclusive;
    (void)any_inconclusive;
    return layer;
}

LayerReport judge_internet(const Observations& obs, bool gateway_answers) {
    LayerReport layer{"internet", LayerStatus::skipped, {}, {}};
    if (obs.targets.empty()) {
        layer.why = "no --reach or --tcp target given (doctor sends nothing beyond the LAN unless told)";
        return layer;
    }
    std::vector<Evidence> evidence;
    std::size_t reached = 0;
    for (const auto& t : obs.targets) {
        if (t.reached) ++reached;
        evidence.push_back({t.kind + " " + t.target,
                            t.reached ? t.detail + " in " + dnscheck::ms_text(t.rtt_ms) : t.detail,
                            t.kind == "tcp" ? "connected" : "echo reply", t.kind == "tcp" ? "TCP connect" : "ICMP echo"});
    }
    const std::string counts = std::to_string(reached) + " of " + std::to_string(obs.targets.size()) + " targets reached";
    layer.why = counts;
    if (reached == obs.targets.size()) {
        layer.status = LayerStatus::ok;
        return layer;
    }
    layer.status = LayerStatus::problem;
    if (reached == 0) {
        auto d = make(code::internet_unreachable, Severity::critical,
                      gateway_answers ? "the gateway answers but nothing beyond it does: " + counts
                                      : "nothing beyond the local network answers: " + counts,
                      gateway_answers ? "The router's uplink is down or the provider is: check the router's WAN "
                                        "status (modem, line, PPP session) and call the provider if it is up."
                                      : "Fix the lower layer first (see above).");
        d.evidence = evidence;
        layer.diagnoses.push_back(std::move(d));
    } else {
        auto d = make(code::target_unreachable, Severity::warning, counts + ": some destinations fail",
                      "The uplink works; the failing targets (or a filter on the way to them) are the problem.");
        d.evidence = evidence;
        layer.diagnoses.push_back(std::move(d));
    }
    return layer;
}

// A resolver that answers "localhost." (its own data) but none of the names that need its upstream: dnscheck's
// path diagnoses (udp_blocked, port_closed, ...) would blame the way to the resolver, which just worked.
std::optional<Diagnosis> upstream_failure(const dnscheck::ResolverProbes& p, const dnscheck::QueryProbe& local) {
    if (local.status != dnscheck::QueryStatus::answered || local.rcode != 0) return std::nullopt;
    // Silence only: a SERVFAIL for the names asked may be those domains' fault, and dnscheck says servfail.
    const auto recursive_ok = [](const std::vector<dnscheck::QueryProbe>& probes) {
        return std::any_of(probes.begin(), probes.end(), [](const dnscheck::QueryProbe& q) {
            return q.status == dnscheck::QueryStatus::answered;
        });
    };
    if (recursive_ok(p.udp) || recursive_ok(p.tcp) || p.udp.empty()) return std::nullopt;
    const std::string server = p.server.to_string();
    auto d = make(code::upstream_failure, Severity::critical,
                  server + " answers what it holds itself (localhost in " + dnscheck::ms_text(local.rtt_ms) +
                      ") but none of the names that need its upstream: the resolver's upstream is failing, not the "
                      "path to it",
                  "The path to this resolver and the resolver itself work; what it forwards to does not. Check its "
                  "upstream (the provider's DNS servers or the forwarder setting of the router/DNS server) and the "
                  "router's WAN link; meanwhile use another resolver.");
    d.evidence = {{"local answer (localhost. A over UDP)", "NOERROR in " + dnscheck::ms_text(local.rtt_ms), "",
                   "query A localhost @" + server},
                  {"DNS queries over UDP", dnscheck::describe_udp(p.udp), "", "query A " + p.udp.front().name + " @" + server},
                  {"DNS query over TCP", dnscheck::describe_single(p.tcp), "", "query over TCP @" + server}};
    return d;
}

LayerReport judge_dns(dnscheck::DnsCheckResult& dns, const std::vector<dnscheck::QueryProbe>& local,
                      std::vector<std::optional<IpAddress>>& servers_of) {
    LayerReport layer{"dns", LayerStatus::ok, {}, {}};
    for (std::size_t r = 0; r < dns.servers.size(); ++r) {
        auto& server = dns.servers[r];
        server.diagnoses = dnscheck::diagnose_resolver(server.probes, dns.high_latency_ms);
        if (r < local.size()) {
            if (auto d = upstream_failure(server.probes, local[r])) server.diagnoses = {std::move(*d)};
        }
    }
    dnscheck::diagnose_overall(dns);
    for (const auto& d : dns.diagnoses) {
        if (d.code == dnscheck::code::ok && has_problem(dns.diagnoses)) continue;
        layer.diagnoses.push_back(d);
        servers_of.push_back(std::nullopt);
    }
    for (const auto& server : dns.servers) {
        for (const auto& d : server.diagnoses) {
            if (d.severity == Severity::info) continue;
            Diagnosis copy = d;
            const std::string address = server.probes.server.address.to_string();
            if (copy.summary.find(address) == std::string::npos) copy.summary = address + ": " + copy.summary;
            layer.diagnoses.push_back(std::move(copy));
            servers_of.push_back(server.probes.server.address);
        }
    }
    layer.status = has_problem(layer.diagnoses) ? LayerStatus::problem : LayerStatus::ok;
    layer.why = dns.verdict.summary;
    return layer;
}

LayerReport judge_traffic(const TrafficObservation& t, const std::vector<std::string>& own_addresses) {
    LayerReport layer{"traffic", LayerStatus::skipped, {}, {}};
    if (!t.attempted) {
        layer.why = "not captured (--capture SECONDS, needs CAP_NET_RAW)";
        return layer;
    }
    if (!t.report) {
        layer.status = LayerStatus::inconclusive;
        layer.why = t.error.empty() ? "the capture did not finish" : t.error;
        return layer;
    }
    const p2p::P2pReport& r = *t.report;
    for (const auto& d : r.diagnoses) {
        if (d.severity != Severity::info) layer.diagnoses.push_back(d);
    }
    // On a PC's own port every packet is its own: the capturing host is never "the hog". On a router or a mirror
    // port the other hosts are seen, and one of them taking most of the bytes is the seed's first case.
    const auto own = [&](const IpAddress& a) {
        return std::any_of(own_addresses.begin(), own_addresses.end(), [&](const std::string& text) {
            return text.substr(0, text.find('/')) == a.to_string();
        });
    };
    for (const auto& top : r.top_talkers) {
        if (!top.local || own(top.address)) continue;
        constexpr double hog_share = 0.5;
        constexpr std::uint64_t min_packets = 100;
        if (top.share >= hog_share && r.summary.packets >= min_packets) {
            auto d = make(code::traffic_hog, Severity::warning,
                          "one host, " + top.address.to_string() + ", is " + dnscheck::percent_text(top.share) +
                              " of the traffic" + (top.verdict == "p2p" ? " and runs P2P file sharing" : ""),
                          "Find who uses " + top.address.to_string() +
                              " and what it transfers; limit it (QoS on the router) or stop the transfer.");
            d.evidence.push_back({"top talker", format_bytes(top.bytes) + " in " + std::to_string(top.packets) +
                                                    " packets", "", "capture on " + (r.summary.sources.empty() ? std::string() : r.summary.sources.front().name)});
            layer.diagnoses.push_back(std::move(d));
        }
        break;
    }
    std::size_t p2p_hosts = 0;
    for (const auto& h : r.hosts) p2p_hosts += h.verdict == p2p::Verdict::p2p ? 1 : 0;
    layer.why = std::to_string(r.summary.packets) + " packets in " + dnscheck::ms_text(t.seconds * 1000) + ", " +
                std::to_string(p2p_hosts) + " P2P host(s)";
    if (!r.top_talkers.empty()) {
        layer.why += ", top talker " + r.top_talkers.front().address.to_string() + " " +
                     dnscheck::percent_text(r.top_talkers.front().share);
    }
    layer.status = has_problem(layer.diagnoses) ? LayerStatus::problem : LayerStatus::ok;
    return layer;
}

bool answered_dns_code(const std::string& code) {
    // The resolver answered and said no (or is not there to ask): packet loss below cannot cause these.
    static const std::set<std::string> answered = {dnscheck::code::servfail, dnscheck::code::refused,
                                                   dnscheck::code::port_closed, dnscheck::code::no_resolver,
                                                   "upstream_failure", "malformed_answer"};
    return answered.count(code) != 0;
}

bool on_link(const IpAddress& address, const std::vector<std::string>& interface_addresses) {
    for (const auto& text : interface_addresses) {
        auto prefix = IpPrefix::parse(text);
        if (prefix && prefix->contains(address)) return true;
    }
    return false;
}

// Does the primary problem `cause` account for `effect` (a problem in a higher layer)?
bool explains(const Problem& cause, const Problem& effect, const Observations& obs) {
    if (effect.layer <= cause.layer || effect.layer == traffic_layer || cause.layer == traffic_layer) return false;
    const std::string& code = cause.diagnosis->code;
    const std::string& effect_code = effect.diagnosis->code;
    const bool dns_answered = effect.layer == dns_layer && answered_dns_code(effect_code);
    const bool behind_gateway =
        effect.server && (!on_link(*effect.server, obs.address.addresses) ||
                          std::any_of(obs.gateways.begin(), obs.gateways.end(),
                                      [&](const GatewayObservation& g) { return g.address == *effect.server; }));
    switch (cause.layer) {
        case link_layer: return !dns_answered;
        case address_layer:
            if (code == code::no_address) return !dns_answered;
            if (effect.layer != dns_layer) return true;
            return !dns_answered && (!effect.server || !on_link(*effect.server, obs.address.addresses));
        case gateway_layer:
            if (effect.layer != dns_layer) return true;
            return !dns_answered && (!effect.server || behind_gateway);
        case internet_layer: return code == code::internet_unreachable && effect.layer == dns_layer;
        default: return false;
    }
}

std::string describe_problem(const Problem& p) {
    return std::string(layer_names[p.layer]) + ": " + p.diagnosis->code +
           (p.server ? " (" + p.server->to_string() + ")" : "");
}

const Problem& primary_of(const std::vector<const Problem*>& in_layer, const Observations& obs) {
    // DNS: dnscheck's verdict names the most likely fault (ip_works_names_fail only restates that DNS is at fault).
    if (in_layer.front()->layer == dns_layer) {
        for (const Problem* p : in_layer) {
            if (p->diagnosis->code == obs.dns.verdict.most_likely_fault) return *p;
        }
    }
    const Problem* best = in_layer.front();
    for (const Problem* p : in_layer) {
        if (p->diagnosis->severity > best->diagnosis->severity) best = p;
    }
    return *best;
}

RootCause make_cause(const Problem& primary, const std::vector<const Problem*>& explained, const Observations& obs) {
    RootCause cause;
    cause.code = primary.diagnosis->code;
    cause.layer = layer_names[primary.layer];
    cause.summary = primary.diagnosis->summary;
    cause.advice = primary.diagnosis->advice;
    std::set<std::string> seen;
    bool dns_loss = false;
    for (const Problem* p : explained) {
        std::string text = describe_problem(*p);
        if (seen.insert(text).second) cause.explains.push_back(text);
        if (p->layer == dns_layer) dns_loss = true;
    }
    static const std::set<std::string> lossy_link = {"errors_rising", "drops_rising", "half_duplex", "speed_downshift",
                                                     "link_flapping"};
    if (dns_loss && primary.layer == link_layer && obs.link.report && lossy_link.count(cause.code) != 0) {
        // The seed's fourth case in one line: the DNS symptom first, then the link fault that causes it.
        cause.summary = "names fail (" + dnscheck::join(cause.explains, "; ") + ") and " + obs.link.report->name +
                        " shows " + cause.summary + " at " + speed_text(*obs.link.report) + ": the link is the cause";
    } else if (!cause.explains.empty()) {
        cause.summary += "; this also explains " + dnscheck::join(cause.explains, "; ");
    }
    if (primary.layer == link_layer && obs.link.report && obs.link.report->settings.speed_mbps &&
        *obs.link.report->settings.speed_mbps >= 1000 &&
        (cause.code == "errors_rising" || cause.code == "drops_rising" || cause.code == "speed_downshift")) {
        cause.advice += " Check the cable and the switch port; if errors persist at " +
                        std::to_string(*obs.link.report->settings.speed_mbps) +
                        " Mb/s, forcing 100 Mb/s full duplex on both ends cured the same symptom in the field.";
    }
    return cause;
}

std::string layer_list(const std::vector<LayerReport>& layers, LayerStatus status) {
    std::vector<std::string> names;
    for (const auto& l : layers) {
        if (l.status == status) names.push_back(l.name);
    }
    return dnscheck::join(names, ", ");
}

}  // namespace

DoctorResult judge_doctor(Observations observations, const DoctorRequest& request) {
    (void)request;
    DoctorResult result;
    result.observations = std::move(observations);
    Observations& obs = result.observations;
    result.interface = obs.address.interface;
    result.interface_source = obs.address.interface_source;
    result.elapsed_ms = obs.elapsed_ms;

    std::vector<std::optional<IpAddress>> dns_servers;
    result.layers.push_back(judge_link(obs.link));
    result.layers.push_back(judge_address(obs.address));
    result.layers.push_back(judge_gateway(obs));
    result.layers.push_back(judge_internet(obs, result.layers[gateway_layer].status == LayerStatus::ok));
    result.layers.push_back(judge_dns(obs.dns, obs.dns_local, dns_servers));
    result.layers.push_back(judge_traffic(obs.traffic, obs.address.addresses));

    std::vector<Problem> problems;
    for (int l = 0; l < static_cast<int>(result.layers.size()); ++l) {
        const auto& diagnoses = result.layers[l].diagnoses;
        for (std::size_t k = 0; k < diagnoses.size(); ++k) {
            if (diagnoses[k].severity == Severity::info) continue;
            Problem p{l, &diagnoses[k], std::nullopt};
            if (l == dns_layer) p.server = dns_servers[k];
            problems.push_back(p);
        }
    }

    std::vector<const Problem*> open;
    for (const auto& p : problems) open.push_back(&p);
    while (!open.empty()) {
        const int lowest = (*std::min_element(open.begin(), open.end(), [](const Problem* a, const Problem* b) {
                               return a->layer < b->layer;
                           }))->layer;
        std::vector<const Problem*> in_layer, explained, rest;
        for (const Problem* p : open) {
            if (p->layer == lowest) in_layer.push_back(p);
        }
        const Problem& primary = primary_of(in_layer, obs);
        for (const Problem* p : open) {
            if (p->layer == lowest) continue;
            (explains(primary, *p, obs) ? explained : rest).push_back(p);
        }
        RootCause cause = make_cause(primary, explained, obs);
        if (!result.root_cause) {
            result.root_cause = std::move(cause);
        } else {
            result.independent.push_back(std::move(cause));
        }
        open = rest;
    }

    if (result.root_cause && result.independent.empty()) {
        result.verdict = "Root cause: " + result.root_cause->layer + " (" + result.root_cause->code + "): " +
                         result.root_cause->summary;
    } else if (result.root_cause) {
        std::vector<std::string> causes = {result.root_cause->layer + " (" + result.root_cause->code + ")"};
        for (const auto& c : result.independent) causes.push_back(c.layer + " (" + c.code + ")");
        result.verdict = std::to_string(causes.size()) + " independent problems, not one cause: " +
                         dnscheck::join(causes, " and ");
    } else if (layer_list(result.layers, LayerStatus::ok).empty()) {
        result.verdict = "Could not examine any layer (" + layer_list(result.layers, LayerStatus::inconclusive) +
                         " inconclusive)";
    } else {
        result.verdict = "No problem found: " + layer_list(result.layers, LayerStatus::ok) + " ok";
        const std::string unsure = layer_list(result.layers, LayerStatus::inconclusive);
        if (!unsure.empty()) result.verdict += "; inconclusive: " + unsure;
    }
    return result;
}

ExitStatus doctor_exit_status(const DoctorResult& result) {
    if (result.root_cause) return ExitStatus::problem;
    for (const auto& l : result.layers) {
        if (l.status == LayerStatus::ok) return ExitStatus::ok;
    }
    return ExitStatus::cannot_run;
}

}  // namespace nettool::doctor
