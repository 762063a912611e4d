#pragma once
// `nettool link`: read every (or the named) interface at the start and at the end of a watch window on the
// shared event loop, analyse the two snapshots, optionally record them for later analysis.
#include "nettool/core/error.hpp"
#include "nettool/core/style.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/link/analysis.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace nettool::link {

struct LinkRequest {
    std::vector<std::string> interfaces;  // empty: every non-loopback interface
    double watch_seconds = 3.0;           // live only; 0 = one sample
    // Recorded input: a sysfs root holding class/net/... (one sample), or start/ and end/ each holding
    // class/net/... plus an optional window_seconds file (two samples). Live reading uses /sys.
    std::optional<std::filesystem::path> sysfs_root;
    std::optional<std::filesystem::path> ethtool_json;  // recorded ethtool data (see parse_ethtool_json)
    std::optional<std::filesystem::path> record_dir;    // live only: save the snapshots here
};

struct LinkReport {
    std::string source;  // "live" or "recorded"
    std::string sysfs_root;
    double window_seconds = 0;      // measured (live) or recorded
    double requested_seconds = 0;   // live: what --watch asked for
    bool interrupted = false;       // Ctrl-C ended the window early
    std::optional<std::string> recorded_to;
    std::vector<InterfaceReport> interfaces;
};

// Checks the request for contradictions (usage errors) before anything is read.
Status validate_request(const LinkRequest& request);

// Runs the check. Live: start sample, a steady_timer on `io` for the window (Ctrl-C ends it early through an
// InterruptHandler), end sample. Recorded: reads the files, no waiting.
Result<LinkReport> run_link_check(const LinkRequest& request, IoContext& io);

// Reads a recording (sysfs root and/or ethtool JSON) into start/end snapshots and analyses them. Pure apart from
// reading the given files.
Result<LinkReport> analyze_recording(const LinkRequest& request);

// All diagnoses of all interfaces (for the exit status).
std::vector<Diagnosis> all_diagnoses(const LinkReport& report);

void to_json(nlohmann::json& j, const LinkReport& report);
void render_link_report(std::ostream& out, const LinkReport& report, const Style& style);

// "1.23 Mbit/s" (decimal units).
std::string format_bit_rate(double bits_per_second);

}  // namespace nettool::link
