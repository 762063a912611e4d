// Cisco ASA / FTD syslog (%ASA-n-7130xx / 7139xx / 113019) and IKEv1 debug lines ([IKEv1]IP = x, ...).
// Line shape: `Dec 04 2014 12:37:51: %ASA-5-713119: Group = 77.88.99.100, IP = 77.88.99.100, PHASE 1 COMPLETED`.
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

int sniff_cisco_asa(std::string_view line) {
    if (contains(line, "%ASA-") || contains(line, "%FTD-")) return 2;
    if (contains(line, "[IKEv1]") || contains(line, "[IKEv2]")) return 2;
    return 0;
}

class CiscoAsaParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        std::string_view s = trim(line);
        Stamp stamp = take_timestamp(s);
        auto tag = s.find("%ASA-");
        if (tag == std::string_view::npos) tag = s.find("%FTD-");
        auto debug = s.find("[IKEv");
        if (tag == std::string_view::npos && debug == std::string_view::npos) return false;
        std::string_view m = tag != std::string_view::npos ? s.substr(tag) : s.substr(debug);
        std::string id;  // message id, e.g. 713119
        if (tag != std::string_view::npos) {
            auto second = m.find('-', 5);
            auto colon = m.find(':');
            if (second != std::string_view::npos && colon != std::string_view::npos && colon > second) {
                id = std::string(m.substr(second + 1, colon - second - 1));
            }
            m = colon == std::string_view::npos ? std::string_view{} : trim(m.substr(colon + 1));
        }
        Event e;
        e.time = std::string(stamp.text);
        e.seconds = stamp.seconds;
        e.ike_version = contains(s, "IKEv2") ? 2 : 1;
        e.connection = std::string(after(m, "Group = ", ","));
        e.peer = leading_address(after(m, "IP = ", ","));
        if (e.peer.empty()) e.peer = leading_address(after(m, "IKE Peer ", " "));
        if (e.peer.empty()) e.peer = leading_address(after(m, "peer ", " "));
        e.sa = e.peer;
        e.detail = std::string(m);
        auto emit = [&](EventKind kind, const char* code = "") {
            e.kind = kind;
            e.code = code;
            if (e.sa.empty()) e.sa = last_peer_;
            if (e.peer.empty()) e.peer = last_peer_;
            if (!e.peer.empty()) last_peer_ = e.peer;
            out.push_back(std::move(e));
            return true;
        };
        if (id == "713041" || contains(m, "New Phase 1")) {
            e.role = contains(m, "Responder") ? Role::responder : Role::initiator;
            e.exchange = Exchange::main_mode;
            return emit(EventKind::negotiation_start);
        }
        if (contains(m, "PHASE 1 COMPLETED")) return emit(EventKind::phase1_established);
        if (contains(m, "PHASE 2 COMPLETED")) {
            e.phase2 = true;
            e.spi = std::string(after(m, "msgid=", ")"));
            return emit(EventKind::child_established);
        }
        if (id == "713257" || contains(m, "Phase 1 failure: Mismatched attribute")) {
            e.proposal_side = ProposalSide::received;
            return emit(EventKind::error, codes::no_proposal_chosen);
        }
        if (contains(m, "All IPSec SA proposals found unacceptable")) {
            e.phase2 = true;
            return emit(EventKind::error, codes::no_proposal_chosen);
        }
        if (contains(m, "Received non-routine Notify message: No proposal chosen")) {
            e.notify = "NO_PROPOSAL_CHOSEN";
            return emit(EventKind::notify_received, codes::no_proposal_chosen);
        }
        if (contains(m, "mismatched pre-shared key") || contains(m, "had problems decrypting packet")) {
            return emit(EventKind::error, codes::auth_failed);
        }
        if (contains(m, "Rejecting IPSec tunnel: no matching crypto map entry") ||
            contains(m, "proxy identities")) {
            e.phase2 = true;
            return emit(EventKind::error, codes::ts_unacceptable);
        }
        if (contains(m, "Can't find a valid tunnel group") || contains(m, "Unable to find tunnel group")) {
            e.role = Role::responder;
            return emit(EventKind::error, codes::unknown_peer);
        }
        if (contains(m, "un-encrypted INVALID_COOKIE")) {
            // Main mode stalled and the peer answers our encrypted message with a clear-text INVALID_COOKIE: it
            // dropped the SA because it has no tunnel-group / pre-shared key for this address.
            e.notify = "INVALID_COOKIE";
            e.detail = std::string(m) +
                       " (the peer has no tunnel-group or pre-shared key for this address, or a different one)";
            return emit(EventKind::notify_received, codes::auth_failed);
        }
        if (contains(m, "IKE_DECODE RESENDING Message")) {
            // Which main mode message is resent: "HDR + SA" 1, "HDR + KE + NONCE" 3, "HDR + ID + HASH" 5.
            if (contains(m, "HDR + SA (1)")) e.message_number = 1;
            if (contains(m, "HDR + KE (4)")) e.message_number = 3;
            if (contains(m, "HDR + ID (5)")) e.message_number = 5;
            e.exchange = Exchange::main_mode;
            return emit(EventKind::retransmit);
        }
        if (contains(m, "EV_TIMEOUT") || contains(m, "Duplicate first packet detected")) {
            if (contains(m, "Duplicate first packet")) return emit(EventKind::message_received);
            return emit(EventKind::give_up);
        }
        if (contains(m, "IKE_DECODE RECEIVED Message")) return emit(EventKind::message_received);
        if (contains(m, "IKE_DECODE SENDING Message")) return emit(EventKind::message_sent);
        if (id == "113019" || contains(m, "Session disconnected") || contains(m, "Session is being torn down")) {
            if (contains(m, "Reason: Lost Service") || contains(m, "DPD")) {
                return emit(EventKind::dpd_timeout, codes::dpd_timeout);
            }
            return emit(EventKind::deleted);
        }
        return true;
    }

private:
    std::string last_peer_;
};

std::unique_ptr<LineParser> create_cisco_asa() { return std::make_unique<CiscoAsaParser>(); }

}  // namespace

const FormatInfo& format_cisco_asa() {
    static const FormatInfo info{"cisco-asa", "Cisco ASA / FTD syslog (%ASA-n-713xxx, 113019) and IKEv1 debug", true,
                                 sniff_cisco_asa, create_cisco_asa};
    return info;
}

}  // namespace nettool::ikelog
