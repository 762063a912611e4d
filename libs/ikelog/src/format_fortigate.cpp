// FortiGate (FortiOS): `diagnose debug application ike -1` lines (`ike 0:TUNNEL:1234: message`) and the
// key=value event log (`date=... logid="0101037138" ... action="tunnel-up" remip=... vpntunnel="..."`).
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <map>
#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

int sniff_fortigate(std::string_view line) {
    if (contains(line, "ike 0:") || contains(line, "ike 1:") || contains(line, "ike root:") ||
        contains(line, "ike V=") || contains(line, "ike Negotiate SA Error")) {
        return 2;
    }
    if (contains(line, "logid=") && contains(line, "subtype=") && contains(line, "vpn")) return 2;
    if (contains(line, "logid=") && contains(line, "vpntunnel=")) return 2;
    // FortiOS 4.x: log_id=0101023003 type=event subtype=ipsec ... rem_ip=... vpn_tunnel=...
    if (contains(line, "log_id=") && (contains(line, "subtype=ipsec") || contains(line, "vpn_tunnel="))) return 2;
    return 0;
}

// The failure a debug line's reason names ("no SA proposal chosen", "PSK auth failed: probable pre-shared key
// mismatch", "gw validation failed", ...); empty when none.
const char* debug_reason_code(std::string_view m) {
    if (contains(m, "no SA proposal chosen") || contains(m, "no suitable proposal") ||
        contains(m, "NO_PROPOSAL_CHOSEN") || contains(m, "proposal not match local policy")) {
        return codes::no_proposal_chosen;
    }
    if (contains(m, "probable pre-shared secret mismatch") || contains(m, "probable pre-shared key mismatch") ||
        contains(m, "PSK auth failed") || contains(m, "AUTHENTICATION_FAILED") || contains(m, "authentication failed")) {
        return codes::auth_failed;
    }
    if ((contains(m, "peer ID") && contains(m, "does not match")) || contains(m, "gw validation failed") ||
        contains(m, "gateway validation failed")) {
        return codes::id_mismatch;  // the peer's ID is not the one this gateway accepts
    }
    if (contains(m, "no matching phase2") || contains(m, "TS_UNACCEPTABLE")) return codes::ts_unacceptable;
    return "";
}

// Value of key=value or key="value" in an event log line; empty when absent.
std::string kv(std::string_view s, std::string_view key) {
    std::size_t at = 0;
    while ((at = s.find(key, at)) != std::string_view::npos) {
        bool boundary = at == 0 || s[at - 1] == ' ' || s[at - 1] == '>';  // '>': right after a syslog <PRI>
        std::size_t eq = at + key.size();
        if (boundary && eq < s.size() && s[eq] == '=') {
            std::string_view v = s.substr(eq + 1);
            if (!v.empty() && v.front() == '"') {
                v.remove_prefix(1);
                return std::string(v.substr(0, v.find('"')));
            }
            return std::string(v.substr(0, v.find(' ')));
        }
        at = eq;
    }
    return {};
}

class FortigateParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        std::string_view s = trim(line);
        if (contains(s, "logid=") || contains(s, "log_id=")) return parse_event_log(s, out);
        auto at = s.find("ike ");
        if (at == std::string_view::npos) return false;
        std::string_view head = s.substr(0, at);
        Stamp stamp = take_timestamp(head);
        std::string_view m = s.substr(at + 4);
        if (consume(m, "V=")) m = m.substr(std::min(m.size(), m.find(':') + 1));  // FortiOS 7: "V=root:0:..."
        if (auto error = m.find("Negotiate SA Error:"); error != std::string_view::npos) {
            // "TUN Negotiate SA Error: <reason>" / "0: Negotiate SA Error: <reason>" / "Negotiate SA Error:"
            Event e;
            e.time = std::string(stamp.text);
            e.seconds = stamp.seconds;
            std::string_view who = trim(m.substr(0, error));
            if (ends_with(who, ":")) who.remove_suffix(1);
            if (auto c = who.rfind(':'); c != std::string_view::npos) who = who.substr(c + 1);
            if (!who.empty() && !is_digit(who.front())) e.connection = std::string(who);
            e.peer = peer_of(e.connection);
            e.sa = conn_sa(e.connection);
            std::string_view reason = trim(m.substr(error + 19));
            e.detail = "Negotiate SA Error: " + std::string(reason);
            const char* code = debug_reason_code(reason);
            if (*code == 0) return true;  // no reason, or one that names no cause we know ("no policy configured")
            e.kind = EventKind::error;
            e.code = code;
            out.push_back(std::move(e));
            return true;
        }
        // "0:TUN:1234: message" / "0:TUN:1234:5678: message" / "0: message"
        auto colon = m.find(": ");
        if (colon == std::string_view::npos) return false;
        std::string_view ids = m.substr(0, colon);
        m = m.substr(colon + 2);
        Event e;
        e.time = std::string(stamp.text);
        e.seconds = stamp.seconds;
        auto first = ids.find(':');
        if (first != std::string_view::npos) {
            std::string_view rest = ids.substr(first + 1);
            auto second = rest.find(':');
            e.connection = std::string(rest.substr(0, second));
            if (second != std::string_view::npos) {
                std::string_view serial = rest.substr(second + 1);
                e.sa = std::string(serial.substr(0, serial.find(':')));
            }
        }
        if (!e.connection.empty() && e.sa.empty()) e.sa = conn_sa(e.connection);
        if (!e.connection.empty() && !e.sa.empty()) remember(e.connection, e.sa);
        auto emit = [&](EventKind kind, const char* code = "") {
            e.kind = kind;
            e.code = code;
            if (e.peer.empty()) e.peer = peer_of(e.connection);
            out.push_back(std::move(e));
            return true;
        };
        e.detail = std::string(m);
        if (consume(m, "comes ")) {
            // "comes 203.0.113.45:500->198.51.100.10:500,ifindex=3...."
            e.peer = leading_address(m);
            e.local = leading_address(after(m, "->", ","));
            last_comes_ = e.peer;
            return true;
        }
        if (contains(m, "initiator: main mode is sending 1st message") ||
            contains(m, "initiator: aggressive mode is sending 1st message") ||
            contains(m, "initiating IKE_SA_INIT") || starts_with(m, "initiator: sending IKE_SA_INIT")) {
            e.role = Role::initiator;
            e.ike_version = contains(m, "IKE_SA_INIT") ? 2 : 1;
            e.exchange = e.ike_version == 2 ? Exchange::ike_sa_init : Exchange::main_mode;
            return emit(EventKind::negotiation_start);
        }
        if (contains(m, "responder: main mode get 1st message") || contains(m, "responder: aggressive mode get 1st") ||
            contains(m, "responder received SA_INIT")) {
            e.role = Role::responder;
            e.peer = last_comes_;
            if (!e.connection.empty() && !e.peer.empty()) peer_[e.connection] = e.peer;
            e.ike_version = contains(m, "SA_INIT") ? 2 : 1;
            e.exchange = e.ike_version == 2 ? Exchange::ike_sa_init : Exchange::main_mode;
            return emit(EventKind::negotiation_start);
        }
        if (consume(m, "sent IKE msg (")) {
            e.peer = leading_address(after(m, "->", ":"));
            if (!e.connection.empty() && !e.peer.empty()) peer_[e.connection] = e.peer;
            return emit(EventKind::message_sent);
        }
        if (starts_with(m, "incoming proposal")) {
            e.proposal_side = ProposalSide::received;
            return emit(EventKind::proposals);
        }
        if (const char* code = debug_reason_code(m); *code != 0 && code != codes::ts_unacceptable) {
            return emit(EventKind::error, code);
        }
        if (contains(m, "no matching phase2") || contains(m, "TS_UNACCEPTABLE")) {
            e.phase2 = true;
            return emit(EventKind::error, codes::ts_unacceptable);
        }
        if (contains(m, "no matching gateway") || contains(m, "no gateway found")) {
            e.peer = last_comes_;
            e.role = Role::responder;
            return emit(EventKind::error, codes::unknown_peer);
        }
        if (contains(m, "negotiation timeout")) return emit(EventKind::give_up);
        if (contains(m, "retransmit")) return emit(EventKind::retransmit);
        if (contains(m, "DPD") && contains(m, "fail")) return emit(EventKind::dpd_timeout, codes::dpd_timeout);
        if (contains(m, "sending DPD") || contains(m, "send DPD")) return emit(EventKind::dpd);
        if ((contains(m, "ISAKMP SA") || contains(m, "IKE SA")) && contains(m, "established")) {
            return emit(EventKind::phase1_established);
        }
        if (contains(m, "added IPsec SA")) {
            e.phase2 = true;
            e.spi = std::string(after(m, "SPIs=", " "));
            return emit(EventKind::child_established);
        }
        if (contains(m, "negotiation failure")) return true;  // follows the specific reason
        return true;
    }

