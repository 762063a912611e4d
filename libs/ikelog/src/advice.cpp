#include "advice.hpp"

#include <algorithm>
#include <map>

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
        // Not up and no failure code: still a finding (the exit status must not say all is well).
        d.code = up_now ? codes::none : "not_established";
        d.severity = up_now ? Severity::info : Severity::warning;
        d.summary = std::string(up_now ? "tunnel with " + who + " established" : "no failure seen with " + who) +
                    " (" + count_words(p.established, p.attempts) + " established" +
                    (p.established_counts_phase1 ? ", phase 1 only: this log never shows phase 2" : "") + ")";
        d.evidence.push_back({"last state", p.last_state, "", p.file});
        out.insert(out.begin(), std::move(d));
    }
    return out;
}

namespace {

// Which findings follow from which: a responder with no configuration for the peer's address refuses with
// NO_PROPOSAL_CHOSEN or drops the packets; an ID the responder does not expect fails authentication; a lost peer
// stops answering; an IKEv1 PSK mismatch leaves the other side unable to decrypt and silent; a kernel that refuses
// the IPsec SA makes the responder answer TS_UNACCEPTABLE or nothing.
const std::map<std::string, std::vector<std::string>>& explained_by() {
    static const std::map<std::string, std::vector<std::string>> table = {
        {codes::unknown_peer, {codes::no_proposal_chosen, codes::peer_unreachable}},
        {codes::id_mismatch, {codes::auth_failed}},
        {codes::dpd_timeout, {codes::peer_unreachable}},
        {codes::auth_failed, {codes::peer_unreachable}},
        {codes::sa_install_failed, {codes::ts_unacceptable, codes::peer_unreachable}},
    };
    return table;
}

bool explains(const std::string& cause, const std::string& symptom) {
    const auto& table = explained_by();
    auto it = table.find(cause);
    return it != table.end() && std::find(it->second.begin(), it->second.end(), symptom) != it->second.end();
}

// Causes that explain others, most fundamental first.
const std::vector<std::string>& cause_rank() {
    static const std::vector<std::string> rank = {codes::unknown_peer, codes::id_mismatch, codes::dpd_timeout,
                                                  codes::sa_install_failed, codes::auth_failed};
    return rank;
}

int rank_of(const std::string& code) {
    const auto& rank = cause_rank();
    auto it = std::find(rank.begin(), rank.end(), code);
    return it == rank.end() ? static_cast<int>(rank.size()) : static_cast<int>(it - rank.begin());
}

bool is_finding(const Diagnosis& d) { return d.severity != Severity::info && d.code != codes::none; }

// Puts `root` first with the highest severity of the list, then the findings it explains (marked, at most
// warning), then the rest. `proof` names where the root cause was proved when that is not this peer's log.
void order_around(PeerReport& p, const std::string& root, const std::string& proof) {
    Severity worst = worst_severity(p.diagnoses);
    std::vector<Diagnosis> first, following, rest;
    for (auto& d : p.diagnoses) {
        if (d.code == root) {
            first.push_back(std::move(d));
        } else if (is_finding(d) && explains(root, d.code)) {
            d.summary = "follows from " + root + (proof.empty() ? "" : " (proved by " + proof + ")") + ": " + d.summary;
            if (d.severity == Severity::critical) d.severity = Severity::warning;
            if (proof.empty()) d.advice = "This follows from " + root + " (above): act on that first.";
            following.push_back(std::move(d));
        } else {
            rest.push_back(std::move(d));
        }
    }
    for (auto& d : first) d.severity = std::max(d.severity, worst);
    p.diagnoses.clear();
    for (auto* part : {&first, &following, &rest}) {
        for (auto& d : *part) p.diagnoses.push_back(std::move(d));
    }
}

}  // namespace

void assign_root_cause(PeerReport& p) {
    const Diagnosis* root = nullptr;
    auto better = [&](const Diagnosis& d) {
        if (!root) return true;
        bool d_explains = std::any_of(p.diagnoses.begin(), p.diagnoses.end(),
                                      [&](const Diagnosis& o) { return is_finding(o) && explains(d.code, o.code); });
        bool r_explains = std::any_of(p.diagnoses.begin(), p.diagnoses.end(),
                                      [&](const Diagnosis& o) { return is_finding(o) && explains(root->code, o.code); });
        if (d_explains != r_explains) return d_explains;
        if (d_explains) return rank_of(d.code) < rank_of(root->code);
        // Neither explains another: the failure the peer is left with, else the worst, else the first.
        if ((d.code == p.failure) != (root->code == p.failure)) return d.code == p.failure;
        return d.severity > root->severity;
    };
    for (const auto& d : p.diagnoses) {
        if (is_finding(d) && better(d)) root = &d;
    }
    if (!root) {
        p.root_cause.reset();
        return;
    }
    RootCause rc;
    rc.code = root->code;
    rc.summary = root->summary;
    for (const auto& d : p.diagnoses) {
        if (is_finding(d) && explains(rc.code, d.code)) rc.explains.push_back(d.code);
    }
    order_around(p, rc.code, "");
    p.root_cause = std::move(rc);
}

