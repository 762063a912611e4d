// Yamaha RTX routers (`show log`, or syslog): `2015/04/17 14:41:29: [IKE] message`, `IP Tunnel[1] Up`.
// Failure texts beyond start/up/down are not publicly documented; they are matched loosely.
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

// "[IKE] " at the start of the message: after "date time: " or at the line start (strongSwan's "NN[IKE] " is not).
bool has_ike_tag(std::string_view line) {
    auto at = line.find("[IKE] ");
    return at != std::string_view::npos && (at == 0 || line[at - 1] == ' ');
}

int sniff_yamaha(std::string_view line) {
    if (has_ike_tag(line)) return 2;
    if (contains(line, "IP Tunnel[") && (contains(line, "] Up") || contains(line, "] Down"))) return 2;
    if (contains(line, "IKE keepalive")) return 2;
    return 0;
}

class YamahaParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        std::string_view s = trim(line);
        Stamp stamp = take_timestamp(s);
        Event e;
        e.time = std::string(stamp.text);
        e.seconds = stamp.seconds;
        e.ike_version = 1;
        auto emit = [&](EventKind kind, const char* code = "") {
            e.kind = kind;
            e.code = code;
            if (e.peer.empty()) e.peer = last_peer_;
            if (!e.peer.empty()) last_peer_ = e.peer;
            e.sa = e.peer;
            out.push_back(std::move(e));
            return true;
        };
        if (auto tunnel = s.find("IP Tunnel["); tunnel != std::string_view::npos) {
            std::string_view t = s.substr(tunnel + 10);
            e.connection = "tunnel " + std::string(t.substr(0, t.find(']')));
            auto known = tunnel_peer_.find(e.connection);
            if (known != std::string::npos) e.peer = tunnel_peer_.substr(known + e.connection.size() + 1,
                                                                          tunnel_peer_.find(';', known) - known -
                                                                              e.connection.size() - 1);
            e.phase2 = true;
            if (contains(t, "] Up")) {
                if (!last_peer_.empty() && known == std::string::npos && tunnel_peer_.size() < 4096) {
                    tunnel_peer_ += e.connection + "=" + last_peer_ + ";";
                }
                return emit(EventKind::child_established);
            }
            if (contains(t, "] Down")) return emit(EventKind::deleted);
            return true;
        }
        if (auto keep = s.find("IKE keepalive"); keep != std::string_view::npos) {
            e.peer = first_ipv4(s.substr(keep));
            e.detail = std::string(s.substr(keep));
            if (contains(s, "down") || contains(s, "is down")) return emit(EventKind::dpd_timeout, codes::dpd_timeout);
            return true;
        }
        if (!has_ike_tag(s)) return false;
        auto ike = s.find("[IKE] ");
        std::string_view m = s.substr(ike + 6);
        e.detail = std::string(m);
        if (consume(m, "initiate ISAKMP phase to ")) {
            e.peer = leading_address(m);
            e.local = leading_address(after(m, "(local address ", ")"));
            e.role = Role::initiator;
            e.exchange = Exchange::main_mode;
            return emit(EventKind::negotiation_start);
        }
        if (consume(m, "respond ISAKMP phase to ")) {
            e.peer = leading_address(m);
            e.role = Role::responder;
            e.exchange = Exchange::main_mode;
            return emit(EventKind::negotiation_start);
        }
        if (consume(m, "initiate IPsec phase to ") || consume(m, "respond IPsec phase to ")) {
            // Phase 2 starts only once phase 1 (ISAKMP SA) is up.
            e.peer = leading_address(m);
            Event up = e;
            up.phase2 = false;
            up.kind = EventKind::phase1_established;
            up.sa = up.peer.empty() ? last_peer_ : up.peer;
            if (up.peer.empty()) up.peer = last_peer_;
            out.push_back(std::move(up));
            e.exchange = Exchange::quick_mode;
            e.phase2 = true;
            return emit(EventKind::message_sent);
        }
        e.peer = first_ipv4(m);
        if (contains(m, "no proposal chosen") || contains(m, "not acceptable proposal") ||
            contains(m, "NO_PROPOSAL_CHOSEN")) {
            return emit(EventKind::error, codes::no_proposal_chosen);
        }
        if (contains(m, "invalid hash") || contains(m, "invalid HASH") || contains(m, "pre-shared key") ||
            contains(m, "AUTHENTICATION_FAILED")) {
            return emit(EventKind::error, codes::auth_failed);
        }
        if (contains(m, "invalid ID") || contains(m, "INVALID_ID_INFORMATION")) {
            e.phase2 = true;
            return emit(EventKind::error, codes::ts_unacceptable);
        }
        if (contains(m, "keepalive") && contains(m, "down")) return emit(EventKind::dpd_timeout, codes::dpd_timeout);
        if (contains(m, "unknown peer") || contains(m, "no peer") || contains(m, "no configuration")) {
            e.role = Role::responder;
            return emit(EventKind::error, codes::unknown_peer);
        }
        if (contains(m, "retransmit") || contains(m, "resend")) return emit(EventKind::retransmit);
        if (contains(m, "SA established") || contains(m, "phase 1 established")) {
            return emit(EventKind::phase1_established);
        }
        return true;
    }

private:
    std::string last_peer_;
    std::string tunnel_peer_;  // "tunnel N=ADDR;" pairs seen so far (bounded)
};

std::unique_ptr<LineParser> create_yamaha() { return std::make_unique<YamahaParser>(); }

}  // namespace

const FormatInfo& format_yamaha_rtx() {
    static const FormatInfo info{"yamaha-rtx", "Yamaha RTX router log ([IKE] lines, IP Tunnel Up/Down)", true,
                                 sniff_yamaha, create_yamaha};
    return info;
}

}  // namespace nettool::ikelog
