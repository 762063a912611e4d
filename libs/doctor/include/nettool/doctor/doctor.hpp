#pragma once
// `nettool doctor`: the consultant's walk down the layers in one run. Every layer is probed at once on one
// io_context (run_doctor, probe.cpp): the link library's snapshots over the run, the addresses and default routes
// of IFACE, neighbour resolution and ICMP echo of the gateway, ping/TCP to the targets the user named, dnscheck's
// probe ladder on the configured resolvers, optionally a p2p capture. The probes fill plain Observations; the
// judgement (judge_doctor, judge.cpp) is a pure function of them: per-layer status and diagnoses, then the root
// cause = the lowest layer with a problem that explains the problems above it.
#include "nettool/core/diagnosis.hpp"
#include "nettool/core/error.hpp"
#include "nettool/core/exit_status.hpp"
#include "nettool/core/style.hpp"
#include "nettool/dnscheck/model.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/link/analysis.hpp"
#include "nettool/p2p/report.hpp"
#include "nettool/wire/dns_server.hpp"
#include "nettool/wire/ip_address.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace nettool::doctor {

// Codes doctor adds; everything else is reused from link and dnscheck.
namespace code {
inline constexpr const char* ok = "ok";
inline constexpr const char* no_address = "no_address";
inline constexpr const char* no_default_route = "no_default_route";
inline constexpr const char* gateway_unreachable = "gateway_unreachable";
inline constexpr const char* internet_unreachable = "internet_unreachable";
inline constexpr const char* target_unreachable = "target_unreachable";  // some targets answer, others not
inline constexpr const char* traffic_hog = "traffic_hog";                // one host takes most of the line
inline constexpr const char* upstream_failure = "upstream_failure";      // the resolver answers what it holds
                                                                         // itself, nothing that needs its upstream
}  // namespace code

struct TcpTarget {
    IpAddress address;
    std::uint16_t port = 0;
    // "192.0.2.1:443", "[2001:db8::1]:443"; usage error otherwise (names are not resolved: DNS is a layer
    // under test, not a tool of the test).
    static Result<TcpTarget> parse(std::string_view text);
    std::string to_string() const;
};

struct DoctorRequest {
    std::string interface;                    // empty: the interface of the default route (IPv4, then IPv6)
    std::vector<std::string> names;           // empty: dnscheck::default_names()
    std::vector<IpAddress> reach;             // pinged; nothing by default (nothing leaves the LAN unasked)
    std::vector<TcpTarget> tcp;               // TCP connect; nothing by default
    std::vector<DnsServer> servers;           // --server; empty: from resolv_conf_path
    std::string resolv_conf_path = "/etc/resolv.conf";
    bool resolv_conf_explicit = false;
    std::optional<std::filesystem::path> sysfs_root;    // link layer from a recording (link's --sysfs-root)
    std::optional<std::filesystem::path> ethtool_json;  // with sysfs_root
    double capture_seconds = 0;                         // > 0: the traffic layer (needs CAP_NET_RAW)
    std::chrono::milliseconds probe_deadline{2500};     // every probe ends by then
    std::chrono::milliseconds link_window{2000};        // counters compared over this much of the run
    // Where the routes and neighbours are read (tests point them at recorded text).
    std::string proc_net_route = "/proc/net/route";
    std::string proc_net_ipv6_route = "/proc/net/ipv6_route";
    std::string proc_net_arp = "/proc/net/arp";
};

Status validate_request(const DoctorRequest& request);

// ---- observations: what the probes saw, plain values -----------------------------------------------------------

struct LinkObservation {
    std::string skipped;                  // why the link was not looked at ("" when it was)
    std::string source;                   // "live" or "recorded <dir>"
    std::string error;                    // reading failed
    std::optional<link::InterfaceReport> report;
};

