#pragma once
// The result of `nettool p2p`: per-host verdicts with evidence, top talkers and a summary of what was read.
// One struct, two renderers (JSON via to_json, human via render_human); the live table uses render_live.
#include "nettool/core/diagnosis.hpp"
#include "nettool/core/style.hpp"
#include "nettool/wire/ip_address.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace nettool::p2p {

enum class Verdict { clean, suspect, p2p };
const char* to_string(Verdict verdict);

// One line of evidence behind a host's verdict.
struct HostEvidence {
    std::string rule;      // signature id ("gnutella.handshake"), "cache.endpoint", or a behaviour rule
    std::string kind;      // "payload_proof", "cache", "behaviour", "port_hint"
    std::string protocol;  // empty for behaviour rules
    std::uint64_t flows = 0;
    std::string detail;                    // numbers behind a behaviour rule, or the rule's description
    std::vector<std::string> example_flows;  // "udp 10.0.2.15:28681 <-> 1.2.3.4:6346"
    std::vector<std::uint64_t> packets;    // packet numbers (1-based, as Wireshark numbers frames)
};

struct HostOwner {
    std::string owner;
    std::string host_name;
    std::string note;
    std::string entry;  // the matching inventory entry ("192.168.1.0/24, line 4")
};

struct HostReport {
    IpAddress address;
    Verdict verdict = Verdict::clean;
    double confidence = 0;  // 0..1; 0 for clean
    std::vector<std::string> protocols;
    std::uint64_t peers = 0;       // distinct peer addresses (all traffic)
    std::uint64_t p2p_peers = 0;   // distinct peers in P2P flows
    std::uint64_t peer_ports = 0;  // distinct peer ports
    bool peers_capped = false;     // counts stopped at the per-host cap
    std::vector<std::string> peer_examples;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t packets_sent = 0;
    std::uint64_t packets_received = 0;
    double share = 0;  // (sent + received) / all bytes seen
    double first_seen = 0;  // seconds since the epoch
    double last_seen = 0;
    std::optional<HostOwner> owner;
    std::vector<HostEvidence> evidence;
    std::vector<std::string> peer_of;  // for a host seen only as the far end of other hosts' P2P flows
};

struct TopTalker {
    IpAddress address;
    std::uint64_t bytes = 0;
    std::uint64_t packets = 0;
    double share = 0;
    bool local = false;
    std::string verdict;  // empty for non-local addresses
    std::string owner;
};

struct SkipCounts {
    std::uint64_t not_ip = 0;
    std::uint64_t truncated = 0;  // snaplen-cut or short frames
    std::uint64_t malformed = 0;
    std::uint64_t unsupported_link = 0;
    std::uint64_t non_first_fragments = 0;  // IP fragments after the first: counted in bytes, no ports
    std::uint64_t total() const { return not_ip + truncated + malformed + unsupported_link; }
};

struct SourceInfo {
    std::string name;  // interface name, file path or "-"
    bool live = false;
    std::uint64_t packets = 0;
    bool truncated = false;      // file ended inside a record
    std::string error;           // libpcap's message when reading stopped early
    std::uint64_t kernel_dropped = 0;     // live: the capture ring was full (pcap_stats)
    std::uint64_t interface_dropped = 0;  // live: dropped by the driver, as libpcap reports it
    std::uint64_t nic_rx_dropped = 0;     // live: growth of the interface's rx_dropped + rx_missed_errors
    std::string written_to;               // live: the -w file
    std::uint64_t written_packets = 0;
    std::string run_as;                   // live: "nobody (uid 65534)" after the privilege switch
    double span_seconds = 0;              // first to last packet of this source
};

struct Summary {
    // duration: the capture time, the sum of the sources' spans (files of different days are not one long
    // capture); one source: its first to last packet.
    std::uint64_t packets = 0;  // frames read
    std::uint64_t bytes = 0;    // wire bytes of all frames
    std::uint64_t ip_packets = 0;
    std::uint64_t flows = 0;          // flows created
    std::uint64_t flows_active = 0;   // still in the table at the end
    std::uint64_t flows_expired = 0;  // closed by idle timeout
    std::uint64_t flows_evicted = 0;  // pushed out because the table was full
    std::uint64_t p2p_flows = 0;      // flows identified by payload (plus cache)
    std::uint64_t hosts_seen = 0;
    std::uint64_t hosts_untracked = 0;  // addresses beyond the host-table cap: in totals only
    double duration = 0;  // seconds from first to last packet
    double first_packet = 0;
    double last_packet = 0;
    SkipCounts skipped;
    std::vector<SourceInfo> sources;
    std::vector<std::string> local_networks;
    std::uint64_t inventory_entries = 0;
    std::uint64_t inventory_skipped_lines = 0;
};

struct P2pReport {
    std::vector<HostReport> hosts;  // flagged hosts first (p2p, then suspect), then clean local hosts by bytes
    std::vector<TopTalker> top_talkers;
    Summary summary;
    std::vector<Diagnosis> diagnoses;

    bool any_flagged() const;
};

void to_json(nlohmann::json& j, const HostReport& host);
void to_json(nlohmann::json& j, const TopTalker& talker);
void to_json(nlohmann::json& j, const Summary& summary);
void to_json(nlohmann::json& j, const P2pReport& report);

// The full human report: verdicts, evidence, top talkers, summary, diagnoses.
void render_human(std::ostream& out, const P2pReport& report, const Style& style);
// The compact table redrawn each second during a live capture on a terminal.
// Capture counters of a live run so far, for the live table.
struct LiveCounters {
    std::uint64_t captured = 0;
    std::uint64_t kernel_dropped = 0;     // the ring was full (pcap_stats ps_drop)
    std::uint64_t interface_dropped = 0;  // the driver dropped (pcap_stats ps_ifdrop)
};

// The live table. With `counters` (and the ones of the previous tick) it shows captured and dropped packets per
// second, so drops are seen as they happen.
void render_live(std::ostream& out, const P2pReport& report, const Style& style, double elapsed_seconds,
                 const LiveCounters* counters = nullptr, const LiveCounters* previous = nullptr);

}  // namespace nettool::p2p
