// libreswan pluto (RHEL, Fedora, Debian; Openswan-derived gear): logfile (`Nov 28 08:45:25.109647: ...`) and
// syslog (`pluto[pid]: ...`) forms, IKEv1 and IKEv2, plutodebug lines ("| ...") ignored.
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <map>
#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

// Strips an optional syslog "host pluto[pid]: " / "pluto[pid]: " prefix; true when one was there.
bool strip_pluto_prefix(std::string_view& s) {
    // Only a match starting in the first 64 bytes counts, so only those bytes (and the match's own) are searched.
    static constexpr Needle pluto{"pluto["};
    if (!contains(s.substr(0, 64 + pluto.text.size()), pluto)) return false;
    auto at = s.find(pluto.text);
    if (at == std::string_view::npos || at > 64) return false;
    auto end = s.find("]: ", at);
    if (end == std::string_view::npos) return false;
    s.remove_prefix(end + 3);
    return true;
}

bool has_pluto_stamp(std::string_view line) {
    // "Nov 28 08:45:25.109647: " - microseconds and a colon
    return line.size() > 24 && line[3] == ' ' && line[15] == '.' && line[22] == ':' && is_digit(line[16]);
}

int sniff_libreswan(std::string_view line) {
    std::string_view s = line;
    bool stamp = has_pluto_stamp(s);
    if (stamp) s.remove_prefix(24);
    bool prefix = strip_pluto_prefix(s);
    if (starts_with(s, "\"") && contains(s, "\": ")) return 2;
    if (starts_with(s, "\"") && contains(s, " #") && contains(s, ": ")) return 2;
    if (starts_with(s, "packet from ") || starts_with(s, "Starting Pluto") || starts_with(s, "| ")) return 2;
    return (stamp || prefix) ? 1 : 0;
}

struct StateInfo {
    std::string parent;  // IKE SA state this (child) state belongs to; empty for an IKE SA
    bool established = false;
};

// The part of parsing a line that needs none of the parser's state: LibreswanParser and LibreswanFilter share it.
struct Classified {
    bool known = false;  // in this format
    bool read_on = false;  // a state line ("conn" #N: ...) or a "packet from" line: the parser reads the rest
    std::string_view stamp, rest;
};

Classified classify(std::string_view line, StampReader& stamps) {
    Classified c;
    std::string_view s = line;
    c.known = has_pluto_stamp(s);
    c.stamp = stamps.take(s);
    c.known = strip_pluto_prefix(s) || c.known;
    if (starts_with(s, "| ")) {  // plutodebug
        c.known = true;
        return c;
    }
    // whack prefixes ("002 ", "1v1 ") when a console log was saved
    if (s.size() > 4 && s[3] == ' ' && is_digit(s[0]) && (is_digit(s[2]) || s[2] == 'v')) s.remove_prefix(4);
    consume(s, "ERROR: ");
    // Only those lines are read: dismiss the rest before building an Event.
    c.read_on = starts_with(s, "\"") || starts_with(s, "packet from ");
    c.rest = s;
    return c;
}

class LibreswanFilter : public LineFilter {
public:
    bool dismisses(std::string_view line) override {
        Classified c = classify(line, stamps_);
        return c.known && !c.read_on;
    }

private:
    StampReader stamps_;
};

class LibreswanParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        Classified c = classify(line, stamps_);
        if (!c.read_on) return c.known;
        bool known = c.known;
        std::string_view s = c.rest, stamp = c.stamp;
        Event e;
        e.time = std::string(stamp);
        e.seconds = stamps_.seconds(stamp);
        std::string state;
        if (consume(s, "\"")) {
            auto close = s.find('"');
            if (close == std::string_view::npos) return known;
            e.connection = std::string(s.substr(0, close));
            s.remove_prefix(close + 1);
            // instance suffix: "site"[1] 192.0.2.1
            if (!s.empty() && s.front() == '[') {
                auto end = s.find(']');
                if (end != std::string_view::npos) s.remove_prefix(end + 1);
                consume(s, " ");
                std::string addr = addresses_.leading(s);
                if (!addr.empty()) {
                    e.peer = addr;
                    auto sp = s.find_first_of(" :");
                    if (sp != std::string_view::npos) s.remove_prefix(sp);
                }
            }
            if (consume(s, " #")) {
                std::size_t n = 0;
                while (n < s.size() && is_digit(s[n])) ++n;
                state = std::string(s.substr(0, n));
                s.remove_prefix(n);
            }
            if (!consume(s, ": ")) return true;
            known = true;
            return on_state_message(s, state, e, out);
        }
        if (consume(s, "packet from ")) {
            e.peer = addresses_.leading(s);
            auto colon = s.find(": ");
            if (colon == std::string_view::npos) return true;
            s.remove_prefix(colon + 2);
            return on_packet_message(s, e, out);
        }
        return known;
    }