struct AddressObservation {
    std::string interface;
    std::string interface_source;         // "default route (IPv4)", "given", "only interface up", ...
    bool interface_exists = true;
    std::vector<std::string> addresses;   // "10.0.0.2/24", "2001:db8::2/64" (link-local v6 left out)
    std::optional<IpAddress> gateway_v4;  // default route via IFACE (or any default route when none via IFACE)
    std::optional<IpAddress> gateway_v6;
    std::string default_route_v4_interface;
    std::string default_route_v6_interface;
    bool default_route_v4 = false;        // a default route exists (possibly without a gateway: point-to-point)
    bool default_route_v6 = false;
};

enum class NeighbourState { unknown, resolved, failed, not_read };
const char* to_string(NeighbourState state);

struct GatewayObservation {
    IpAddress address;
    std::vector<dnscheck::EchoProbe> echoes;
    std::string icmp_unavailable;  // why no echo could be sent
    NeighbourState neighbour = NeighbourState::unknown;
    std::string neighbour_detail;  // "ARP reply from 02:..:01", "no reply to 3 ARP requests", ...
    std::string neighbour_source;  // "ARP probe" (our own requests, needs CAP_NET_RAW) or "/proc/net/arp"
    int arp_requests = 0;          // ARP requests we sent
    std::string arp_answer;        // the MAC that answered them
    std::string arp_unavailable;   // why no ARP probe was sent
};

struct TargetObservation {
    std::string kind;    // "ping" or "tcp"
    std::string target;  // "192.0.2.1" / "192.0.2.1:443"
    bool reached = false;
    double rtt_ms = 0;
    std::string detail;  // "connection refused", "timeout", "network unreachable", ...
};

struct TrafficObservation {
    bool attempted = false;
    std::string error;  // capture could not run
    double seconds = 0;
    std::optional<p2p::P2pReport> report;
};

struct Observations {
    double elapsed_ms = 0;
    LinkObservation link;
    AddressObservation address;
    std::vector<GatewayObservation> gateways;
    std::vector<TargetObservation> targets;
    dnscheck::DnsCheckResult dns;  // probes filled; diagnosed by judge_doctor
    // Per resolver (same order as dns.servers): "localhost." A, which resolvers answer from their own data
    // (RFC 6761) without asking any upstream.
    std::vector<dnscheck::QueryProbe> dns_local;
    TrafficObservation traffic;
};

// ---- the judgement -----------------------------------------------------------------------------------------------

enum class LayerStatus { ok, problem, inconclusive, skipped };
const char* to_string(LayerStatus status);

struct LayerReport {
    std::string name;  // link, address, gateway, internet, dns, traffic
    LayerStatus status = LayerStatus::skipped;
    std::string why;   // one line: what was found, or why skipped/inconclusive
    std::vector<Diagnosis> diagnoses;
};

struct RootCause {
    std::string code;
    std::string layer;
    std::string summary;
    std::string advice;
    std::vector<std::string> explains;  // "dns: udp_blocked", the problems above that follow from it
};

struct DoctorResult {
    std::string interface;
    std::string interface_source;
    double elapsed_ms = 0;
    std::vector<LayerReport> layers;   // bottom-up
    std::optional<RootCause> root_cause;
    std::vector<RootCause> independent;  // further problems the root cause does not explain
    std::string verdict;                 // the first line of the human report
    Observations observations;           // the evidence behind it
};

// Pure: observations in, layers, root cause and verdict out.
DoctorResult judge_doctor(Observations observations, const DoctorRequest& request);

// Runs every probe on `io`, then judges. Errors: bad request values (usage), an explicit resolv.conf or a
// recording that cannot be read (input), a named interface that does not exist (environment).
Result<DoctorResult> run_doctor(const DoctorRequest& request, IoContext& io);

// 0 when every layer is ok or skipped/inconclusive without a problem, 1 when any layer has a problem.
ExitStatus doctor_exit_status(const DoctorResult& result);

void to_json(nlohmann::json& j, const LayerReport& layer);
void to_json(nlohmann::json& j, const RootCause& cause);
void to_json(nlohmann::json& j, const DoctorResult& result);
void render_doctor(std::ostream& out, const DoctorResult& result, const Style& style);

}  // namespace nettool::doctor
