// Events -> attempts (one per IKE SA / phase 1 try) -> per-peer aggregates -> report with diagnoses.
#include "nettool/ikelog/ike_log.hpp"

#include "advice.hpp"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <deque>
#include <set>
#include <unordered_map>

namespace nettool::ikelog {

namespace {

constexpr std::size_t kRecentAttempts = 64;
constexpr std::size_t kEvidencePerCode = 4;
constexpr std::size_t kMaxOpenAttempts = 4096;

int priority(const std::string& code) {
    // Higher wins when one attempt shows several signs. unknown_peer ranks under no_proposal_chosen: a responder
    // that refused an unknown address with NO_PROPOSAL_CHOSEN reports that, and unknown_peer as well.
    static const std::vector<std::string> order = {codes::peer_unreachable, codes::unknown_peer,
                                                   codes::dpd_timeout,      codes::no_proposal_chosen,
                                                   codes::ts_unacceptable,  codes::auth_failed,
                                                   codes::id_mismatch};
    auto it = std::find(order.begin(), order.end(), code);
    return it == order.end() ? -1 : static_cast<int>(it - order.begin());
}

bool is_failure_code(const std::string& code) { return priority(code) >= 0; }

struct CodeSeen {
    std::string code;
    Evidence evidence;
};

struct Attempt {
    std::size_t order = 0;  // global sequence, for "which came last" across merges
    std::size_t file = 0;
    std::string key;
    std::string peer, local, connection;
    Role role = Role::unknown;
    int ike_version = 0;
    Exchange exchange = Exchange::unknown;
    int v1_messages = 0;        // main/aggressive mode messages seen (sent + received)
    int highest_message = 0;    // highest main/aggressive mode message number reached
    bool heard = false;         // anything came from the peer
    bool sent = false;
    bool phase1 = false;
    bool child = false;
    bool phase2_activity = false;
    bool dpd_pending = false;
    bool started = false;  // a negotiation_start was seen (not only opened by a stray message line)
    std::string state;  // last state reached, in words
    std::vector<CodeSeen> codes;
    std::string extra_code;  // sa_install_failed
    Evidence extra_evidence;
    std::string proposals_received, proposals_configured;
    bool rejected_here = false;   // this side sent NO_PROPOSAL_CHOSEN / refused
    bool rejected_by_peer = false;
    std::string detail;  // most telling detail (ids, selectors)
    std::string start_time;
    double start_s = -1, up_s = -1;
    std::size_t first_line = 0, last_line = 0;
    std::string spi;
    std::vector<std::string> notes;

    bool has(const std::string& code) const {
        return std::any_of(codes.begin(), codes.end(), [&](const CodeSeen& c) { return c.code == code; });
    }
    std::string main_code() const {
        std::string best;
        for (const auto& c : codes) {
            if (priority(c.code) > priority(best)) best = c.code;
        }
        return best;
    }
};

struct PeerAgg {
    std::size_t file = 0;
    std::string peer, connection, local;
    bool peer_is_address = false;
    Role role = Role::unknown;
    bool mixed_roles = false;
    int ike_version = 0;
    std::size_t attempts = 0, phase1 = 0, established = 0, failed = 0, flaps = 0;
    double up_seconds_sum = 0;
    std::size_t up_samples = 0;
    bool any_dpd = false;
    bool phase2_activity = false;
    bool logs_phase2 = true;
    std::size_t last_order = 0;
    bool last_phase1 = false, last_child = false;
    std::string last_state, last_code, last_failed_code;
    std::map<std::string, FailureCount> failures;
    std::vector<std::string> failure_order;
    std::string proposals_received, proposals_configured, detail;
    bool rejected_here = false, rejected_by_peer = false;
    std::deque<AttemptSummary> recent;
    std::size_t numbering = 0;
};

std::string source_of(const std::deque<FileSummary>& files, std::size_t file, std::size_t line) {
    std::string path = file < files.size() ? files[file].path : "?";
    return path + ":" + std::to_string(line);
}

std::string describe_state(const Attempt& a) { return a.state.empty() ? "started" : a.state; }

}  // namespace

struct Analyzer::State {
    std::deque<FileSummary> files;  // a deque: Analyzer::file() references stay valid as files are added
    std::vector<bool> logs_phase2;
    std::vector<std::unordered_map<std::string, Attempt>> open;  // per file: attempt key -> attempt
    std::vector<std::string> last_key;                            // per file: most recently touched attempt
    std::map<std::pair<std::size_t, std::string>, PeerAgg> peers;
    std::vector<NameCheck> name_checks;
    LiveCallback live;
    std::size_t order = 0;

    // `text()` gives the update's text; it is only built when someone listens (--follow, --listen).
    template <class Text>
    void notify(const Attempt& a, Text&& text) {
        if (!live) return;
        LiveUpdate u;
        u.source = source_of(files, a.file, a.last_line);
        u.peer = a.peer.empty() ? a.connection : a.peer;
        u.text = text();
        live(u);
    }

