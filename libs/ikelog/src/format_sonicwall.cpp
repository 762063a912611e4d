// SonicWall (SonicOS): the GUI log export (tab-separated, usually newest first: `1\t11/15/2017 10:34:02.176\tInfo\t
// VPN IKE\tIKE Responder: Remote party timeout - Retransmitting IKE request.\t198.51.100.98, 4500\t192.0.2.192,
// 4500\tVPN Policy: WAN GroupVPN`), the syslog form (`... msg="IKE Initiator: Start Main Mode negotiation (Phase 1)"
// ... src=A:500 dst=B:500`) and log text pasted with its addresses (`Message A, 500 B, 500`).
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <string>
#include <vector>

namespace nettool::ikelog {

namespace {

using namespace text;

int sniff_sonicwall(std::string_view line) {
    if (contains(line, "IKE Responder: ") || contains(line, "IKE Initiator: ") || contains(line, "IKEv2 Responder: ") ||
        contains(line, "IKEv2 Initiator: ")) {
        return 2;
    }
    if (contains(line, "VPN IKE\t") || (contains(line, "id=firewall") && contains(line, "IKE"))) return 2;
    if (contains(line, "Mode complete (Phase 1)") || contains(line, "(Phase 2)") ||
        contains(line, "IKE negotiation aborted")) {
        return 2;
    }
    if (contains(line, "Received notify: ") || contains(line, "ISAKMP OAK ") || contains(line, "notify error payload") ||
        contains(line, "Header verification failed") || contains(line, "Drop duplicate packet")) {
        return 1;
    }
    return 0;
}

// "11/15/2017 10:34:02.176" (GUI export; month first) as seconds (year ignored), -1 when not that form.
double export_seconds(std::string_view t) {
    auto num = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (i >= t.size() || !is_digit(t[i])) return -1;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    if (t.size() < 19 || t[2] != '/' || t[5] != '/' || t[10] != ' ') return -1;
    int month = num(0, 2), day = num(3, 2), h = num(11, 2), mi = num(14, 2), sec = num(17, 2);
    if (month < 1 || day < 1 || h < 0 || mi < 0 || sec < 0) return -1;
    double s = ((month * 31 + day) * 24.0 + h) * 3600 + mi * 60 + sec;
    if (t.size() > 20 && t[19] == '.') {
        double scale = 0.1;
        for (std::size_t i = 20; i < t.size() && is_digit(t[i]); ++i, scale /= 10) s += (t[i] - '0') * scale;
    }
    return s;
}

std::vector<std::string_view> split_tabs(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (true) {
        auto tab = s.find('\t', at);
        out.push_back(trim(s.substr(at, tab == std::string_view::npos ? std::string_view::npos : tab - at)));
        if (tab == std::string_view::npos) break;
        at = tab + 1;
    }
    return out;
}

class SonicwallParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        if (!sniff_sonicwall(line)) return false;
        Event e;
        std::string_view m;
        std::string src, dst;
        if (line.find('\t') != std::string_view::npos) {
            // No, Time, Priority, Category, Message, Source, Destination, Notes (the leading number may be absent).
            auto cols = split_tabs(line);
            std::size_t first = 0;
            if (!cols.empty() && !cols[0].empty() && is_digit(cols[0][0]) && export_seconds(cols[0]) < 0) first = 1;
            if (cols.size() > first) {
                e.time = std::string(cols[first]);
                e.seconds = export_seconds(cols[first]);
            }
            for (std::size_t i = first + 1; i < cols.size(); ++i) {
                if (contains(cols[i], "IKE") || contains(cols[i], "Phase") || contains(cols[i], "notify")) {
                    if (cols[i] == "VPN IKE") continue;
                    m = cols[i];
                    if (i + 1 < cols.size()) src = leading_address(cols[i + 1]);
                    if (i + 2 < cols.size()) dst = leading_address(cols[i + 2]);
                    break;
                }
            }
        } else if (contains(line, "msg=\"")) {
            m = after(line, "msg=\"", "\"");
            src = leading_address(after(line, " src=", " "));
            dst = leading_address(after(line, " dst=", " "));
            std::string_view t = after(line, "time=\"", "\"");
            Stamp st = take_timestamp(t);
            e.time = std::string(st.text);
            e.seconds = st.seconds;
        } else {
            std::string_view s = trim(line);
            Stamp st = take_timestamp(s);
            e.time = std::string(st.text);
            e.seconds = st.seconds;
            // "Message A, 500 B, 500": the addresses are the last words.
            std::vector<std::string> found;
            std::size_t at = 0;
            while (at < s.size()) {
                auto space = s.find(' ', at);
                std::string_view word = s.substr(at, space == std::string_view::npos ? std::string_view::npos : space - at);
                std::string a = leading_address(word);
                if (!a.empty()) found.push_back(a);
                if (space == std::string_view::npos) break;
                at = space + 1;
            }
            if (!found.empty()) src = found[found.size() >= 2 ? found.size() - 2 : 0];
            if (found.size() >= 2) dst = found.back();
            m = s;
        }
        if (m.empty()) return true;
        e.detail = std::string(m.substr(0, 200));
        bool received = contains(m, "Received") || contains(m, "RECEIVED");
        // Source and destination are the packet's: what the box sends starts at its own address.
        bool outgoing = contains(m, "Retransmitting") || contains(m, "Send ") || contains(m, "Start ") ||
                        contains(m, "No response") || contains(m, "SENDING") || contains(m, "aborted");
        std::string own = outgoing ? src : dst;
        if (local_.empty() && !own.empty()) local_ = own;
        if (!local_.empty() && (src == local_ || dst == local_)) {
            e.peer = src == local_ ? dst : src;
        } else {
            e.peer = outgoing ? dst : src;
        }
        e.local = local_;
        if (e.peer.empty()) e.peer = last_peer_;
        if (!e.peer.empty()) last_peer_ = e.peer;
        e.sa = e.peer;
        e.ike_version = contains(m, "IKEv2") ? 2 : 1;
        if (contains(m, "Responder")) e.role = Role::responder;
        if (contains(m, "Initiator")) e.role = Role::initiator;
        auto emit = [&](EventKind kind, const char* code = "") {
            Event x = e;
            x.kind = kind;
            x.code = code;
            out.push_back(std::move(x));
        };
        if (contains(m, "Mode request (Phase 1)") && received) {
            e.exchange = contains(m, "Aggressive") ? Exchange::aggressive_mode : Exchange::main_mode;
            emit(EventKind::negotiation_start);
            return true;
        }
        if (contains(m, "negotiation (Phase 1)") && contains(m, "Start")) {
            e.exchange = contains(m, "Aggressive") ? Exchange::aggressive_mode : Exchange::main_mode;
            emit(EventKind::negotiation_start);
            return true;
        }
        if (contains(m, "Send IKE_SA_INIT request") || contains(m, "Received IKE_SA_INIT request")) {
            e.exchange = Exchange::ike_sa_init;
            emit(EventKind::negotiation_start);
            return true;
        }
        if (contains(m, "Mode complete (Phase 1)") || contains(m, "IKE SA established") ||
            contains(m, "Received IKE_AUTH response")) {
            emit(EventKind::phase1_established);
            return true;
        }
        if ((contains(m, "IPsec proposal") && contains(m, "(Phase 2)") && contains(m, "ccept")) ||
            contains(m, "Quick Mode complete") || contains(m, "IPsec SA established")) {
            e.phase2 = true;
            emit(EventKind::child_established);
            return true;
        }
        if (auto n = m.find("notify"); n != std::string_view::npos) {
            std::string_view name = m.substr(n);
            const char* code = "";
            if (contains(name, "NO_PROPOSAL_CHOSEN")) code = codes::no_proposal_chosen;
            if (contains(name, "AUTHENTICATION_FAILED") || contains(name, "PAYLOAD_MALFORMED")) code = codes::auth_failed;
            if (contains(name, "INVALID_ID_INFO") || contains(name, "TS_UNACCEPTABLE")) {
                code = codes::ts_unacceptable;
                e.phase2 = true;
            }
            if (*code != 0) {
                e.notify = std::string(after(name, ": ", " ."));
                emit(received ? EventKind::notify_received : EventKind::notify_sent, code);
            }
            return true;
        }
        if (contains(m, "proposal does not match") || (contains(m, "No matching") && contains(m, "proposal"))) {
            emit(EventKind::error, codes::no_proposal_chosen);
            return true;
        }
        if (contains(m, "pre-shared") || contains(m, "Pre-shared") || contains(m, "Preshared")) {
            emit(EventKind::error, codes::auth_failed);
            return true;
        }
        if (contains(m, "Retransmitting")) {
            emit(EventKind::retransmit);
            return true;
        }
        if (contains(m, "No response - remote party timeout") || contains(m, "aborted due to timeout")) {
            emit(EventKind::give_up);
            return true;
        }
        if (contains(m, "Dead Peer Detection") || contains(m, "DPD") || contains(m, "peer is not responding")) {
            if (contains(m, "fail") || contains(m, "dead") || contains(m, "not responding")) {
                emit(EventKind::dpd_timeout, codes::dpd_timeout);
            }
            return true;
        }
        return true;
    }

private:
    std::string local_, last_peer_;
};

std::unique_ptr<LineParser> create_sonicwall() { return std::make_unique<SonicwallParser>(); }

}  // namespace

const FormatInfo& format_sonicwall() {
    static const FormatInfo info{"sonicwall", "SonicWall SonicOS VPN log (GUI export, syslog)", true, sniff_sonicwall,
                                 create_sonicwall};
    return info;
}

}  // namespace nettool::ikelog