namespace {

std::string end_words(const PeerReport& p) {
    return p.file + " (" + (p.role == Role::unknown ? std::string("this end") : std::string(to_string(p.role))) + ")";
}

const Diagnosis* finding(const PeerReport& p, const std::string& code) {
    for (const auto& d : p.diagnoses) {
        if (d.code == code && is_finding(d)) return &d;
    }
    return nullptr;
}

// The end's own root cause, or "none".
std::string root_of(const PeerReport& p) { return p.root_cause ? p.root_cause->code : std::string(codes::none); }

// Order in which a cause proved by one end outranks what the other end saw.
int verdict_rank(const std::string& code) {
    static const std::vector<std::string> order = {codes::unknown_peer,      codes::id_mismatch,
                                                   codes::sa_install_failed, codes::no_proposal_chosen,
                                                   codes::ts_unacceptable,   codes::auth_failed,
                                                   codes::dpd_timeout,       codes::peer_unreachable};
    auto it = std::find(order.begin(), order.end(), code);
    return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

// The end whose log proves `code` with a finding that is more than a guess (the responder of a refusal).
PeerReport* prover(PeerReport& a, PeerReport& b, const std::string& code) {
    bool in_a = finding(a, code) != nullptr, in_b = finding(b, code) != nullptr;
    if (in_a && !in_b) return &a;
    if (in_b && !in_a) return &b;
    if (in_a && in_b) return b.role == Role::responder && a.role != Role::responder ? &b : &a;
    return nullptr;
}

}  // namespace

std::optional<TunnelVerdict> judge_tunnel(PeerReport& a, PeerReport& b) {
    std::string ra = root_of(a), rb = root_of(b);
    TunnelVerdict v;
    if (ra == codes::none && rb == codes::none) {
        v.diagnosis = {codes::none, Severity::info, "no problem found at either end", {}, "", std::nullopt};
        v.change_role = "none";
        v.change = "nothing";
        return v;
    }
    std::string code = ra == codes::none ? rb : rb == codes::none ? ra : verdict_rank(ra) <= verdict_rank(rb) ? ra : rb;
    PeerReport* proof = prover(a, b, code);
    if (!proof) return std::nullopt;
    PeerReport& other = proof == &a ? b : a;
    const Diagnosis& d = *finding(*proof, code);
    v.diagnosis.code = code;
    v.diagnosis.severity = std::max(worst_severity(a.diagnoses), worst_severity(b.diagnoses));
    v.diagnosis.evidence = d.evidence;
    v.change_file = proof->file;
    v.change_role = to_string(proof->role);
    const std::string here = end_words(*proof), there = end_words(other);
    if (code == codes::unknown_peer) {
        v.diagnosis.summary = here + " has no configuration for the address " + proof->peer + " that " + there +
                              " comes from, and refuses it; " + there + " sees only " +
                              (other.failure == codes::none ? std::string("the refusals") : other.failure);
        v.change = "the peer address " + here + " has configured for the other end (it must be " + proof->peer +
                   "), or the other end's dynamic-DNS update so the name follows its new address";
    } else if (code == codes::id_mismatch) {
        v.diagnosis.summary = here + " refuses the identity " + there + " sends: an ID mismatch, not a pre-shared "
                              "key mismatch";
        v.change = "the peer ID " + here + " expects (rightid / remote-id) to the one " + there +
                   " sends, or the local ID (leftid / local-id) of " + there;
    } else if (code == codes::sa_install_failed) {
        v.diagnosis.summary = "the kernel of " + here + " refused the IPsec SA; " + there + " sees only " +
                              (other.failure == codes::none ? std::string("a failed phase 2") : other.failure);
        v.change = "the host of " + here + " (ESP/xfrm support, modules, conflicting SAs), not the proposals or "
                   "selectors";
    } else if (code == codes::no_proposal_chosen) {
        v.diagnosis.summary = "proposals do not match: " + here + " found none acceptable";
        v.change = "the proposals of either end so they match (encryption, integrity, DH group, IKE version, "
                   "mode); " + here + " logged the refusal";
    } else if (code == codes::ts_unacceptable) {
        v.diagnosis.summary = "traffic selectors do not match: " + here + " refused them";
        v.change = "the protected subnets (local/remote selectors) of " + here + " or " + there +
                   " so they mirror each other";
    } else if (code == codes::auth_failed) {
        v.diagnosis.summary = "authentication failed and neither log shows an ID mismatch: the pre-shared keys "
                              "(or certificates) differ";
        v.change_role = "both";
        v.change = "the pre-shared key: set the same one on both ends";
    } else if (code == codes::dpd_timeout) {
        v.diagnosis.summary = "the tunnel came up, then the ends stopped hearing each other (dead peer detection)";
        v.change_role = "path";
        v.change = "nothing in either configuration: the path between the ends (WAN link, address change)";
    } else if (code == codes::peer_unreachable) {
        v.diagnosis.summary = here + " got no answer from " + there +
                              (root_of(other) == codes::none ? ", whose log shows nothing of it" : "");
        v.change_role = "path";
        v.change = "the path (UDP 500/4500, firewalls, NAT) or the address the initiator uses for the responder";
    } else {
        v.diagnosis.summary = code + " at " + here;
        v.change = "the configuration of " + here;
    }
    v.diagnosis.advice = "Change " + v.change + ".";
    if (v.change_role == "both" || v.change_role == "path") v.change_file.clear();  // no one end's file
    // The end that could only guess gets what the other end's log proves.
    if (root_of(other) != code && (root_of(other) == codes::none || explains(code, root_of(other)))) {
        if (root_of(other) != codes::none) {
            RootCause rc;
            rc.code = code;
            rc.summary = v.diagnosis.summary;
            rc.proved_by = proof->file;
            for (auto& od : other.diagnoses) {
                if (is_finding(od) && explains(code, od.code)) {
                    rc.explains.push_back(od.code);
                    od.advice = "The other end's log (" + proof->file + ") proves " + code +
                                ": this is what this end sees of it. " + v.diagnosis.advice;
                }
            }
            Diagnosis proved = d;
            proved.summary = v.diagnosis.summary;
            proved.advice = v.diagnosis.advice;
            other.diagnoses.insert(other.diagnoses.begin(), std::move(proved));
            order_around(other, code, proof->file);
            other.root_cause = std::move(rc);
        }
    }
    return v;
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
