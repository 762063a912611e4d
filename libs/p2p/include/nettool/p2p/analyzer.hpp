#pragma once
// The P2P analyser: decoded packets in, per-host verdicts out. Pure and single-threaded (no clocks: packet
// timestamps drive idle expiry), so the same code serves live capture and files, and tests feed it packets they
// build. Memory is bounded: the flow table has idle timeouts and a cap (evictions are counted), per-host peer sets
// and the {IP,port} endpoint table have caps, and hosts beyond the host cap only count in the totals.
#include "nettool/p2p/inventory.hpp"
#include "nettool/p2p/report.hpp"
#include "nettool/p2p/signatures.hpp"
#include "nettool/wire/ip_address.hpp"
#include "nettool/wire/packet.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace nettool::p2p {

struct AnalyzerLimits {
    std::size_t max_flows = 262'144;
    std::size_t max_hosts = 65'536;
    std::size_t max_endpoints = 262'144;  // {IP,port} pairs tracked for the Karagiannis heuristic
    std::size_t max_peers_per_host = 4096;
    std::chrono::seconds tcp_idle{300};
    std::chrono::seconds tcp_closed_idle{10};
    std::chrono::seconds udp_idle{64};  // Karagiannis et al.: 64 s flow timeout
    int inspect_packets = 12;           // payload packets per flow looked at before giving up on signatures
};

struct AnalyzerOptions {
    std::vector<IpPrefix> local;  // empty: RFC 1918 / ULA / link-local / CGNAT / loopback
    std::size_t top = 10;
    const Inventory* inventory = nullptr;  // owner lookup; must outlive the analyzer
    AnalyzerLimits limits;
};

// The thresholds of the behaviour heuristics (Karagiannis et al. plus fan-out), named so the docs, the evidence
// and the tests use the same numbers.
namespace behaviour {
inline constexpr std::size_t endpoint_min_peers = 8;     // {IP,port} with at least this many distinct peer IPs
inline constexpr double endpoint_max_ip_port_gap = 0.1;  // |IPs - ports| <= 10% of IPs (at least 1)
inline constexpr std::size_t tcp_udp_min_peers = 3;      // peers reached over both TCP and UDP
inline constexpr std::size_t fanout_min_peers = 20;      // peers on high ports at both ends, data both ways
}  // namespace behaviour

// True for ports of services the behaviour heuristics must not count (DNS, mail, NTP, web, VPN, VoIP/STUN,
// games, ...) and for every port below 1024.
bool is_excluded_service_port(std::uint16_t port);

class Analyzer {
public:
    explicit Analyzer(AnalyzerOptions options);
    ~Analyzer();
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    // Feeds one captured frame: `number` is its 1-based position in the input, `timestamp` since the epoch.
    void add_frame(std::uint64_t number, std::chrono::nanoseconds timestamp, int link_type,
                   std::span<const std::uint8_t> frame, std::uint32_t wire_length);
    // Feeds an already decoded packet (add_frame decodes and calls this).
    void add_packet(std::uint64_t number, std::chrono::nanoseconds timestamp, const PacketView& packet,
                    std::uint32_t wire_length);

    void add_source(SourceInfo source);
    void set_inventory_skipped(std::uint64_t lines);

    // The report as of now (does not change the analyser; live updates call it every second).
    P2pReport report() const;
    // Closes all flows (cache propagation runs on them) and returns the final report.
    P2pReport finish();

    std::uint64_t packets() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace nettool::p2p