private:
    RecentPairs conn_sa_{256};  // tunnel name -> serial of its current negotiation
    std::map<std::string, std::string> peer_;
    std::string last_comes_;

    void remember(const std::string& conn, const std::string& sa) { conn_sa_.set(conn, sa); }
    std::string conn_sa(const std::string& conn) const { return conn_sa_.get(conn); }
    std::string peer_of(const std::string& conn) const {
        auto it = peer_.find(conn);
        return it == peer_.end() ? std::string() : it->second;
    }

    bool parse_event_log(std::string_view s, std::vector<Event>& out) {
        std::string logid = kv(s, "logid");
        if (logid.empty()) logid = kv(s, "log_id");  // FortiOS 4.x spelling, with rem_ip / loc_ip / vpn_tunnel
        if (logid.empty()) return false;
        std::string subtype = kv(s, "subtype");
        if (!subtype.empty() && subtype != "vpn" && subtype != "ipsec") return true;  // other FortiOS events
        Event e;
        std::string date = kv(s, "date"), time = kv(s, "time");
        if (!date.empty() && !time.empty()) {
            std::string stamp = date + " " + time;
            std::string_view view = stamp;
            Stamp st = take_timestamp(view);
            e.time = std::string(st.text);
            e.seconds = st.seconds;
        }
        e.peer = leading_address(kv(s, "remip"));
        if (e.peer.empty()) e.peer = leading_address(kv(s, "rem_ip"));
        e.local = leading_address(kv(s, "locip"));
        if (e.local.empty()) e.local = leading_address(kv(s, "loc_ip"));
        e.connection = kv(s, "vpntunnel");
        if (e.connection.empty()) e.connection = kv(s, "vpn_tunnel");
        if (e.connection == "N/A") e.connection.clear();
        e.sa = e.peer.empty() ? e.connection : e.peer;
        std::string action = kv(s, "action"), status = kv(s, "status"), msg = kv(s, "msg"), desc = kv(s, "logdesc");
        std::string init = kv(s, "init");
        e.role = init == "local" ? Role::initiator : init == "remote" ? Role::responder : Role::unknown;
        e.ike_version = kv(s, "version") == "IKEv2" ? 2 : 1;
        e.detail = msg.empty() ? desc : msg;
        auto emit = [&](EventKind kind, const char* code = "") {
            e.kind = kind;
            e.code = code;
            out.push_back(std::move(e));
            return true;
        };
        // 0101037124 "IPsec phase 1 error" names the cause only in `reason`.
        std::string reason = kv(s, "reason");
        if (reason == "N/A") reason.clear();
        std::string text = msg + " " + desc + " " + reason;
        if (!reason.empty()) e.detail += (e.detail.empty() ? "" : ": ") + reason;
        if (action == "negotiate" || (action.empty() && contains(text, "Negotiate SA Error"))) {
            if (status == "success") {
                if (contains(text, "phase 2")) {
                    e.phase2 = true;
                    return emit(EventKind::child_established);
                }
                return emit(EventKind::phase1_established);
            }
            if (contains(text, "pre-shared secret mismatch") || contains(text, "pre-shared key mismatch")) {
                return emit(EventKind::error, codes::auth_failed);
            }
            if (contains(text, "proposal")) {
                if (contains(text, "phase 2") || contains(text, "phase2")) e.phase2 = true;
                return emit(EventKind::error, codes::no_proposal_chosen);
            }
            if (contains(text, "peer ID") || contains(text, "peerid")) return emit(EventKind::error, codes::id_mismatch);
            if (contains(text, "no matching phase2") || contains(text, "selector")) {
                e.phase2 = true;
                return emit(EventKind::error, codes::ts_unacceptable);
            }
            if (contains(text, "timeout") || contains(text, "timed out")) return emit(EventKind::give_up);
            if (status.empty() || status == "negotiate") {
                e.exchange = Exchange::main_mode;
                return emit(EventKind::negotiation_start);
            }
            return emit(EventKind::error);
        }
        if (action == "tunnel-up") {
            e.phase2 = true;
            return emit(EventKind::child_established);
        }
        if (contains(desc, "DPD failed") || action == "dpd" || status == "dpd_failure") {
            return emit(EventKind::dpd_timeout, codes::dpd_timeout);
        }
        if (action == "tunnel-down" || action == "delete_phase1_sa" || action == "delete_phase2_sa") {
            return emit(EventKind::deleted);
        }
        return true;
    }
};

std::unique_ptr<LineParser> create_fortigate() { return std::make_unique<FortigateParser>(); }

}  // namespace

const FormatInfo& format_fortigate() {
    static const FormatInfo info{"fortigate", "FortiGate / FortiOS: ike debug lines and VPN event log (key=value)",
                                 true, sniff_fortigate, create_fortigate};
    return info;
}

}  // namespace nettool::ikelog
