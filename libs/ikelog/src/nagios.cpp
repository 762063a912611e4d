#include "nettool/ikelog/nagios.hpp"

namespace nettool::ikelog {

std::vector<PerfDatum> nagios_perfdata(const IkeReport& report) {
    double up = 0, attempts = 0, failed = 0;
    for (const auto& peer : report.peers) {
        up += peer.last_attempt_established;
        attempts += static_cast<double>(peer.attempts);
        failed += static_cast<double>(peer.failed);
    }
    double peers = static_cast<double>(report.peers.size());
    return {{"tunnels_up", up, "", std::nullopt, std::nullopt, 0.0, peers},
            {"tunnels_down", peers - up, "", std::nullopt, std::nullopt, 0.0, peers},
            {"attempts", attempts, "c", std::nullopt, std::nullopt, 0.0, std::nullopt},
            {"failed_attempts", failed, "c", std::nullopt, std::nullopt, 0.0, std::nullopt}};
}

}  // namespace nettool::ikelog
