#pragma once
// The diagnosis registry of ike-log: one entry per code with its summary and advice, specialised by what the
// log showed (proposals, which side refused, IDs, names checked with --resolve).
#include "nettool/ikelog/ike_log.hpp"

#include <string>
#include <vector>

namespace nettool::ikelog {

std::vector<Diagnosis> diagnose_peer(const PeerReport& peer, const std::string& proposals_received,
                                     const std::string& proposals_configured, bool rejected_here,
                                     bool rejected_by_peer, const std::string& detail,
                                     const std::vector<NameCheck>& names);
std::vector<Diagnosis> diagnose_files(const std::vector<FileSummary>& files);

// Picks the peer's root cause among its findings (the one that explains the others), puts it first with the
// highest severity and marks the findings it explains.
void assign_root_cause(PeerReport& peer);
// Both ends of one tunnel: their evidence combined into one verdict naming whose configuration to change; the
// end whose own log could only guess gets the cause the other end's log proves as its root cause.
std::optional<TunnelVerdict> judge_tunnel(PeerReport& a, PeerReport& b);

}  // namespace nettool::ikelog
