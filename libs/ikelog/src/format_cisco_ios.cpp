// Cisco IOS / IOS-XE `debug crypto isakmp` / `debug crypto ipsec` and %CRYPTO syslog messages.
// Line shape: `*Mar  1 00:13:31.891: ISAKMP (0:2): message` (old) or `ISAKMP:(1002): message` (newer).
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

int sniff_cisco_ios(std::string_view line) {
    if (contains(line, "ISAKMP (0:") || contains(line, "ISAKMP:(") || contains(line, "%CRYPTO-") ||
        contains(line, "IPSEC(") || contains(line, "ISAKMP-ERROR: (") || contains(line, "ISAKMP-PAK: (") ||
        contains(line, "ISAKMP: (")) {
        return 2;
    }
    if (contains(line, "ISAKMP: ") || contains(line, "ISAKMP ")) return 1;
    return 0;
}

// "ISAKMP (0:2): rest" / "ISAKMP:(1002):rest" / "ISAKMP: rest" -> SA id ("" or "0" = none yet) and rest.
bool split_isakmp(std::string_view s, std::string& sa, std::string_view& rest) {
    auto at = s.find("ISAKMP");
    if (at == std::string_view::npos) return false;
    s.remove_prefix(at + 6);
    // IOS-XE: "ISAKMP-ERROR: (0): ...", "ISAKMP-PAK: (1001):..."
    if (!s.empty() && s.front() == '-') {
        auto colon = s.find(':');
        if (colon == std::string_view::npos) return false;
        s.remove_prefix(colon);
    }
    consume(s, " ");
    if (consume(s, ":")) {
        // "ISAKMP:(1002):..." or "ISAKMP: ..." or IOS-XE "ISAKMP: (1002):..."
        if (s.size() > 1 && s[0] == ' ' && s[1] == '(') s.remove_prefix(1);
    }
    if (!s.empty() && s.front() == '(') {
        auto close = s.find(')');
        if (close == std::string_view::npos) return false;
        std::string_view inside = s.substr(1, close - 1);
        auto colon = inside.rfind(':');
        sa = std::string(colon == std::string_view::npos ? inside : inside.substr(colon + 1));
        s.remove_prefix(close + 1);
        consume(s, ":");
    }
    rest = trim(s);
    return true;
}

