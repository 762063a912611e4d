// Juniper SRX / Junos kmd (iked): plain syslog (`Aug  3 10:18:44  srx1 kmd[14162]: KMD_VPN_UP_ALARM_USER: VPN vpn1
// from 203.0.113.2 is up. ...`, `kmd[...]: IKE negotiation failed with error: No proposal chosen. IKE Version: 1,
// VPN: vpn1 Gateway: gw1, Local: 192.0.2.1/500, Remote: 203.0.113.2/500, ...`) and the RFC 5424 structured form
// (`<30>1 2024-03-10T12:00:00.123Z srx kmd 1234 KMD_VPN_DOWN_ALARM_USER [junos@2636.1.1.1.2.129
// vpn-name="vpn1" remote-address="203.0.113.2" ...] VPN vpn1 from 203.0.113.2 is down.`).
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

int sniff_juniper(std::string_view line) {
    if (contains(line, "kmd[") || contains(line, " kmd ") || contains(line, " iked[")) return 2;
    if (contains(line, "KMD_")) return 2;
    if (contains(line, "IKE negotiation successfully completed") || contains(line, "IKE negotiation failed with error") ||
        contains(line, "IPSec negotiation failed with error")) {
        return 2;
    }
    return 0;
}

// Value of key="value" in RFC 5424 structured data; empty when absent.
std::string sd_param(std::string_view s, std::string_view key) {
    std::string needle = " " + std::string(key) + "=\"";
    auto at = s.find(needle);
    if (at == std::string_view::npos) return {};
    std::string_view v = s.substr(at + needle.size());
    return std::string(v.substr(0, v.find('"')));
}

// The failure code a kmd error reason names; empty when it names none we know.
const char* reason_code(std::string_view reason) {
    if (contains(reason, "No proposal chosen") || contains(reason, "proposal")) return codes::no_proposal_chosen;
    if (contains(reason, "Authentication failed") || contains(reason, "authentication")) return codes::auth_failed;
    if (contains(reason, "IKE-ID") || contains(reason, "IKE ID") || contains(reason, "identity")) {
        return codes::id_mismatch;
    }
    if (contains(reason, "traffic-selector") || contains(reason, "traffic selector") ||
        contains(reason, "TS_UNACCEPTABLE")) {
        return codes::ts_unacceptable;
    }
    return "";
}

class JuniperParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        std::string_view s = trim(line);
        Event e;
        // RFC 5424: "<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG"
        bool structured = false;
        if (starts_with(s, "<")) {
            auto close = s.find('>');
            if (close != std::string_view::npos && close < 5) {
                s.remove_prefix(close + 1);
                structured = consume(s, "1 ");
            }
        }
        Stamp stamp = take_timestamp(s);
        e.time = std::string(stamp.text);
        e.seconds = stamp.seconds;
        if (!sniff_juniper(s)) return false;
        std::string_view m = s;
        // Message text: after "kmd[pid]: " or, in RFC 5424, after the structured data.
        if (auto k = m.find("kmd["); k != std::string_view::npos) {
            auto colon = m.find("]: ", k);
            if (colon != std::string_view::npos) m = m.substr(colon + 3);
        } else if (auto k2 = m.find(" iked["); k2 != std::string_view::npos) {
            auto colon = m.find("]: ", k2);
            if (colon != std::string_view::npos) m = m.substr(colon + 3);
        }
        std::string sd_peer, sd_vpn, sd_local;
        if (structured || contains(m, "[junos@")) {
            sd_peer = leading_address(sd_param(m, "remote-address"));
            if (sd_peer.empty()) sd_peer = leading_address(sd_param(m, "peer-address"));
            sd_local = leading_address(sd_param(m, "local-address"));
            sd_vpn = sd_param(m, "vpn-name");
            // The message id stays (KMD_...); the free text follows the structured data.
            auto sd = m.find("[junos@");
            auto end = sd == std::string_view::npos ? sd : m.find("] ", sd);
            if (sd != std::string_view::npos) {
                std::string_view id = trim(m.substr(0, sd));
                auto space = id.rfind(' ');
                if (space != std::string_view::npos) id = id.substr(space + 1);
                std::string_view text = end == std::string_view::npos ? std::string_view() : m.substr(end + 2);
                msg_buffer_ = std::string(id) + ": " + std::string(text);
                m = msg_buffer_;
            }
        }
        e.detail = std::string(m.substr(0, 200));
        e.peer = sd_peer;
        e.local = sd_local;
        e.connection = sd_vpn;
        auto fill_from_summary = [&](std::string_view text) {
            // "... VPN: vpn1 Gateway: gw1, Local: 192.0.2.1/500, Remote: 203.0.113.2/500, ... Role: Initiator"
            if (e.peer.empty()) e.peer = leading_address(after(text, "Remote: ", "/ ,"));
            if (e.local.empty()) e.local = leading_address(after(text, "Local: ", "/ ,"));
            if (e.connection.empty()) e.connection = std::string(after(text, "VPN: ", " ,"));
            std::string_view version = after(text, "IKE Version: ", " ,");
            if (version == "1") e.ike_version = 1;
            if (version == "2") e.ike_version = 2;
            std::string_view role = after(text, "Role: ", " ,.");
            if (role == "Initiator") e.role = Role::initiator;
            if (role == "Responder") e.role = Role::responder;
        };
        auto emit = [&](EventKind kind, const char* code = "") {
            Event x = e;
            x.kind = kind;
            x.code = code;
            x.sa = x.peer;
            out.push_back(std::move(x));
        };
        if (contains(m, "IKE negotiation successfully completed")) {
            fill_from_summary(m);
            emit(EventKind::phase1_established);
            return true;
        }
        if (auto at = m.find("IKE negotiation failed with error: "); at != std::string_view::npos) {
            fill_from_summary(m);
            std::string_view reason = after(m.substr(at), "with error: ", ".");
            const char* code = reason_code(reason);
            if (contains(reason, "Timed out") || contains(reason, "timed out")) {
                // kmd gave up waiting for the peer: the analyser tells "nothing came back" from "stopped answering".
                emit(EventKind::negotiation_start);
                emit(EventKind::give_up);
                return true;
            }
            emit(EventKind::error, code);
            return true;
        }
        if (auto at = m.find("IPSec negotiation failed with error: "); at != std::string_view::npos) {
            // Phase 2 failed, so phase 1 (the IKE SA that carried it) was up.
            fill_from_summary(m);
            std::string_view reason = after(m.substr(at), "with error: ", ".");
            emit(EventKind::phase1_established);
            e.phase2 = true;
            emit(EventKind::error, reason_code(reason));
            return true;
        }
        if (consume(m, "KMD_PM_SA_ESTABLISHED: ")) {
            if (e.peer.empty()) e.peer = leading_address(after(m, "Remote gateway: ", ","));
            if (e.local.empty()) e.local = leading_address(after(m, "Local gateway: ", ","));
            e.spi = std::string(after(m, "SPI: ", ","));
            e.phase2 = true;
            emit(EventKind::child_established);
            return true;
        }
        if (consume(m, "KMD_VPN_UP_ALARM_USER: ")) {
            if (e.connection.empty()) e.connection = std::string(after(m, "VPN ", " "));
            if (e.peer.empty()) e.peer = leading_address(after(m, " from ", " "));
            if (e.local.empty()) e.local = leading_address(after(m, "Local-ip: ", ","));
            e.phase2 = true;
            emit(EventKind::child_established);
            return true;
        }
        if (consume(m, "KMD_VPN_DOWN_ALARM_USER: ")) {
            if (e.connection.empty()) e.connection = std::string(after(m, "VPN ", " "));
            if (e.peer.empty()) e.peer = leading_address(after(m, " from ", " "));
            emit(EventKind::deleted);
            return true;
        }
        if (starts_with(m, "KMD_DPD_PEER_DOWN")) {
            if (e.peer.empty()) e.peer = first_ipv4(m);
            emit(EventKind::dpd_timeout, codes::dpd_timeout);
            return true;
        }
        if (starts_with(m, "KMD_VPN_TS_MISMATCH") || contains(m, "IKE Phase-2: Failed to match") ||
            contains(m, "IKE Phase-2 Failure")) {
            if (e.peer.empty()) e.peer = first_ipv4(m);
            emit(EventKind::phase1_established);
            e.phase2 = true;
            emit(EventKind::error, contains(m, "proposal") ? codes::no_proposal_chosen : codes::ts_unacceptable);
            return true;
        }
        if (auto at = m.find("IKE Phase-1 Failure: "); at != std::string_view::npos) {
            if (e.peer.empty()) e.peer = leading_address(after(m, "dst_ip=", ",]"));
            emit(EventKind::error, reason_code(after(m.substr(at), "Failure: ", "[")));
            return true;
        }
        if (contains(m, "Policy lookup failed")) {
            e.role = Role::responder;
            emit(EventKind::error, codes::unknown_peer);
            return true;
        }
        return true;  // kmd's other lines (config download, ...) say nothing about a negotiation
    }

private:
    std::string msg_buffer_;
};

std::unique_ptr<LineParser> create_juniper() { return std::make_unique<JuniperParser>(); }

}  // namespace

const FormatInfo& format_juniper_srx() {
    static const FormatInfo info{"juniper-srx", "Juniper SRX / Junos kmd syslog (plain and RFC 5424 structured)", true,
                                 sniff_juniper, create_juniper};
    return info;
}

}  // namespace nettool::ikelog
