// MikroTik RouterOS `/log print` (or remote syslog) lines of the ipsec topics: `17:12:32 ipsec,error 10.5.107.112
// failed to get valid proposal.`, `ipsec,info respond new phase 1 (Identity Protection): A[500]<=>B[500]`,
// `ipsec,error phase1 negotiation failed due to time up A[500]<=>B[500] cookie:...`. RouterOS v6's IKEv1 daemon
// derives from racoon, whose `A[500]<=>B[500]` puts the local address first.
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <set>
#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

// Where the topic list ("ipsec", "ipsec,error", "ipsec,info", "ipsec,debug") starts, npos when absent.
std::size_t topic_at(std::string_view line) {
    std::size_t at = 0;
    while ((at = line.find("ipsec", at)) != std::string_view::npos) {
        bool boundary = at == 0 || line[at - 1] == ' ';
        std::size_t end = at + 5;
        if (boundary && end < line.size() && (line[end] == ',' || line[end] == ' ')) return at;
        at = end;
    }
    return std::string_view::npos;
}

int sniff_mikrotik(std::string_view line) {
    auto at = topic_at(line);
    if (at == std::string_view::npos) return 0;
    std::string_view rest = line.substr(at);
    if (starts_with(rest, "ipsec,error ") || starts_with(rest, "ipsec,info ") || starts_with(rest, "ipsec,debug ") ||
        starts_with(rest, "ipsec,warning ")) {
        return 2;
    }
    return 1;
}

// "hh:mm:ss" (RouterOS prints only the time for today's entries), "mmm/dd hh:mm:ss", "mmm/dd/yyyy hh:mm:ss" or any
// form take_timestamp knows.
Stamp mikrotik_stamp(std::string_view& s) {
    Stamp st = take_timestamp(s);
    if (st.seconds >= 0) return st;
    std::string_view t = s;
    if (auto slash = t.find('/'); slash != std::string_view::npos && slash < 4 && t.find(' ') != std::string_view::npos) {
        t = t.substr(t.find(' ') + 1);  // the date part is dropped: only the order within a day matters here
    }
    if (t.size() >= 8 && is_digit(t[0]) && is_digit(t[1]) && t[2] == ':' && is_digit(t[3]) && is_digit(t[4]) &&
        t[5] == ':' && is_digit(t[6]) && is_digit(t[7])) {
        double seconds = ((t[0] - '0') * 10 + (t[1] - '0')) * 3600.0 + ((t[3] - '0') * 10 + (t[4] - '0')) * 60.0 +
                         (t[6] - '0') * 10 + (t[7] - '0');
        std::size_t used = static_cast<std::size_t>(t.data() - s.data()) + 8;
        st.text = s.substr(0, used);
        st.seconds = seconds;
        s.remove_prefix(used);
        s = trim(s);
    }
    return st;
}

class MikrotikParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        std::string_view s = trim(line);
        auto at = topic_at(s);
        if (at == std::string_view::npos) return false;
        std::string_view head = s.substr(0, at);
        Stamp stamp = mikrotik_stamp(head);
        std::string_view m = s.substr(at);
        m = m.substr(std::min(m.size(), m.find(' ') + 1));  // drop the topic list
        m = trim(m);
        Event e;
        e.time = std::string(stamp.text);
        e.seconds = stamp.seconds;
        e.detail = std::string(m.substr(0, 200));
        auto emit = [&](EventKind kind, const char* code = "") {
            Event x = e;
            x.kind = kind;
            x.code = code;
            if (x.peer.empty()) x.peer = last_peer_;
            if (!x.peer.empty()) last_peer_ = x.peer;
            x.sa = x.peer;
            out.push_back(std::move(x));
        };
        // "A[500]<=>B[500]" / "A[500]-B[500]" / "A[4500]->B[4500]": local first.
        auto pair_from = [&](std::string_view text, std::string_view sep) {
            auto p = text.find(sep);
            if (p == std::string_view::npos) return false;
            std::string_view left = text.substr(0, p);
            auto space = left.rfind(' ');
            if (space != std::string_view::npos) left = left.substr(space + 1);
            std::string local = leading_address(left);
            std::string remote = leading_address(text.substr(p + sep.size()));
            if (remote.empty()) return false;
            e.local = local;
            e.peer = remote;
            return true;
        };
        auto start = [&](Role role) {
            e.role = role;
            started_.insert(e.peer);
            emit(EventKind::negotiation_start);
        };
        auto ensure_started = [&] {
            std::string peer = e.peer.empty() ? last_peer_ : e.peer;
            if (!started_.count(peer)) {
                e.peer = peer;
                start(Role::initiator);
            }
        };
        if (contains(m, "respond new phase 1") || contains(m, "initiate new phase 1")) {
            pair_from(m, "<=>");
            e.ike_version = 1;
            e.exchange = contains(m, "Aggressive") ? Exchange::aggressive_mode : Exchange::main_mode;
            start(contains(m, "respond") ? Role::responder : Role::initiator);
            return true;
        }
        if (starts_with(m, "new ike2 SA (")) {
            pair_from(m, "]-");
            e.ike_version = 2;
            e.exchange = Exchange::ike_sa_init;
            start(starts_with(m, "new ike2 SA (R)") ? Role::responder : Role::initiator);
            return true;
        }
        if (starts_with(m, "ISAKMP-SA established") || contains(m, "IKE SA established")) {
            if (!pair_from(m, "]-")) e.peer = leading_address(after(m, "peer ", " ,"));
            emit(EventKind::phase1_established);
            return true;
        }
        if (starts_with(m, "IPsec-SA established") || contains(m, "ph2 established") ||
            contains(m, "Child SA established")) {
            e.phase2 = true;
            e.spi = std::string(after(m, "spi=", " "));
            emit(EventKind::child_established);
            return true;
        }
        if (auto t = m.find("phase1 negotiation failed due to time up"); t != std::string_view::npos) {
            pair_from(m.substr(t), "<=>");
            ensure_started();
            emit(EventKind::give_up);
            started_.erase(e.peer);
            return true;
        }
        if (contains(m, "phase2 negotiation failed due to time up")) {
            pair_from(m, "<=>");
            e.phase2 = true;
            emit(EventKind::give_up);
            return true;
        }
        if (contains(m, "no suitable proposal found") || starts_with(m, "rejected ")) {
            // The proposal walk ("rejected enctype: DB(...):Peer(...) = AES-CBC:3DES-CBC"); the verdict follows on
            // "failed to get valid proposal" with the peer's address.
            e.proposal_side = ProposalSide::received;
            Event x = e;
            x.kind = EventKind::proposals;
            out.push_back(std::move(x));
            return true;
        }
        if (contains(m, "failed to get valid proposal")) {
            e.peer = leading_address(m);
            emit(EventKind::error, codes::no_proposal_chosen);
            return true;
        }
        if (contains(m, "possible cause: wrong password") || contains(m, "wrong password")) {
            e.peer = leading_address(m);
            emit(EventKind::error, codes::auth_failed);
            return true;
        }
        if (contains(m, "identity not found") || contains(m, "can't find identity")) {
            // "identity not found for responder: ADDR4:8.215.24.90 peer: ADDR4:34.101.118.166"
            e.peer = leading_address(after(m, "peer: ADDR4:", " "));
            emit(EventKind::error, codes::id_mismatch);
            return true;
        }
        if (consume(m, "reply notify: ") || consume(m, "got fatal error: ") || consume(m, "notify: ")) {
            bool sent = contains(e.detail, "reply notify");
            e.notify = std::string(after(m, "", " "));
            const char* code = "";
            if (e.notify == "AUTHENTICATION_FAILED") code = codes::auth_failed;
            if (e.notify == "NO_PROPOSAL_CHOSEN") code = codes::no_proposal_chosen;
            if (e.notify == "TS_UNACCEPTABLE" || e.notify == "INVALID_ID_INFORMATION") {
                code = codes::ts_unacceptable;
                e.phase2 = true;
            }
            if (*code == 0) return true;
            emit(sent ? EventKind::notify_sent : EventKind::notify_received, code);
            return true;
        }
        if (contains(m, "phase1 negotiation failed")) {
            e.peer = leading_address(m);
            emit(EventKind::give_up);
            started_.erase(e.peer.empty() ? last_peer_ : e.peer);
            return true;
        }
        if (contains(m, "DPD") && contains(m, "dead")) {
            e.peer = first_ipv4(m);
            emit(EventKind::dpd_timeout, codes::dpd_timeout);
            return true;
        }
        if (starts_with(m, "killing ike2 SA") || starts_with(m, "purging ISAKMP-SA")) {
            pair_from(m, "]-");
            emit(EventKind::deleted);
            started_.erase(e.peer);
            return true;
        }
        return true;
    }

private:
    std::string last_peer_;
    std::set<std::string> started_;  // peers with an attempt under way (bounded by the peers of one router)
};

std::unique_ptr<LineParser> create_mikrotik() { return std::make_unique<MikrotikParser>(); }

}  // namespace

const FormatInfo& format_mikrotik() {
    static const FormatInfo info{"mikrotik", "MikroTik RouterOS log (ipsec topics)", true, sniff_mikrotik,
                                 create_mikrotik};
    return info;
}

}  // namespace nettool::ikelog