private:
    StampReader stamps_;
    AddressReader addresses_;
    std::map<std::string, StateInfo> states_;           // state number -> info
    std::map<std::string, std::string> current_parent_;  // connection -> newest IKE SA state
    std::map<std::string, std::string> peer_of_conn_;   // connection -> peer address printed for it
    std::string last_state_;                             // for "packet from" lines that follow a state's lines
    std::string last_unauthorised_peer_;
    double last_unauthorised_time_ = -1;
    int unauthorised_serial_ = 0;

    void new_parent(const std::string& state, const std::string& connection) {
        states_[state] = StateInfo{};
        current_parent_[connection] = state;
        if (states_.size() > 4096) states_.erase(states_.begin());  // bounded: pluto numbers states upwards
    }

    // The IKE SA a state's events belong to (itself, or the parent of a child state).
    std::string attempt_of(const std::string& state, const std::string& connection) {
        auto it = states_.find(state);
        if (it != states_.end()) return it->second.parent.empty() ? state : it->second.parent;
        auto parent = current_parent_.find(connection);
        if (parent != current_parent_.end()) {
            auto p = states_.find(parent->second);
            if (p != states_.end() && p->second.established) {
                states_[state] = StateInfo{parent->second, false};
                return parent->second;
            }
        }
        new_parent(state, connection);
        return state;
    }

    // An IPv4 ID is, in practice, the peer's address; used only when the log printed no address for the connection.
    bool learn_id_address(std::string_view id_text, const std::string& conn, Event& e) {
        std::string id = addresses_.leading(id_text);
        if (id.empty() || peer_of_conn_.find(conn) != peer_of_conn_.end()) return false;
        peer_of_conn_[conn] = id;
        e.peer = id;
        return true;
    }

    static int main_mode_message(std::string_view st) {
        // STATE_MAIN_I1 waits for message 2 after sending 1; I2 sent 3; I3 sent 5; R1 sent 2; R2 sent 4.
        if (st == "STATE_MAIN_I1") return 1;
        if (st == "STATE_MAIN_I2") return 3;
        if (st == "STATE_MAIN_I3") return 5;
        if (st == "STATE_MAIN_R1") return 2;
        if (st == "STATE_MAIN_R2") return 4;
        if (st == "STATE_AGGR_I1") return 1;
        if (st == "STATE_AGGR_R1") return 2;
        return 0;
    }

    static void describe_state(std::string_view st, Event& e) {
        e.message_number = main_mode_message(st);
        if (starts_with(st, "STATE_MAIN")) e.exchange = Exchange::main_mode, e.ike_version = 1;
        if (starts_with(st, "STATE_AGGR")) e.exchange = Exchange::aggressive_mode, e.ike_version = 1;
        if (starts_with(st, "STATE_QUICK")) e.exchange = Exchange::quick_mode, e.ike_version = 1, e.phase2 = true;
        if (st == "STATE_V2_PARENT_I1") e.exchange = Exchange::ike_sa_init, e.ike_version = 2;
        if (st == "STATE_V2_PARENT_I2") e.exchange = Exchange::ike_auth, e.ike_version = 2;
        if (starts_with(st, "STATE_V2_ESTABLISHED") || starts_with(st, "STATE_V2_NEW_CHILD") ||
            starts_with(st, "STATE_V2_REKEY")) {
            e.exchange = Exchange::informational, e.ike_version = 2;
        }
        if (starts_with(st, "STATE_V2")) e.ike_version = 2;
    }

    bool on_state_message(std::string_view m, const std::string& state, Event& e, std::vector<Event>& out) {
        if (state.empty()) return true;  // connection-level lines: "added IKEv2 connection", proposals at load
        consume(m, "ERROR: ");
        std::string conn = e.connection;
        bool starts = false;
        if (consume(m, "initiating IKEv1 Main Mode connection")) {
            e.role = Role::initiator, e.exchange = Exchange::main_mode, e.ike_version = 1, starts = true;
        } else if (starts_with(m, "initiating IKEv1 Aggressive Mode connection")) {
            e.role = Role::initiator, e.exchange = Exchange::aggressive_mode, e.ike_version = 1, starts = true;
        } else if (starts_with(m, "initiating IKEv2 connection")) {
            e.role = Role::initiator, e.exchange = Exchange::ike_sa_init, e.ike_version = 2, starts = true;
        } else if (starts_with(m, "responding to Main Mode")) {
            e.role = Role::responder, e.exchange = Exchange::main_mode, e.ike_version = 1, starts = true;
        } else if (starts_with(m, "responding to Aggressive Mode")) {
            e.role = Role::responder, e.exchange = Exchange::aggressive_mode, e.ike_version = 1, starts = true;
        }
        if (starts) {
            new_parent(state, conn);
            e.sa = state;
            last_state_ = state;
            if (auto p = peer_of_conn_.find(conn); p != peer_of_conn_.end() && e.peer.empty()) e.peer = p->second;
            e.kind = EventKind::negotiation_start;
            out.push_back(std::move(e));
            return true;
        }
        // Child states say whose they are.
        if (starts_with(m, "initiating Quick Mode ")) {
            std::string parent(after(m, "using isakmp#", " }"));
            if (!parent.empty()) states_[state] = StateInfo{parent, false};
        }
        if (auto using_at = m.find("established Child SA using #"); using_at != std::string_view::npos) {
            std::string parent(after(m.substr(using_at), "#", ";"));
            if (!parent.empty()) states_[state] = StateInfo{parent, false};
        }
        std::string attempt = attempt_of(state, conn);
        e.sa = attempt;
        last_state_ = state;
        auto emit = [&](EventKind kind, const char* code = "") {
            e.kind = kind;
            e.code = code;
            if (e.peer.empty()) {
                if (auto p = peer_of_conn_.find(conn); p != peer_of_conn_.end()) e.peer = p->second;
            }
            out.push_back(std::move(e));
            return true;
        };
        bool child = states_[state].parent.size() > 0;
        if (child) e.phase2 = true;

        if (consume(m, "sent IKE_SA_INIT request to ")) {
            e.peer = addresses_.leading(m);
            if (!e.peer.empty()) peer_of_conn_[conn] = e.peer;
            e.exchange = Exchange::ike_sa_init, e.ike_version = 2, e.role = Role::initiator;
            return emit(EventKind::message_sent);
        }
        if (starts_with(m, "sent IKE_SA_INIT reply")) {
            e.exchange = Exchange::ike_sa_init, e.ike_version = 2, e.role = Role::responder;
            return emit(EventKind::message_sent);
        }
        if (starts_with(m, "sent IKE_AUTH request")) {
            e.exchange = Exchange::ike_auth, e.ike_version = 2;
            return emit(EventKind::message_sent);
        }
        if (starts_with(m, "processing decrypted IKE_AUTH request")) {
            e.exchange = Exchange::ike_auth, e.ike_version = 2, e.role = Role::responder;
            return emit(EventKind::message_received);
        }
        if (consume(m, "sent Main Mode ") || consume(m, "sent Aggressive Mode ")) {
            e.ike_version = 1;
            e.exchange = Exchange::main_mode;
            if (m == "request") e.message_number = 1, e.role = Role::initiator;
            if (m == "I2") e.message_number = 3;
            if (m == "I3") e.message_number = 5;
            if (m == "R1") e.message_number = 2, e.role = Role::responder;
            if (m == "R2") e.message_number = 4;
            return emit(EventKind::message_sent);
        }
        if (starts_with(m, "sent Quick Mode request")) {
            e.exchange = Exchange::quick_mode, e.ike_version = 1, e.phase2 = true;
            return emit(EventKind::message_sent);
        }
        if (starts_with(m, "IKE SA established") || starts_with(m, "ISAKMP SA established") ||
            starts_with(m, "STATE_MAIN_I4: ISAKMP SA established") || starts_with(m, "STATE_MAIN_R3")) {
            states_[attempt].established = true;
            e.ike_version = 1;
            e.detail = std::string(after(m, "{", "}"));
            return emit(EventKind::phase1_established);
        }
        if (starts_with(m, "initiator established IKE SA") || starts_with(m, "responder established IKE SA")) {
            states_[attempt].established = true;
            e.ike_version = 2;
            e.role = m[0] == 'i' ? Role::initiator : Role::responder;
            e.detail = std::string(after(m, "authenticated peer using ", ""));
            learn_id_address(after(m, "ID_IPV4_ADDR '", "'"), conn, e);
            return emit(EventKind::phase1_established);
        }
        if (consume(m, "Peer ID is ID_IPV4_ADDR: '")) {
            if (learn_id_address(m, conn, e)) return emit(EventKind::unknown);
            return true;
        }
        if (starts_with(m, "IPsec SA established") || contains(m, "established Child SA using #")) {
            e.phase2 = true;
            if (auto open = m.find('{'); open != std::string_view::npos) {
                std::string_view spis = m.substr(open + 1);
                auto end = std::min(spis.find(" xfrm"), spis.find('}'));
                e.spi = std::string(spis.substr(0, end));
            }
            auto ts = after(m, "IPsec tunnel ", "{");
            if (!ts.empty()) e.detail = "TS " + std::string(trim(ts));
            return emit(EventKind::child_established);
        }
        if (starts_with(m, "no acceptable Oakley Transform")) return emit(EventKind::error, codes::no_proposal_chosen);
        if (consume(m, "Oakley Transform ")) {
            e.proposal_side = ProposalSide::received;
            e.detail = std::string(m.substr(0, m.rfind(" refused")));
            return emit(EventKind::proposals);
        }
        if (consume(m, "no local proposal matches remote proposals ")) {
            e.detail = "remote proposals " + std::string(m);
            e.ike_version = 2;
            e.role = Role::responder;
            return emit(EventKind::error, codes::no_proposal_chosen);
        }
        if (starts_with(m, "responding to ") && contains(m, " with ") && contains(m, "notification ")) {
            // "responding to IKE_SA_INIT message (ID 0) from A:500 with unencrypted notification NO_PROPOSAL_CHOSEN"
            e.peer = addresses_.leading(after(m, " from ", " "));
            e.notify = std::string(after(m, "notification ", " "));
            e.role = Role::responder;
            if (contains(m, "IKE_SA_INIT") || contains(m, "IKE_AUTH")) e.ike_version = 2;
            const char* code = notify_code(e.notify);
            return emit(EventKind::notify_sent, code);
        }
        if (consume(m, "sending encrypted notification ") || consume(m, "sending notification ")) {
            e.notify = std::string(m.substr(0, m.find(' ')));
            e.peer = addresses_.leading(after(m, " to ", " "));
            const char* code = notify_code(e.notify);
            if (code == codes::ts_unacceptable) e.phase2 = true;
            return emit(EventKind::notify_sent, code);
        }
        if (consume(m, "ignoring informational payload ") || consume(m, "received and ignored notification payload: ")) {
            e.notify = std::string(m.substr(0, m.find_first_of(", ")));
            const char* code = notify_code(e.notify);
            if (code == codes::ts_unacceptable) e.phase2 = true;
            return emit(EventKind::notify_received, code);
        }
        if (starts_with(m, "dropping unexpected ") && contains(m, " containing ")) {
            e.notify = std::string(after(m, " containing ", " "));
            return emit(EventKind::notify_received, notify_code(e.notify));
        }
        if (contains(m, "authentication request rejected by peer: ")) {
            e.notify = std::string(after(m, "rejected by peer: ", " "));
            return emit(EventKind::notify_received, notify_code(e.notify));
        }
        if (contains(m, "rejected Child SA with ")) {
            e.notify = std::string(after(m, "rejected Child SA with ", " "));
            e.phase2 = true;
            return emit(EventKind::notify_received, notify_code(e.notify));
        }
        if (starts_with(m, "probable authentication failure") || starts_with(m, "authentication failed: ") ||
            contains(m, "mismatch of preshared secrets")) {
            e.detail = std::string(m);
            return emit(EventKind::error, codes::auth_failed);
        }
        if (starts_with(m, "Peer ID '") && contains(m, "mismatched")) {
            e.detail = std::string(m);
            return emit(EventKind::error, codes::id_mismatch);
        }
        if (starts_with(m, "cannot respond to IPsec SA request because no connection is known for ") ||
            starts_with(m, "No IKEv2 connection found with compatible Traffic Selectors")) {
            e.detail = std::string(m);
            e.phase2 = true;
            return emit(EventKind::error, codes::ts_unacceptable);
        }
        if (consume(m, "the peer proposed: ")) {
            e.detail = "peer proposed " + std::string(m);
            e.phase2 = true;
            return emit(EventKind::proposals);
        }
        if (starts_with(m, "STATE_")) {
            std::string_view st = m.substr(0, m.find(':'));
            describe_state(st, e);
            e.detail = std::string(m);
            bool liveness = starts_with(st, "STATE_V2_ESTABLISHED");
            if (contains(m, ": retransmission;")) return emit(liveness ? EventKind::dpd : EventKind::retransmit);
            if (contains(m, "timeout exceeded")) {
                if (liveness) return emit(EventKind::dpd_timeout, codes::dpd_timeout);
                return emit(EventKind::give_up);
            }
            return true;
        }
        if (starts_with(m, "DPD action - ") || starts_with(m, "liveness action - ") ||
            contains(m, "No response from peer - declaring peer dead")) {
            e.detail = std::string(m);
            return emit(EventKind::dpd_timeout, codes::dpd_timeout);
        }
        if (consume(m, "deleting state (")) {
            if (child) return true;
            e.detail = std::string(m.substr(0, m.find(')')));
            return emit(EventKind::deleted);
        }
        if (starts_with(m, "netlink response for Add SA") || starts_with(m, "setup_half_ipsec_sa() hit fail")) {
            e.detail = std::string(m);
            e.phase2 = true;
            return emit(EventKind::child_failed, codes::sa_install_failed);
        }
        if (starts_with(m, "asynchronous network error report")) {
            // "... on i-wan (192.0.2.10:500), complainant 198.51.100.20: Connection refused [errno 111, ...]"
            std::string who = addresses_.leading(after(m, "complainant ", ":"));
            if (!who.empty()) {
                e.peer = who;
                peer_of_conn_[conn] = who;
            }
            e.detail = std::string(m.substr(0, m.find(" [")));
            return emit(EventKind::error, codes::peer_unreachable);
        }
        if (contains(m, "chosen from remote proposals")) {
            e.proposal_side = ProposalSide::received;
            e.detail = std::string(m);
            return emit(EventKind::proposals);
        }
        return true;
    }

    bool on_packet_message(std::string_view m, Event& e, std::vector<Event>& out) {
        if (contains(m, "no connection has been authorized") || contains(m, "no suitable connection") ||
            contains(m, "no connection found")) {
            // The responder has no configuration for this source address: it drops the packet silently.
            bool same_run = e.peer == last_unauthorised_peer_ && e.seconds >= 0 && last_unauthorised_time_ >= 0 &&
                            e.seconds - last_unauthorised_time_ < 10;
            if (!same_run) ++unauthorised_serial_;
            last_unauthorised_peer_ = e.peer;
            last_unauthorised_time_ = e.seconds;
            e.sa = "unauthorised-" + std::to_string(unauthorised_serial_);
            e.role = Role::responder;
            e.ike_version = contains(m, "Main Mode") || contains(m, "Aggressive Mode") ? 1 : 0;
            e.detail = std::string(m);
            e.kind = EventKind::error;
            e.code = codes::unknown_peer;
            out.push_back(std::move(e));
            return true;
        }
        if (consume(m, "sending notification ")) {
            e.notify = std::string(m.substr(0, m.find(' ')));
            e.kind = EventKind::notify_sent;
            e.code = notify_code(e.notify);
            e.sa = last_state_.empty() ? std::string() : attempt_of(last_state_, "");
            out.push_back(std::move(e));
            return true;
        }
        return true;
    }

    static const char* notify_code(std::string_view notify) {
        if (notify == "NO_PROPOSAL_CHOSEN") return codes::no_proposal_chosen;
        if (notify == "AUTHENTICATION_FAILED" || notify == "INVALID_HASH_INFORMATION") return codes::auth_failed;
        if (notify == "TS_UNACCEPTABLE" || notify == "INVALID_ID_INFORMATION") return codes::ts_unacceptable;
        return "";
    }
};

std::unique_ptr<LineParser> create_libreswan() { return std::make_unique<LibreswanParser>(); }
std::unique_ptr<LineFilter> create_libreswan_filter() { return std::make_unique<LibreswanFilter>(); }

}  // namespace

const FormatInfo& format_libreswan() {
    static const FormatInfo info{"libreswan", "libreswan / Openswan pluto (logfile or syslog)", true,
                                 sniff_libreswan, create_libreswan, create_libreswan_filter};
    return info;
}

}  // namespace nettool::ikelog
