// Palo Alto PAN-OS: the VPN system-log descriptions (syslog CSV, GUI export or a pasted description) and the
// matching ikemgr.log lines: `IKEv2 IKE SA negotiation is failed as responder, non-rekey. Failed SA:
// 198.51.100.1[500]-203.0.113.2[500] SPI:...`, `IKE phase-1 negotiation is succeeded as initiator, main mode.
// Established SA: A[500]-B[500] cookie:...`, `received ID_I (type ipaddr [10.0.0.1]) does not match peers id`.
// In "SA: A[port]-B[port]" the firewall's own address comes first.
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

int sniff_panos(std::string_view line) {
    if (contains(line, "negotiation is started") || contains(line, "negotiation is succeeded") ||
        contains(line, "negotiation is failed")) {
        return 2;
    }
    if (contains(line, "does not match peers id") || contains(line, "ikemgr")) return 2;
    if (contains(line, "IKEv2 child SA") || contains(line, "liveness check")) return 1;
    return 0;
}

const char* failure_code(std::string_view m) {
    if (contains(m, "proposal") || contains(m, "NO_PROPOSAL_CHOSEN")) return codes::no_proposal_chosen;
    if (contains(m, "AUTHENTICATION_FAILED") || contains(m, "authentication fail") || contains(m, "auth fail") ||
        contains(m, "pre-shared")) {
        return codes::auth_failed;
    }
    if (contains(m, "TS_UNACCEPTABLE") || contains(m, "traffic selector") || contains(m, "proxy ID") ||
        contains(m, "proxy-id")) {
        return codes::ts_unacceptable;
    }
    if (contains(m, "ID_I") || contains(m, "peer id") || contains(m, "peers id")) return codes::id_mismatch;
    return "";
}

class PanosParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        if (!sniff_panos(line)) return false;
        std::string_view s = trim(line);
        Event e;
        // Syslog CSV ("1,2024/03/10 12:00:00,serial,SYSTEM,vpn,...") or a line that starts with its time stamp.
        std::string_view head = s;
        if (auto comma = head.find(','); comma != std::string_view::npos && comma < 4) head = head.substr(comma + 1);
        Stamp stamp = take_timestamp(head);
        e.time = std::string(stamp.text);
        e.seconds = stamp.seconds;
        std::string_view m = s;
        e.detail = std::string(m.substr(0, 240));
        // "... SA: 198.51.100.1[500]-203.0.113.2[500] ..."
        if (auto sa = m.find("SA: "); sa != std::string_view::npos) {
            std::string_view pair = m.substr(sa + 4);
            e.local = leading_address(pair);
            auto dash = pair.find("]-");
            if (dash != std::string_view::npos) e.peer = leading_address(pair.substr(dash + 2));
        }
        if (e.peer.empty()) e.peer = last_peer_;
        if (!e.peer.empty()) last_peer_ = e.peer;
        e.sa = e.peer;
        if (contains(m, "IKEv2")) e.ike_version = 2;
        if (contains(m, "phase-1") || contains(m, "phase-2")) e.ike_version = 1;
        if (contains(m, "as initiator")) e.role = Role::initiator;
        if (contains(m, "as responder")) e.role = Role::responder;
        bool child = contains(m, "child SA") || contains(m, "phase-2");
        auto emit = [&](EventKind kind, const char* code = "") {
            Event x = e;
            x.kind = kind;
            x.code = code;
            out.push_back(std::move(x));
        };
        if (contains(m, "negotiation is started")) {
            if (child) return true;  // phase 2 starting says nothing new
            e.exchange = e.ike_version == 2 ? Exchange::ike_sa_init : Exchange::main_mode;
            emit(EventKind::negotiation_start);
            started_ = e.peer;
            return true;
        }
        if (contains(m, "negotiation is succeeded")) {
            if (child) {
                e.phase2 = true;
                emit(EventKind::child_established);
            } else {
                emit(EventKind::phase1_established);
            }
            return true;
        }
        if (contains(m, "negotiation is failed")) {
            const char* code = failure_code(after(m, "negotiation is failed", ""));
            bool timeout = contains(m, "timeout") || contains(m, "timed out");
            if (child) {
                e.phase2 = true;
                emit(EventKind::error, code);
                return true;
            }
            if (*code != 0) {
                emit(EventKind::error, code);
            } else {
                // The reason, when printed, is on its own line (ID check, notify); this line opens the attempt
                // unless a "started" line did.
                if (started_ != e.peer || e.peer.empty()) emit(EventKind::negotiation_start);
                started_.clear();
                if (timeout) emit(EventKind::give_up);
            }
            return true;
        }
        if (contains(m, "does not match peers id")) {
            emit(EventKind::error, codes::id_mismatch);
            return true;
        }
        if (contains(m, "liveness check") || contains(m, "Liveness check")) {
            if (contains(m, "abort") || contains(m, "fail") || contains(m, "dead")) {
                emit(EventKind::dpd_timeout, codes::dpd_timeout);
            }
            return true;
        }
        return true;
    }

private:
    std::string last_peer_;
    std::string started_;  // peer of the attempt a "negotiation is started" line opened
};

std::unique_ptr<LineParser> create_panos() { return std::make_unique<PanosParser>(); }

}  // namespace

const FormatInfo& format_panos() {
    static const FormatInfo info{"panos", "Palo Alto PAN-OS VPN system log / ikemgr.log", true, sniff_panos,
                                 create_panos};
    return info;
}

}  // namespace nettool::ikelog