    void add_code(Attempt& a, const std::string& code, const Event& e, const std::string& what) {
        if (code == codes::sa_install_failed) {
            if (a.extra_code.empty()) {
                a.extra_code = code;
                a.extra_evidence = Evidence{what, e.detail, "", source_of(files, e.file, e.line)};
            }
            return;
        }
        if (code.empty() || a.has(code)) return;
        std::string observed = e.detail.empty() ? e.notify : e.detail;
        a.codes.push_back({code, Evidence{what, observed, "", source_of(files, e.file, e.line)}});
        notify(a, [&] { return "sign of " + code + ": " + (observed.empty() ? what : what + ": " + observed); });
    }

    Attempt& open_attempt(std::size_t file, const std::string& key, const Event& e) {
        auto& map = open[file];
        if (map.size() >= kMaxOpenAttempts) {
            auto oldest = std::min_element(map.begin(), map.end(), [](const auto& x, const auto& y) {
                return x.second.last_line < y.second.last_line;
            });
            fold(oldest->second, peers, false);
            map.erase(oldest);
        }
        Attempt a;
        a.order = ++order;
        a.file = file;
        a.key = key;
        a.first_line = a.last_line = e.line;
        a.start_time = e.time;
        a.start_s = e.seconds;
        auto [it, inserted] = map.emplace(key, std::move(a));
        (void)inserted;
        return it->second;
    }

    // Attempt ended (or the report is being built): add it to its peer.
    void fold(Attempt& a, std::map<std::pair<std::size_t, std::string>, PeerAgg>& into, bool superseded) const {
        if (!a.phase1 && !a.heard && a.codes.empty() && a.sent && superseded && a.role != Role::responder) {
            // A new try began and this one never heard anything back.
            a.codes.push_back({codes::peer_unreachable,
                               Evidence{"no answer before the next attempt", describe_state(a), "",
                                        source_of(files, a.file, a.last_line)}});
        }
        std::string key = !a.peer.empty() ? a.peer : (!a.connection.empty() ? "conn:" + a.connection : "sa:" + a.key);
        PeerAgg& p = into[{a.file, key}];
        if (p.attempts == 0) {
            p.file = a.file;
            p.peer = !a.peer.empty() ? a.peer : (!a.connection.empty() ? a.connection : "unknown");
            p.peer_is_address = !a.peer.empty();
            p.logs_phase2 = a.file < logs_phase2.size() ? logs_phase2[a.file] : true;
        }
        if (p.connection.empty()) p.connection = a.connection;
        if (p.local.empty()) p.local = a.local;
        if (a.role != Role::unknown) {
            if (p.role != Role::unknown && p.role != a.role) p.mixed_roles = true;
            if (p.role == Role::unknown) p.role = a.role;
        }
        if (p.ike_version == 0) p.ike_version = a.ike_version;
        ++p.attempts;
        if (a.phase1) ++p.phase1;
        if (a.phase1 && a.child) ++p.established;
        if (a.phase2_activity || a.child) p.phase2_activity = true;
        if (a.up_s >= 0 && a.start_s >= 0 && a.up_s >= a.start_s) {
            p.up_seconds_sum += a.up_s - a.start_s;
            ++p.up_samples;
        }
        std::string code = a.main_code();
        if (a.has(codes::dpd_timeout)) p.any_dpd = true;
        if ((a.phase1 || a.child) && (a.has(codes::dpd_timeout) || a.has(codes::peer_unreachable)) && a.child) ++p.flaps;
        bool success = a.phase1 && (a.child || !p.logs_phase2);
        if (!code.empty() && !(success && code != codes::dpd_timeout)) ++p.failed;
        for (const auto& c : a.codes) {
            auto& f = p.failures[c.code];
            if (f.count == 0) {
                f.code = c.code;
                p.failure_order.push_back(c.code);
            }
            ++f.count;
            if (f.evidence.size() < kEvidencePerCode) {
                f.evidence.push_back(c.evidence);
            } else {
                f.evidence.back() = c.evidence;  // keep the first few and the latest
            }
        }
        if (!a.extra_code.empty()) {
            auto& f = p.failures[a.extra_code];
            if (f.count == 0) {
                f.code = a.extra_code;
                p.failure_order.push_back(a.extra_code);
            }
            ++f.count;
            if (f.evidence.size() < kEvidencePerCode) f.evidence.push_back(a.extra_evidence);
        }
        // Proposal lists matter where proposals were refused.
        if (a.has(codes::no_proposal_chosen)) {
            if (!a.proposals_received.empty()) p.proposals_received = a.proposals_received;
            if (!a.proposals_configured.empty()) p.proposals_configured = a.proposals_configured;
        }
        if (!a.detail.empty()) p.detail = a.detail;
        p.rejected_here = p.rejected_here || a.rejected_here;
        p.rejected_by_peer = p.rejected_by_peer || a.rejected_by_peer;
        if (a.order >= p.last_order) {
            p.last_order = a.order;
            p.last_phase1 = a.phase1;
            p.last_child = a.child;
            p.last_state = describe_state(a);
            p.last_code = code;
        }
        if (!code.empty()) p.last_failed_code = code;

        AttemptSummary s;
        s.number = ++p.numbering;
        s.role = a.role;
        s.ike_version = a.ike_version;
        s.outcome = success ? "established" : (a.phase1 ? "phase1_only" : (!code.empty() ? "failed" : "incomplete"));
        if (a.phase1 && a.child && !code.empty()) s.outcome = "established_then_lost";
        s.code = code;
        s.last_state = describe_state(a);
        s.start_time = a.start_time;
        s.start_seconds = a.start_s;
        s.first_line = a.first_line;
        s.spi = a.spi;
        for (const auto& n : a.notes) s.notes += (s.notes.empty() ? "" : "; ") + n;
        p.recent.push_back(std::move(s));
        if (p.recent.size() > kRecentAttempts) p.recent.pop_front();
    }

