#include "advice.hpp"

#include <algorithm>

namespace nettool::ikelog {

namespace {

std::string peer_words(const PeerReport& p) {
    return p.peer_is_address ? p.peer : "connection \"" + p.peer + "\"";
}

std::string count_words(std::size_t n, std::size_t of) {
    return std::to_string(n) + " of " + std::to_string(of) + " attempt" + (of == 1 ? "" : "s");
}

const FailureCount* find_failure(const PeerReport& p, const std::string& code) {
    for (const auto& f : p.failures) {
        if (f.code == code) return &f;
    }
    return nullptr;
}

// Names checked with --resolve that concern this peer: the DNS answer compared with the address in the log.
void add_name_checks(Diagnosis& d, const PeerReport& p, const std::vector<NameCheck>& names) {
    if (!p.peer_is_address) return;
    for (const auto& n : names) {
        Evidence ev;
        ev.what = "DNS name " + n.name + (n.source == "dns" ? " (looked up now)" : " (given with --resolve)");
        ev.expected = p.peer;
        ev.source = n.source == "dns" ? "dns lookup" : "--resolve";
        if (!n.error.empty()) {
            ev.observed = "lookup failed: " + n.error;
            d.evidence.push_back(ev);
            continue;
        }
        std::string joined;
        for (const auto& a : n.addresses) joined += (joined.empty() ? "" : ", ") + a;
        ev.observed = joined;
        d.evidence.push_back(ev);
        bool match = std::find(n.addresses.begin(), n.addresses.end(), p.peer) != n.addresses.end();
        if (match) {
            d.advice += " DNS now returns " + p.peer + " for " + n.name +
                        ", the address in the log: the record has caught up; if the responder still refuses, it "
                        "resolved the name earlier and kept the old address (restart or re-resolve the peer entry).";
        } else {
            d.advice += " DNS returns " + (joined.empty() ? std::string("nothing") : joined) + " for " + n.name +
                        ", but the peer came from " + p.peer +
                        ": the dynamic-DNS record is stale. Fix the peer's DDNS update (it must run after every "
                        "reconnect), or lower the TTL.";
        }
    }
}

Diagnosis make(const std::string& code, Severity severity, std::string summary, const FailureCount* f,
               std::string advice) {
    Diagnosis d;
    d.code = code;
    d.severity = severity;
    d.summary = std::move(summary);
    if (f) d.evidence = f->evidence;
    d.advice = std::move(advice);
    return d;
}

}  // namespace

std::vector<Diagnosis> diagnose_peer(const PeerReport& p, const std::string& proposals_received,
                                     const std::string& proposals_configured, bool rejected_here,
                                     bool rejected_by_peer, const std::string& detail,
                                     const std::vector<NameCheck>& names) {
    std::vector<Diagnosis> out;
    const std::string who = peer_words(p);
    bool up_now = p.last_attempt_established;
    for (const auto& f : p.failures) {
        bool primary = f.code == p.failure;
        Severity sev = (primary && !up_now) || f.code == codes::dpd_timeout ? Severity::critical : Severity::warning;
        if (up_now && f.code != codes::dpd_timeout) sev = Severity::warning;
        std::string counted = count_words(f.count, p.attempts);
        if (f.code == codes::no_proposal_chosen) {
            std::string side = rejected_here && !rejected_by_peer ? "this side refused the peer's proposals"
                               : rejected_by_peer && !rejected_here ? "the peer refused this side's proposals"
                               : rejected_here                      ? "both sides reported it"
                                                                    : "the log does not say which side refused";
            Diagnosis d = make(f.code, sev, "no proposal chosen with " + who + " (" + counted + "; " + side + ")",
                               &f, "");
            if (!proposals_received.empty()) d.evidence.push_back({"proposals received", proposals_received, "", ""});
            if (!proposals_configured.empty()) {
                d.evidence.push_back({"proposals configured here", proposals_configured, "", ""});
            }
            d.advice = "Make the IKE (phase 1) and ESP (phase 2) proposals match on both ends: encryption, "
                       "integrity/hash, DH group, IKE version and mode.";
            if (proposals_received.empty() && proposals_configured.empty()) {
                d.advice += " This log does not print the proposals; compare both configurations.";
            }
            if (find_failure(p, codes::unknown_peer)) {
                d.advice += " Here the responder matched no configured peer for " + p.peer +
                            " and answered with its fallback (dial-up / default) policy, so the real cause is the "
                            "address: see unknown_peer.";
            } else if (rejected_by_peer) {
                d.advice += " Only the peer knows why it refused: if the proposals do match, the peer may not "
                            "recognise this side's address (stale dynamic DNS on its side) - read its log.";
            }
            out.push_back(std::move(d));
        } else if (f.code == codes::unknown_peer) {
            Diagnosis d = make(f.code, sev,
                               "the responder has no configuration for the peer address " + p.peer + " (" +
                                   counted + ")",
                               &f,
                               "The responder saw the peer at " + p.peer +
                                   ", an address it does not associate with the configured connection, so it "
                                   "fell back to its dial-up policy or dropped the packet. The peer's address has "
                                   "probably changed (DSL reconnect, new WAN address, NAT): check the peer's "
                                   "dynamic-DNS name and when it was last updated, or configure the peer by "
                                   "its current address.");
            add_name_checks(d, p, names);
            out.push_back(std::move(d));
        } else if (f.code == codes::auth_failed) {
            out.push_back(make(f.code, sev, "authentication failed with " + who + " (" + counted + ")", &f,
                               "The pre-shared keys (or certificates) differ, or the responder's policy refuses this "
                               "authentication (e.g. aggressive mode with PSK). If only this side's log shows "
                               "AUTHENTICATION_FAILED, the cause may also be an ID mismatch: read the peer's log."));
        } else if (f.code == codes::id_mismatch) {
            Diagnosis d = make(f.code, sev, "identity mismatch with " + who + " (" + counted + ")", &f,
                               "The ID the peer sends does not match the ID this side expects for it (leftid / "
                               "rightid, local-id / remote-id, FQDN vs address). Make both agree.");
            if (!detail.empty()) d.evidence.push_back({"IDs", detail, "", ""});
            out.push_back(std::move(d));
        } else if (f.code == codes::ts_unacceptable) {
            out.push_back(make(f.code, sev,
                               // Selectors are negotiated inside phase 1 (quick mode, IKE_AUTH): phase 1 was
                               // up for them to be refused, whether or not the log shows it coming up.
                               "traffic selectors refused with " + who + " (" + counted + "; phase 2, after phase 1 came up)",
                               &f,
                               "The protected subnets (local/remote traffic selectors, proxy IDs, crypto ACLs) "
                               "differ between the ends: make them mirror images. Note: a responder that fails to "
                               "install the IPsec SA in its kernel may answer TS_UNACCEPTABLE too - check the "
                               "peer's log for kernel/SA errors."));
        } else if (f.code == codes::peer_unreachable) {
            bool phase2 = p.phase1_established > 0 && !find_failure(p, codes::dpd_timeout);
            out.push_back(make(
                f.code, sev, "no answer from " + who + " (" + counted + ")", &f,
                phase2 ? "Phase 1 came up, then the peer stopped answering (phase 2 or later exchanges): check the "
                         "peer's log for errors installing the SA, and that ESP/UDP 4500 pass the path."
                       : "Nothing (or nothing acceptable) came back: check that the peer is up and its IKE daemon "
                         "runs, that UDP 500 and 4500 pass every firewall and NAT on the path, and that the "
                         "address used for the peer is current (dynamic DNS). A responder with no configuration "
                         "for this address may drop the packets silently."));
        } else if (f.code == codes::dpd_timeout) {
            out.push_back(make(f.code, Severity::critical,
                               "the tunnel with " + who + " was lost: dead peer detection timed out (" + counted +
                                   ", " + std::to_string(p.flaps) + " flap" + (p.flaps == 1 ? "" : "s") + ")",
                               &f,
                               "The tunnel was up, then the peer stopped answering DPD/liveness probes: the path "
                               "dropped (line down, address change, ISP outage) or the peer restarted. Check the "
                               "WAN link and the peer's address; if it changed, the peer's dynamic DNS must follow."));
        } else if (f.code == codes::sa_install_failed) {
            out.push_back(make(f.code, Severity::warning, "the local kernel refused the IPsec SA (" + counted + ")",
                               &f,
                               "The IKE negotiation succeeded but installing the IPsec SA failed locally (missing "
                               "ESP/xfrm support or modules, conflicting SAs): fix the host, not the peer."));
        }
    }
    if (p.failures.empty() || (p.failure == codes::none && up_now)) {
        Diagnosis d;
        d.code = codes::none;
        d.severity = Severity::info;
        d.summary = std::string(up_now ? "tunnel with " + who + " established" : "no failure seen with " + who) +
                    " (" + count_words(p.established, p.attempts) + " established" +
                    (p.established_counts_phase1 ? ", phase 1 only: this log never shows phase 2" : "") + ")";
        d.evidence.push_back({"last state", p.last_state, "", p.file});
        out.insert(out.begin(), std::move(d));
    }
    return out;
}

std::vector<Diagnosis> diagnose_files(const std::vector<FileSummary>& files) {
    std::vector<Diagnosis> out;
    for (const auto& f : files) {
        if (f.format == "unknown" && f.lines > 0) {
            out.push_back({"unknown_format", Severity::warning,
                           f.path + ": no known IKE log format recognised",
                           {{"lines", std::to_string(f.lines), "", f.path}},
                           "Force a format with --format NAME (see --help for the list), or check that this is the "
                           "VPN log.",
                           std::nullopt});
        }
        if (f.skipped > 0) {
            out.push_back({"skipped_lines", Severity::info,
                           f.path + ": " + std::to_string(f.skipped) + " of " + std::to_string(f.lines) +
                               " lines skipped",
                           {{"binary", std::to_string(f.skipped_binary), "", f.path},
                            {"longer than 64 KiB", std::to_string(f.skipped_too_long), "", f.path},
                            {"not in the format", std::to_string(f.skipped_unrecognised), "", f.path}},
                           "", std::nullopt});
        }
    }
    return out;
}

}  // namespace nettool::ikelog