class CiscoIosParser : public LineParser {
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
            if (e.sa.empty() || e.sa == "0") e.sa = current_sa_;
            if (e.peer.empty()) e.peer = peer_of(e.sa);
            out.push_back(std::move(e));
            return true;
        };
        if (auto crypto = s.find("%CRYPTO-"); crypto != std::string_view::npos) {
            std::string_view m = s.substr(crypto);
            e.detail = std::string(m);
            std::string who = first_ipv4(m);
            e.peer = who;
            if (contains(m, "IKMP_BAD_MESSAGE")) return emit(EventKind::error, codes::auth_failed);
            if (contains(m, "IKMP_MODE_FAILURE")) return emit(EventKind::error);
            if (contains(m, "IKMP_NO_SA")) return true;
            if (contains(m, "SESSION_STATUS") && contains(m, "is UP")) {
                e.phase2 = true;
                return emit(EventKind::child_established);
            }
            if (contains(m, "SESSION_STATUS") && contains(m, "is DOWN")) return emit(EventKind::deleted);
            return true;
        }
        if (auto ipsec = s.find("IPSEC("); ipsec != std::string_view::npos) {
            std::string_view m = s.substr(ipsec);
            e.phase2 = true;
            e.detail = std::string(m);
            if (contains(m, "proxy identities not supported")) return emit(EventKind::error, codes::ts_unacceptable);
            if (contains(m, "transform proposal not supported") || contains(m, "atts not acceptable")) {
                return emit(EventKind::error, codes::no_proposal_chosen);
            }
            if (starts_with(m, "IPSEC(create_sa): sa created")) {
                e.spi = std::string(after(m, "sa_spi= ", " "));
                return emit(EventKind::child_established);
            }
            return true;
        }
        std::string sa;
        std::string_view m;
        if (!split_isakmp(s, sa, m)) return false;
        if (!sa.empty() && sa != "0") {
            // The SA id of a negotiation we opened as responder before IOS printed one: same attempt.
            if (current_sa_.rfind("peer:", 0) == 0 && peer_of(sa).empty() && alias_to_.empty()) {
                alias_from_ = sa;
                alias_to_ = current_sa_;
            }
            if (sa == alias_from_) sa = alias_to_;
            current_sa_ = sa;
        }
        e.sa = sa;
        // IOS-XE names both ends at the end of its errors: "... not acceptable! (local 25.2.2.2 remote 15.1.1.1)".
        if (auto local = m.find("(local "); local != std::string_view::npos && contains(m, " remote ")) {
            e.local = leading_address(m.substr(local + 7));
            e.peer = leading_address(after(m.substr(local), " remote ", ")"));
            if ((e.sa.empty() || e.sa == "0") && current_sa_.empty() && !e.peer.empty()) e.sa = "peer:" + e.peer;
        }
        // A policy walk: "atts are not acceptable" for one local policy is no failure while a later one may match;
        // it becomes one when the walk ends without a match (the next line that is not part of the walk).
        if (!walk_failed_.empty() && !in_policy_walk(m)) {
            Event failed = e;
            failed.detail = walk_failed_;
            walk_failed_.clear();
            failed.kind = EventKind::error;
            failed.code = codes::no_proposal_chosen;
            if (failed.sa.empty() || failed.sa == "0") failed.sa = current_sa_;
            if (failed.peer.empty()) failed.peer = peer_of(failed.sa);
            if (failed.peer.empty()) failed.peer = unkeyed_peer_;
            if (failed.sa.empty() && !failed.peer.empty()) failed.sa = "peer:" + failed.peer;
            out.push_back(std::move(failed));
            if (starts_with(m, "no offers accepted") || contains(m, "phase 1 SA policy not acceptable")) return true;
        }
        if (contains(m, "(I) ")) e.role = Role::initiator;
        if (contains(m, "(R) ")) e.role = Role::responder;
        if (starts_with(m, "beginning Main Mode exchange") || starts_with(m, "beginning Aggressive Mode exchange")) {
            e.role = Role::initiator;
            e.exchange = contains(m, "Aggressive") ? Exchange::aggressive_mode : Exchange::main_mode;
            if (!pending_peer_.empty()) e.peer = pending_peer_;
            remember(e.sa, e.peer);
            return emit(EventKind::negotiation_start);
        }
        if (consume(m, "sending packet to ")) {
            e.peer = leading_address(m);
            remember(e.sa.empty() || e.sa == "0" ? current_sa_ : e.sa, e.peer);
            e.exchange = contains(m, "QM_") ? Exchange::quick_mode : Exchange::main_mode;
            e.phase2 = e.exchange == Exchange::quick_mode;
            return emit(EventKind::message_sent);
        }
        if (consume(m, "received packet from ")) {
            e.peer = leading_address(m);
            if ((e.sa.empty() || e.sa == "0") && e.role == Role::responder && contains(m, "MM_NO_STATE")) {
                // A responder's first packet: a new negotiation (the SA id follows on later lines).
                pending_peer_ = e.peer;
                alias_from_.clear();
                alias_to_.clear();
                e.sa = "peer:" + e.peer;
                current_sa_ = e.sa;
                remember(e.sa, e.peer);
                e.exchange = Exchange::main_mode;
                return emit(EventKind::negotiation_start);
            }
            remember(e.sa.empty() || e.sa == "0" ? current_sa_ : e.sa, e.peer);
            // IOS-XE prints "(N)" rather than a role on a first packet: its errors may follow under "(0)".
            if ((e.sa.empty() || e.sa == "0") && current_sa_.empty()) unkeyed_peer_ = e.peer;
            e.exchange = contains(m, "QM_") ? Exchange::quick_mode : Exchange::main_mode;
            return emit(EventKind::message_received);
        }
        if (starts_with(m, "retransmitting phase 1") || starts_with(m, "retransmitting phase 2")) {
            e.phase2 = contains(m, "phase 2");
            e.detail = std::string(m);
            return emit(EventKind::retransmit);
        }
        if (contains(m, "Death by retransmission")) {
            e.detail = std::string(m);
            e.phase2 = contains(m, "P2");
            return emit(EventKind::give_up);
        }
        if (contains(m, "DPD/R_U_THERE sent")) return emit(EventKind::dpd);
        if (contains(m, "is dead") || contains(m, "peer is dead") || contains(m, "reason \"peer is dead\"")) {
            e.detail = std::string(m);
            return emit(EventKind::dpd_timeout, codes::dpd_timeout);
        }
        if (starts_with(m, "atts are not acceptable") || starts_with(m, "attrs are not acceptable")) {
            walk_failed_ = proposal_.empty() ? std::string(m) : proposal_ + ": " + std::string(m);
            return true;
        }
        if (starts_with(m, "atts are acceptable")) {
            walk_failed_.clear();
            return true;
        }
        if (starts_with(m, "no offers accepted") || starts_with(m, "phase 1 SA policy not acceptable")) {
            e.detail = std::string(m);
            if (e.peer.empty() && current_sa_.empty()) e.peer = unkeyed_peer_;
            if ((e.sa.empty() || e.sa == "0") && current_sa_.empty() && !e.peer.empty()) e.sa = "peer:" + e.peer;
            return emit(EventKind::error, codes::no_proposal_chosen);
        }
        if (starts_with(m, "phase 2 SA policy not acceptable") || starts_with(m, "phase 2 SA not acceptable")) {
            e.detail = std::string(m);
            e.phase2 = true;
            return emit(EventKind::error, codes::no_proposal_chosen);
        }
        if (starts_with(m, "Checking ISAKMP transform ")) {
            proposal_ = std::string(m);
            return true;
        }
        if (starts_with(m, "encryption ") || starts_with(m, "hash ") || starts_with(m, "default group ") ||
            starts_with(m, "auth ") || starts_with(m, "life ")) {
            if (!proposal_.empty() && proposal_.size() < 400) proposal_ += ", " + std::string(m);
            return true;
        }
        if (consume(m, "No pre-shared key with ")) {
            // The responder has no key (no peer entry) for this source address: the stale-address case.
            e.peer = leading_address(m);
            e.detail = "No pre-shared key with " + std::string(m);
            e.role = Role::responder;
            return emit(EventKind::error, codes::unknown_peer);
        }
        if (consume(m, "SA has been authenticated with ")) {
            e.peer = leading_address(m);
            remember(e.sa.empty() || e.sa == "0" ? current_sa_ : e.sa, e.peer);
            return emit(EventKind::phase1_established);
        }
        if (contains(m, "New State = IKE_P1_COMPLETE")) return emit(EventKind::phase1_established);
        if (contains(m, "New State = IKE_QM_PHASE2_COMPLETE")) {
            e.phase2 = true;
            return emit(EventKind::child_established);
        }
        if (starts_with(m, "Sending NOTIFY ") || starts_with(m, "sending NOTIFY ")) {
            std::string_view rest = m.substr(m.find("NOTIFY ") + 7);
            e.notify = std::string(rest.substr(0, rest.find(' ')));
            if (e.notify != "PROPOSAL_NOT_CHOSEN" && e.notify != "NO_PROPOSAL_CHOSEN") return true;
            e.phase2 = contains(rest, "protocol 3") || contains(rest, "protocol 2");
            e.detail = std::string(m);
            return emit(EventKind::notify_sent, codes::no_proposal_chosen);
        }
        if (starts_with(m, "processing NOTIFY ") || starts_with(m, "received NOTIFY ")) {
            std::string_view rest = m.substr(m.find("NOTIFY ") + 7);
            e.notify = std::string(rest.substr(0, rest.find(' ')));
            const char* code = e.notify == "NO_PROPOSAL_CHOSEN" || e.notify == "PROPOSAL_NOT_CHOSEN"
                                   ? codes::no_proposal_chosen
                               : e.notify == "INVALID_ID_INFO"         ? codes::ts_unacceptable
                               : e.notify == "INVALID_ID_INFORMATION"  ? codes::ts_unacceptable
                               : e.notify == "AUTHENTICATION_FAILED"   ? codes::auth_failed
                               : e.notify == "INVALID_HASH_INFORMATION" ? codes::auth_failed
                                                                        : "";
            // "protocol 3" (ESP) / "protocol 2" (AH): the notify concerns phase 2; "protocol 1" (ISAKMP) phase 1.
            if (code == codes::ts_unacceptable || contains(rest, "protocol 3") || contains(rest, "protocol 2")) {
                e.phase2 = true;
            }
            e.detail = std::string(m);
            return emit(EventKind::notify_received, code);
        }
        if (starts_with(m, "deleting SA reason")) {
            e.detail = std::string(m);
            return emit(EventKind::deleted);
        }
        if (starts_with(m, "Old State = ") && contains(m, "New State = ")) {
            return true;
        }
        return true;
    }