    void close(std::size_t file, const std::string& key) {
        auto& map = open[file];
        auto it = map.find(key);
        if (it == map.end()) return;
        Attempt a = std::move(it->second);
        map.erase(it);
        if (live) {
            std::string code = a.main_code();
            if (!code.empty()) {
                notify(a, [&] { return "attempt ended: " + code; });
            } else if (a.phase1) {
                notify(a, [&] { return "attempt ended after " + describe_state(a); });
            }
        }
        fold(a, peers, false);
    }

    void supersede(std::size_t file, const std::string& key) {
        auto& map = open[file];
        auto it = map.find(key);
        if (it == map.end()) return;
        Attempt a = std::move(it->second);
        map.erase(it);
        fold(a, peers, true);
        if (live) {
            std::string code = a.main_code();
            if (!code.empty()) notify(a, [&] { return "attempt ended: " + code; });
        }
    }

    void on_event(const Event& e) {
        if (e.file >= files.size()) return;
        ++files[e.file].events;
        auto& map = open[e.file];
        std::string key = e.sa;
        if (key.empty()) {
            // Lines without an SA id: the open attempt with the same peer, else the one touched last.
            if (!e.peer.empty()) {
                for (auto& [k, a] : map) {
                    if (a.peer == e.peer) {
                        key = k;
                        break;
                    }
                }
            }
            if (key.empty() && !last_key[e.file].empty() && map.count(last_key[e.file]) &&
                e.kind != EventKind::negotiation_start) {
                key = last_key[e.file];
            }
            if (key.empty()) key = !e.peer.empty() ? "peer:" + e.peer : "conn:" + e.connection;
        }
        // Events that may open an attempt nobody started (a log that begins mid-negotiation, a responder whose
        // first line is an error). Give-ups, deletes, DPD and ICMP errors only ever concern a running attempt.
        bool significant = e.kind == EventKind::negotiation_start ||
                           (!e.code.empty() && e.code != codes::peer_unreachable && e.kind != EventKind::give_up &&
                            e.kind != EventKind::dpd_timeout) ||
                           e.kind == EventKind::phase1_established || e.kind == EventKind::child_established;
        // Informational exchanges (deletes, DPD) and bare packets belong to an SA that already exists.
        bool negotiating_message = (e.kind == EventKind::message_sent || e.kind == EventKind::message_received) &&
                                   e.exchange != Exchange::unknown && e.exchange != Exchange::informational;
        bool may_open = significant || negotiating_message || e.kind == EventKind::proposals ||
                        e.kind == EventKind::notify_sent || e.kind == EventKind::notify_received;
        auto it = map.find(key);
        if (e.kind == EventKind::negotiation_start) {
            // A new try: an open attempt with the same key that really started is over; so is an unfinished one
            // with the same peer (formats that number each try, e.g. ETX-VRT banners).
            if (it != map.end() && (it->second.started || it->second.phase1)) {
                supersede(e.file, key);
                it = map.end();
            }
            if (!e.peer.empty()) {
                std::vector<std::string> stale;
                for (const auto& [k, a] : map) {
                    if (k != key && a.peer == e.peer && a.started && !a.phase1 && a.role == e.role) stale.push_back(k);
                }
                for (const auto& k : stale) supersede(e.file, k);
                it = map.find(key);
            }
        }
        if (it == map.end()) {
            bool creates = significant || (!e.sa.empty() && may_open);
            if (!creates) return;
            it = map.find(key);
            if (it == map.end()) {
                open_attempt(e.file, key, e);
                it = map.find(key);
                Attempt& fresh = it->second;
                fresh.peer = e.peer;
                fresh.connection = e.connection;
                notify(fresh, [&] {
                    return e.kind == EventKind::negotiation_start
                               ? std::string("negotiation started (") + to_string(e.role) + ")"
                               : std::string("negotiation seen");
                });
            }
        }
        last_key[e.file] = key;
        Attempt& a = it->second;
        a.last_line = e.line;
        if (a.peer.empty() && !e.peer.empty()) a.peer = e.peer;
        if (a.local.empty() && !e.local.empty()) a.local = e.local;
        if (a.connection.empty() && !e.connection.empty()) a.connection = e.connection;
        if (a.role == Role::unknown && e.role != Role::unknown) a.role = e.role;
        if (a.ike_version == 0 && e.ike_version != 0 && !(e.phase2 && e.kind == EventKind::unknown)) {
            a.ike_version = e.ike_version;
        }
        if (a.start_s < 0 && e.seconds >= 0) a.start_s = e.seconds;
        if (a.start_time.empty()) a.start_time = e.time;
        if (e.phase2 || e.exchange == Exchange::quick_mode || e.exchange == Exchange::create_child_sa) {
            a.phase2_activity = true;
        }

        switch (e.kind) {
        case EventKind::negotiation_start:
            a.started = true;
            if (e.role == Role::responder) a.heard = true;
            a.exchange = e.exchange;
            a.state = std::string(to_string(e.exchange)) + " started";
            if (e.role == Role::initiator) a.sent = true;
            break;
        case EventKind::message_sent:
        case EventKind::message_received: {
            bool received = e.kind == EventKind::message_received;
            if (received) a.heard = true; else a.sent = true;
            if (e.exchange == Exchange::unknown) break;
            a.exchange = e.exchange;
            if (e.exchange == Exchange::main_mode || e.exchange == Exchange::aggressive_mode) {
                int number = e.message_number > 0 ? e.message_number : ++a.v1_messages;
                a.highest_message = std::max(a.highest_message, number);
                if (!a.phase1) {
                    a.state = std::string(to_string(e.exchange)) + " message " + std::to_string(a.highest_message);
                }
                // Sending message N > 1 of main mode implies N-1 came in.
                if (!received && number > 1) a.heard = true;
            } else if (!a.child && (!a.phase1 || e.phase2)) {
                if (e.exchange != Exchange::informational) {
                    a.state = std::string(to_string(e.exchange)) + (received ? " received" : " sent");
                }
            }
            if (!received && e.message_number > 1) a.heard = true;
            break;
        }
        case EventKind::notify_received:
            a.heard = true;
            if (e.code == codes::no_proposal_chosen) a.rejected_by_peer = true;
            add_code(a, e.code, e, "received notify");
            a.notes.push_back("got " + e.notify);
            break;
        case EventKind::notify_sent:
            if (e.code == codes::no_proposal_chosen) a.rejected_here = true;
            add_code(a, e.code, e, "sent notify");
            if (!e.notify.empty()) a.notes.push_back("sent " + e.notify);
            break;
        case EventKind::error:
            if (e.code == codes::no_proposal_chosen) a.rejected_here = true;
            if (!e.detail.empty() && (e.code == codes::id_mismatch || e.code == codes::ts_unacceptable)) {
                a.detail = e.detail;
            }
            add_code(a, e.code, e, "error");
            if (!e.also.empty()) add_code(a, e.also, e, "responder has no configuration for this peer address");
            if (!e.code.empty()) {
                std::string said = e.detail.size() > 60 ? e.detail.substr(0, 57) + "..." : e.detail;
                a.notes.push_back(said.empty() ? "error: " + e.code : "\"" + said + "\"");
            }
            break;
        case EventKind::proposals:
            if (e.proposal_side == ProposalSide::received) a.proposals_received = e.detail;
            if (e.proposal_side == ProposalSide::configured) a.proposals_configured = e.detail;
            break;
        case EventKind::retransmit:
            if (e.message_number > 0) {
                a.highest_message = std::max(a.highest_message, e.message_number);
                if (e.message_number > 1) a.heard = true;
            }
            if (!a.state.empty() && a.state.find("(retransmitting)") == std::string::npos && !a.phase1) {
                a.state += " (retransmitting)";
            }
            break;
        case EventKind::give_up: {
            if (e.message_number > 0) a.highest_message = std::max(a.highest_message, e.message_number);
            if (e.message_number > 1) a.heard = true;
            Event g = e;
            if (a.phase1) {
                if (a.dpd_pending) {
                    add_code(a, codes::dpd_timeout, g, "no answer to DPD, gave up");
                } else if (a.codes.empty()) {
                    g.detail = "phase 1 was up; no answer in phase 2 / later exchanges: " + e.detail;
                    add_code(a, codes::peer_unreachable, g, "gave up retransmitting");
                }
            } else if (a.codes.empty()) {
                bool v1 = a.ike_version == 1 || a.exchange == Exchange::main_mode;
                if (v1 && a.heard && a.highest_message >= 5) {
                    g.detail = "main mode messages 1-4 answered, message 5 (encrypted ID/HASH) never answered: "
                               "the usual pre-shared key mismatch signature";
                    add_code(a, codes::auth_failed, g, "gave up waiting for main mode message 6");
                } else {
                    g.detail = (a.heard ? "peer answered earlier messages; " : "nothing came back; ") + e.detail;
                    add_code(a, codes::peer_unreachable, g, "gave up retransmitting");
                }
            }
            a.notes.push_back("gave up");
            a.state = describe_state(a) + " -> gave up";
            close(e.file, key);
            return;
        }
        case EventKind::phase1_established:
            a.heard = true;
            a.phase1 = true;
            if (a.up_s < 0) a.up_s = e.seconds;
            if (!a.child) a.state = a.ike_version == 2 ? "IKE SA established" : "phase 1 established";
            if (!e.detail.empty() && a.detail.empty()) a.detail = e.detail;
            a.notes.push_back("phase 1 up");
            notify(a, [] { return std::string("phase 1 / IKE SA established"); });
            break;
        case EventKind::child_established:
            a.heard = true;
            a.child = true;
            if (!a.phase1) a.phase1 = true;
            if (e.seconds >= 0) a.up_s = e.seconds;
            if (!e.spi.empty()) a.spi += (a.spi.empty() ? "" : " ") + e.spi;
            a.state = "established (phase 2 / CHILD SA up)";
            a.notes.push_back("phase 2 up");
            notify(a, [] { return std::string("tunnel established (phase 2 / CHILD SA up)"); });
            break;
        case EventKind::child_failed:
            add_code(a, e.code, e, "IPsec SA install failed locally");
            a.notes.push_back("SA install failed");
            break;
        case EventKind::dpd:
            a.dpd_pending = true;
            break;
        case EventKind::dpd_timeout:
            add_code(a, codes::dpd_timeout, e, "DPD / liveness declared the peer dead");
            a.notes.push_back("DPD timeout");
            a.state = describe_state(a) + " -> DPD timeout";
            close(e.file, key);
            return;
        case EventKind::deleted:
            close(e.file, key);
            return;
        case EventKind::unknown:
            break;
        }
        if (e.kind == EventKind::message_received || e.kind == EventKind::notify_received ||
            e.kind == EventKind::phase1_established || e.kind == EventKind::child_established) {
            if (e.kind != EventKind::phase1_established) a.dpd_pending = a.dpd_pending && e.kind != EventKind::message_received;
        }
    }
};

Analyzer::Analyzer() : state_(std::make_unique<State>()) {}
Analyzer::~Analyzer() = default;

std::size_t Analyzer::add_file(const std::string& path) {
    state_->files.push_back(FileSummary{});
    state_->files.back().path = path;
    state_->files.back().format = "unknown";
    state_->logs_phase2.push_back(true);
    state_->open.emplace_back();
    state_->last_key.emplace_back();
    return state_->files.size() - 1;
}

FileSummary& Analyzer::file(std::size_t index) { return state_->files.at(index); }

void Analyzer::set_file_format(std::size_t index, const FormatInfo* format, double confidence, bool forced) {
    FileSummary& f = state_->files.at(index);
    f.format = format ? std::string(format->name) : "unknown";
    f.confidence = confidence;
    f.forced = forced;
    state_->logs_phase2.at(index) = format ? format->logs_phase2 : true;
}

void Analyzer::set_live_callback(LiveCallback callback) { state_->live = std::move(callback); }
void Analyzer::set_name_checks(std::vector<NameCheck> checks) { state_->name_checks = std::move(checks); }
void Analyzer::on_event(const Event& event) { state_->on_event(event); }

void Analyzer::relabel_lines(std::size_t index, const std::string& generation) {
    if (index >= state_->files.size()) return;
    const std::string from = state_->files[index].path + ":";
    const std::string to = generation + ":";
    auto relabel = [&](Evidence& e) {
        if (e.source.compare(0, from.size(), from) == 0) e.source = to + e.source.substr(from.size());
    };
    for (auto& [key, a] : state_->open[index]) {
        for (auto& c : a.codes) relabel(c.evidence);
        relabel(a.extra_evidence);
    }
    for (auto& [key, p] : state_->peers) {
        if (p.file != index) continue;
        for (auto& [code, f] : p.failures) {
            for (auto& e : f.evidence) relabel(e);
        }
    }
}

// ---- report -------------------------------------------------------------------------------------------------

namespace {

PeerReport finish_peer(const PeerAgg& p, const std::vector<FileSummary>& files, const std::vector<NameCheck>& names) {
    PeerReport r;
    r.peer = p.peer;
    r.peer_is_address = p.peer_is_address;
    r.connection = p.connection;
    r.file = p.file < files.size() ? files[p.file].path : "";
    r.local = p.local;
    r.role = p.role;
    r.ike_version = p.ike_version;
    r.attempts = p.attempts;
    r.phase1_established = p.phase1;
    r.established_counts_phase1 = !p.logs_phase2 && !p.phase2_activity;
    r.established = r.established_counts_phase1 ? p.phase1 : p.established;
    r.failed = p.failed;
    if (p.up_samples > 0) r.time_to_establish_s = p.up_seconds_sum / static_cast<double>(p.up_samples);
    r.last_state = p.last_state;
    // Up at the end: the last attempt came up and was not lost afterwards (DPD, no answer).
    r.last_attempt_established = p.last_phase1 && (p.last_child || r.established_counts_phase1) &&
                                 p.last_code != codes::dpd_timeout && p.last_code != codes::peer_unreachable;
    r.flaps = p.flaps;
    if (p.any_dpd) {
        r.failure = codes::dpd_timeout;
    } else if (r.last_attempt_established) {
        r.failure = codes::none;
    } else if (is_failure_code(p.last_code)) {
        r.failure = p.last_code;
    } else if (is_failure_code(p.last_failed_code)) {
        r.failure = p.last_failed_code;
    } else {
        r.failure = codes::none;
    }
    // Failures: the reported one first, then by first appearance.
    std::vector<std::string> order = p.failure_order;
    std::stable_sort(order.begin(), order.end(), [&](const std::string& x, const std::string& y) {
        return (x == r.failure) > (y == r.failure);
    });
    for (const auto& code : order) r.failures.push_back(p.failures.at(code));
    r.recent_attempts.assign(p.recent.begin(), p.recent.end());
    r.diagnoses = diagnose_peer(r, p.proposals_received, p.proposals_configured, p.rejected_here,
                                p.rejected_by_peer, p.detail, names);
    assign_root_cause(r);
    return r;
}

// Merge peers known only by connection name into the one address-keyed peer of the same file and connection.
std::map<std::pair<std::size_t, std::string>, PeerAgg> merge_placeholders(
    std::map<std::pair<std::size_t, std::string>, PeerAgg> peers) {
    std::vector<std::pair<std::size_t, std::string>> placeholders;
    for (auto& [key, p] : peers) {
        if (!p.peer_is_address) placeholders.push_back(key);
    }
    for (const auto& key : placeholders) {
        PeerAgg& ph = peers.at(key);
        PeerAgg* target = nullptr;
        int candidates = 0;
        for (auto& [k, p] : peers) {
            if (p.peer_is_address && p.file == ph.file && !ph.connection.empty() && p.connection == ph.connection) {
                target = &p;
                ++candidates;
            }
        }
        if (candidates != 1) continue;
        PeerAgg& t = *target;
        t.attempts += ph.attempts;
        t.phase1 += ph.phase1;
        t.established += ph.established;
        t.failed += ph.failed;
        t.flaps += ph.flaps;
        t.up_seconds_sum += ph.up_seconds_sum;
        t.up_samples += ph.up_samples;
        t.any_dpd = t.any_dpd || ph.any_dpd;
        t.phase2_activity = t.phase2_activity || ph.phase2_activity;
        if (t.role == Role::unknown) t.role = ph.role;
        if (t.ike_version == 0) t.ike_version = ph.ike_version;
        if (ph.last_order > t.last_order) {
            t.last_order = ph.last_order;
            t.last_phase1 = ph.last_phase1;
            t.last_child = ph.last_child;
            t.last_state = ph.last_state;
            t.last_code = ph.last_code;
            if (!ph.last_failed_code.empty()) t.last_failed_code = ph.last_failed_code;
        } else if (t.last_failed_code.empty()) {
            t.last_failed_code = ph.last_failed_code;
        }
        for (const auto& code : ph.failure_order) {
            auto& f = t.failures[code];
            if (f.count == 0) {
                f.code = code;
                t.failure_order.push_back(code);
            }
            const auto& g = ph.failures.at(code);
            f.count += g.count;
            for (const auto& ev : g.evidence) {
                if (f.evidence.size() < kEvidencePerCode) f.evidence.push_back(ev);
            }
        }
        if (t.proposals_received.empty()) t.proposals_received = ph.proposals_received;
        if (t.proposals_configured.empty()) t.proposals_configured = ph.proposals_configured;
        t.rejected_here = t.rejected_here || ph.rejected_here;
        t.rejected_by_peer = t.rejected_by_peer || ph.rejected_by_peer;
        std::deque<AttemptSummary> all(ph.recent.begin(), ph.recent.end());
        all.insert(all.end(), t.recent.begin(), t.recent.end());
        std::stable_sort(all.begin(), all.end(),
                         [](const AttemptSummary& x, const AttemptSummary& y) { return x.first_line < y.first_line; });
        std::size_t n = 0;
        for (auto& s : all) s.number = ++n;
        while (all.size() > kRecentAttempts) all.pop_front();
        t.recent = std::move(all);
        peers.erase(key);
    }
    return peers;
}

std::set<std::string> spi_tokens(const std::string& spi) {
    std::set<std::string> out;
    std::string token;
    for (char c : spi + " ") {
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (hex) {
            token += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            if (token.size() >= 6 && token != "0x") out.insert(token.substr(token.rfind('x') == 1 ? 2 : 0));
            token.clear();
        }
    }
    return out;
}

// Where each file's peers can be found by what another file's peer shows of them: its local address, its peer
// address, the SPIs of its recent attempts. Lets correlate() look pairs up instead of trying every pair (a syslog
// listener with many senders and thousands of peers would otherwise be quadratic).
struct PeerIndex {
    std::unordered_map<std::string, std::vector<std::size_t>> by_local, by_peer, by_spi;
};

PeerIndex index_peers(const std::vector<const PeerReport*>& peers) {
    PeerIndex index;
    for (std::size_t k = 0; k < peers.size(); ++k) {
        const PeerReport& b = *peers[k];
        if (!b.local.empty()) index.by_local[b.local].push_back(k);
        if (b.peer_is_address) index.by_peer[b.peer].push_back(k);
        for (const auto& y : b.recent_attempts) {
            for (const auto& t : spi_tokens(y.spi)) index.by_spi[t].push_back(k);
        }
    }
    return index;
}

constexpr std::size_t max_correlations = 1000;

std::vector<Correlation> correlate(const std::vector<PeerReport>& peers, const std::vector<FileSummary>& files) {
    std::vector<Correlation> out;
    if (files.size() < 2) return out;
    std::map<std::string, std::vector<const PeerReport*>> by_file;
    for (const auto& p : peers) by_file[p.file].push_back(&p);
    std::map<std::string, PeerIndex> indexes;
    for (const auto& [file, list] : by_file) indexes.emplace(file, index_peers(list));
    static const PeerIndex no_peers;
    for (std::size_t i = 0; i < files.size(); ++i) {
        for (std::size_t j = i + 1; j < files.size(); ++j) {
            const auto& pa = by_file[files[i].path];
            const auto& pb = by_file[files[j].path];
            auto found = indexes.find(files[j].path);
            const PeerIndex& ib = found == indexes.end() ? no_peers : found->second;
            for (const PeerReport* a : pa) {
                // The candidates in pb, in pb's order, each with how it matched.
                std::map<std::size_t, std::string> candidates;
                auto add = [&](const auto& map, const std::string& key, const char* how) {
                    auto it = map.find(key);
                    if (it == map.end()) return;
                    for (std::size_t k : it->second) candidates.emplace(k, how);
                };
                if (a->peer_is_address) add(ib.by_local, a->peer, "addresses");
                if (!a->local.empty()) add(ib.by_peer, a->local, "addresses");
                for (const auto& x : a->recent_attempts) {
                    for (const auto& t : spi_tokens(x.spi)) add(ib.by_spi, t, "spi");
                }
                if (pa.size() == 1 && pb.size() == 1 && (a->role != pb[0]->role || a->role == Role::unknown)) {
                    candidates.emplace(0, "only peers");
                }
                for (const auto& [k, how] : candidates) {
                    // Two logs pair a handful of tunnels; thousands of pairs (many syslog senders replaying the
                    // same SPIs) say nothing more and would make the report unreadable.
                    if (out.size() >= max_correlations) return out;
                    const PeerReport* b = pb[k];
                    std::string matched = how;
                    Correlation c;
                    c.file_a = a->file;
                    c.peer_a = a->peer;
                    c.file_b = b->file;
                    c.peer_b = b->peer;
                    c.matched_by = matched;
                    const auto& xa = a->recent_attempts;
                    const auto& xb = b->recent_attempts;
                    bool timed = !xa.empty() && !xb.empty() &&
                                 std::all_of(xa.begin(), xa.end(), [](const auto& s) { return s.start_seconds >= 0; }) &&
                                 std::all_of(xb.begin(), xb.end(), [](const auto& s) { return s.start_seconds >= 0; });
                    if (timed) {
                        c.paired_by = "time";
                        std::vector<bool> used(xb.size(), false);
                        for (const auto& s : xa) {
                            std::size_t best = xb.size();
                            double gap = 5.0;
                            for (std::size_t k = 0; k < xb.size(); ++k) {
                                double d = std::fabs(xb[k].start_seconds - s.start_seconds);
                                if (!used[k] && d <= gap) {
                                    gap = d;
                                    best = k;
                                }
                            }
                            CorrelatedPair pair;
                            pair.a = s;
                            if (best < xb.size()) {
                                used[best] = true;
                                pair.b = xb[best];
                            }
                            c.pairs.push_back(std::move(pair));
                        }
                        for (std::size_t k = 0; k < xb.size(); ++k) {
                            if (!used[k]) c.pairs.push_back(CorrelatedPair{std::nullopt, xb[k]});
                        }
                        std::stable_sort(c.pairs.begin(), c.pairs.end(), [](const auto& x, const auto& y) {
                            double tx = x.a ? x.a->start_seconds : x.b->start_seconds;
                            double ty = y.a ? y.a->start_seconds : y.b->start_seconds;
                            return tx < ty;
                        });
                    } else {
                        c.paired_by = "order (from the end)";
                        std::size_t n = std::max(xa.size(), xb.size());
                        for (std::size_t k = 0; k < n; ++k) {
                            CorrelatedPair pair;
                            if (k + xa.size() >= n) pair.a = xa[k + xa.size() - n];
                            if (k + xb.size() >= n) pair.b = xb[k + xb.size() - n];
                            c.pairs.push_back(std::move(pair));
                        }
                    }
                    out.push_back(std::move(c));
                }
            }
        }
    }
    return out;
}

}  // namespace

IkeReport Analyzer::report() const {
    IkeReport report;
    report.files.assign(state_->files.begin(), state_->files.end());
    report.name_checks = state_->name_checks;
    auto peers = state_->peers;
    // Fold copies of the attempts still open (the log ended, or we are following it).
    std::vector<Attempt> open;
    for (const auto& map : state_->open) {
        for (const auto& [key, a] : map) open.push_back(a);
    }
    std::sort(open.begin(), open.end(), [](const Attempt& x, const Attempt& y) { return x.order < y.order; });
    for (auto& a : open) state_->fold(a, peers, false);
    peers = merge_placeholders(std::move(peers));
    std::vector<std::pair<std::size_t, const PeerAgg*>> ordered;
    for (const auto& [key, p] : peers) ordered.push_back({p.file, &p});
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (const auto& [file, p] : ordered) report.peers.push_back(finish_peer(*p, report.files, report.name_checks));
    report.correlations = correlate(report.peers, report.files);
    std::unordered_map<std::string, PeerReport*> peer_at;  // file '\0' peer -> its report
    for (auto& p : report.peers) peer_at.emplace(p.file + '\0' + p.peer, &p);
    auto find_peer = [&](const std::string& file, const std::string& peer) -> PeerReport* {
        auto it = peer_at.find(file + '\0' + peer);
        return it == peer_at.end() ? nullptr : it->second;
    };
    for (auto& c : report.correlations) {
        PeerReport* a = find_peer(c.file_a, c.peer_a);
        PeerReport* b = find_peer(c.file_b, c.peer_b);
        if (a && b) c.verdict = judge_tunnel(*a, *b);
    }
    report.diagnoses = diagnose_files(report.files);
    // A log in a known format whose lines made no negotiation to follow: the tunnel's state is unknown.
    for (const auto& f : report.files) {
        if (f.format == "unknown") continue;
        bool any = std::any_of(report.peers.begin(), report.peers.end(),
                               [&](const PeerReport& p) { return p.file == f.path; });
        if (any) continue;
        report.diagnoses.push_back({"no_negotiation", Severity::warning,
                                    f.path + ": " + f.format + " lines, but could not follow any negotiation",
                                    {{"lines", std::to_string(f.lines), "", f.path},
                                     {"events", std::to_string(f.events), "", f.path}},
                                    "The log shows no IKE negotiation start, result or failure for any peer: this "
                                    "end never initiated nor answered one in this period, or the log level hides "
                                    "it. Read the other end's log, or raise the log level.",
                                    std::nullopt});
    }
    return report;
}

bool IkeReport::problem_found() const {
    if (has_problem(diagnoses)) return true;
    for (const auto& p : peers) {
        if (has_problem(p.diagnoses)) return true;
    }
    for (const auto& c : correlations) {
        if (c.verdict && c.verdict->diagnosis.severity != Severity::info) return true;
    }
    return false;
}

Status keep_peers(IkeReport& report, const std::vector<std::string>& wanted) {
    if (wanted.empty()) return Ok{};
    auto named = [&](const std::string& peer, const std::string& connection) {
        return std::find(wanted.begin(), wanted.end(), peer) != wanted.end() ||
               (!connection.empty() && std::find(wanted.begin(), wanted.end(), connection) != wanted.end());
    };
    std::vector<PeerReport> kept;
    std::string existing;
    for (auto& p : report.peers) {
        std::string name = p.peer + (p.connection.empty() || p.connection == p.peer ? "" : " (" + p.connection + ")");
        if (existing.find(name) == std::string::npos) existing += (existing.empty() ? "" : ", ") + name;
        if (named(p.peer, p.connection)) kept.push_back(std::move(p));
    }
    if (kept.empty()) {
        std::string asked;
        for (const auto& w : wanted) asked += (asked.empty() ? "" : ", ") + w;
        return input_error("--peer " + asked + " matches no peer; peers in the input: " +
                           (existing.empty() ? std::string("none") : existing));
    }
    report.peers = std::move(kept);
    std::vector<Correlation> correlations;
    for (auto& c : report.correlations) {
        bool a = std::any_of(report.peers.begin(), report.peers.end(),
                             [&](const PeerReport& p) { return p.file == c.file_a && p.peer == c.peer_a; });
        bool b = std::any_of(report.peers.begin(), report.peers.end(),
                             [&](const PeerReport& p) { return p.file == c.file_b && p.peer == c.peer_b; });
        if (a || b) correlations.push_back(std::move(c));
    }
    report.correlations = std::move(correlations);
    return Ok{};
}

bool IkeReport::all_established() const {
    for (const auto& p : peers) {
        if (!p.last_attempt_established) return false;
    }
    return true;
}

}  // namespace nettool::ikelog
