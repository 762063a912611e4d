#pragma once
// `nettool p2p` as one call: a request in (interface or files, filter, limits, inventory, local networks), a
// P2pReport out. Live capture runs on an io_context with a once-a-second snapshot hook for the live table; files
// are read in order into the same analyser, with a progress hook. Nothing here prints.
#include "nettool/core/error.hpp"
#include "nettool/io/capture.hpp"
#include "nettool/p2p/analyzer.hpp"
#include "nettool/p2p/report.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nettool::p2p {

struct P2pRequest {
    std::string interface;           // live capture (empty with files: offline)
    std::vector<std::string> files;  // pcap/pcapng paths, "-" = stdin
    std::optional<std::chrono::milliseconds> duration;
    std::optional<std::uint64_t> max_packets;
    std::string filter;  // BPF, applied to live and files
    std::string inventory_path;
    std::vector<std::string> local;  // CIDR texts; empty = private/ULA/link-local default
    std::size_t top = 10;
    AnalyzerLimits limits;
    int buffer_bytes = default_capture_buffer_bytes;  // live: the kernel ring (-B)
    std::string write_path;                          // live: save what is captured as pcapng (-w)
    // Live, started as root: the user (and its group) to run as once the device is open (-Z), like tcpdump.
    std::string run_as_user = "nobody";
};


struct Progress {
    std::string file;
    std::uint64_t packets = 0;
    std::uint64_t bytes_read = 0;  // captured bytes plus record headers (an estimate of the file position)
    std::uint64_t file_size = 0;   // 0 when unknown (stdin, pipes)
};

struct RunHooks {
    // Live only: called about once a second with a snapshot and the seconds elapsed.
    std::function<void(const P2pReport&, double)> on_tick;
    // Live only: the capture counters, called just before on_tick.
    std::function<void(const LiveCounters&)> on_counters;
    // Offline only: called about every 64k packets and at the end of each file.
    std::function<void(const Progress&)> on_progress;
};

// Parses --local values (usage error naming the bad one).
Result<std::vector<IpPrefix>> parse_local_networks(const std::vector<std::string>& texts);

// Runs the whole command. Errors: bad --local/filter (usage), unreadable inventory or capture (input),
// no such interface / missing CAP_NET_RAW (environment).
Result<P2pReport> run_p2p(const P2pRequest& request, const RunHooks& hooks = {});

// Called once the capture device is open, so the rest of the run (parsing hostile packets) holds no privilege:
// when the process runs as root, switches to `user` and its group (supplementary groups cleared), like
// tcpdump -Z; then clears every capability (effective, permitted, inheritable) and sets no_new_privs. An empty
// `user` keeps the user ID (capabilities are still cleared). Errors: unknown user, or a switch that failed.
Status drop_privileges(const std::string& user = "nobody");

}  // namespace nettool::p2p