private:
    // Lines printed while IOS compares an offered transform with its local policies.
    static bool in_policy_walk(std::string_view m) {
        return starts_with(m, "Checking ISAKMP transform ") || starts_with(m, "encryption ") || starts_with(m, "hash ") ||
               starts_with(m, "default group ") || starts_with(m, "auth ") || starts_with(m, "life ") ||
               starts_with(m, "keylength ") || starts_with(m, "key length ") || contains(m, "does not match policy") ||
               starts_with(m, "atts are ") || starts_with(m, "attrs are ") || m.empty();
    }

    std::string walk_failed_;  // the last "atts are not acceptable" of a policy walk still under way
    std::string unkeyed_peer_;  // sender of a first packet no SA id was printed for yet (IOS-XE "(0)")
    std::string current_sa_;
    std::string alias_from_, alias_to_;
    std::string pending_peer_;
    std::string proposal_;
    RecentPairs peers_{256};  // sa -> peer

    void remember(const std::string& sa, const std::string& peer) {
        if (!sa.empty() && !peer.empty()) peers_.set(sa, peer);
    }
    std::string peer_of(const std::string& sa) const { return peers_.get(sa); }
};

std::unique_ptr<LineParser> create_cisco_ios() { return std::make_unique<CiscoIosParser>(); }

}  // namespace

const FormatInfo& format_cisco_ios() {
    static const FormatInfo info{"cisco-ios", "Cisco IOS / IOS-XE debug crypto isakmp/ipsec and %CRYPTO messages", true,
                                 sniff_cisco_ios, create_cisco_ios};
    return info;
}

}  // namespace nettool::ikelog
