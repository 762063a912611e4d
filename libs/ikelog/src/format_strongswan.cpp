// strongSwan charon (Linux, pfSense, OPNsense, VyOS, appliances): filelog and syslog forms, IKEv1 and IKEv2,
// any log level. Line shape: `[time] [host charon[pid]:] NN[GRP] <conn|N> message`.
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <bit>
#include <string>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nettool::ikelog {

namespace {

using namespace text;

// s.find(c) for a byte expected within the first 16: those are compared at once (SSE2, every x86-64), and only
// when it is not there does the search go on (memchr).
std::size_t find_near(std::string_view s, char c) {
#if defined(__SSE2__)
    if (s.size() >= 16) {
        __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data()));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(c))));
        if (mask != 0) return static_cast<std::size_t>(std::countr_zero(mask));
        std::size_t rest = s.substr(16).find(c);
        return rest == std::string_view::npos ? rest : rest + 16;
    }
#endif
    return s.find(c);
}

// Finds "NN[GRP] " in the first 120 bytes; returns the offset of the two thread digits or npos.
std::size_t find_thread_group(std::string_view line) {
    // At the very start (the filelog form, after the time stamp) nothing earlier can match: checked first.
    if (line.size() > 7 && line[2] == '[' && is_digit(line[0]) && is_digit(line[1]) && line[6] == ']' &&
        line[7] == ' ' && line[3] >= 'A' && line[3] <= 'Z' && line[4] >= 'A' && line[4] <= 'Z' && line[5] >= 'A' &&
        line[5] <= 'Z') {
        return 0;
    }
    std::size_t limit = std::min<std::size_t>(line.size(), 120);
    // A plain loop: the group is mostly a few bytes in, too close for memchr's setup to pay off.
    for (std::size_t at = 0; at < limit; ++at) {
        if (line[at] != '[' || at < 2 || at + 5 >= line.size()) continue;
        if (!is_digit(line[at - 1]) || !is_digit(line[at - 2])) continue;
        if (line[at + 4] != ']' || line[at + 5] != ' ') continue;
        bool upper = true;
        for (std::size_t i = at + 1; i < at + 4; ++i) upper = upper && line[i] >= 'A' && line[i] <= 'Z';
        if (!upper) continue;
        if (at >= 3 && is_digit(line[at - 3])) continue;  // thread ids are two digits
        return at - 2;
    }
    return std::string_view::npos;
}

int sniff_strongswan(std::string_view line) {
    std::size_t at = find_thread_group(line);
    if (at == std::string_view::npos) return 0;
    std::string_view rest = line.substr(at + 8);
    return (contains(line.substr(0, at), "charon") || starts_with(rest, "<") || at == 0 ||
            contains(line.substr(0, at), ".") || contains(rest, "IKE_SA") || contains(rest, "charon"))
               ? 2
               : 1;
}

// "site[12]" -> name "site", id "12"
bool split_sa_name(std::string_view token, std::string& name, std::string& id) {
    auto open = token.find('[');
    auto close = token.find(']');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return false;
    name = std::string(token.substr(0, open));
    id = std::string(token.substr(open + 1, close - open - 1));
    return !id.empty();
}

const char* notify_code(std::string_view notify) {
    if (notify == "NO_PROPOSAL_CHOSEN" || notify == "NO_PROP") return codes::no_proposal_chosen;
    if (notify == "AUTHENTICATION_FAILED" || notify == "AUTH_FAILED" || notify == "INVALID_HASH_INFORMATION")
        return codes::auth_failed;
    if (notify == "TS_UNACCEPTABLE" || notify == "TS_UNACCEPT" || notify == "INVALID_ID_INFORMATION" ||
        notify == "INVAL_ID")
        return codes::ts_unacceptable;
    return "";
}

std::string_view long_notify(std::string_view shorthand) {
    if (shorthand == "NO_PROP") return "NO_PROPOSAL_CHOSEN";
    if (shorthand == "AUTH_FAILED") return "AUTHENTICATION_FAILED";
    if (shorthand == "TS_UNACCEPT") return "TS_UNACCEPTABLE";
    if (shorthand == "INVAL_ID") return "INVALID_ID_INFORMATION";
    if (shorthand == "PLD_MAL") return "PAYLOAD_MALFORMED";
    return shorthand;
}

struct ExchangeName {
    std::string_view name;
    Exchange exchange;
    int ike_version;
    bool phase2;
};
constexpr ExchangeName exchange_names[] = {
    {"ID_PROT", Exchange::main_mode, 1, false},
    {"AGGRESSIVE", Exchange::aggressive_mode, 1, false},
    {"QUICK_MODE", Exchange::quick_mode, 1, true},
    {"INFORMATIONAL_V1", Exchange::informational, 1, false},
    {"IKE_SA_INIT", Exchange::ike_sa_init, 2, false},
    {"IKE_AUTH", Exchange::ike_auth, 2, false},
    {"CREATE_CHILD_SA", Exchange::create_child_sa, 2, true},
    {"INFORMATIONAL", Exchange::informational, 2, false},
};

const ExchangeName* find_exchange(std::string_view name) {
    for (const auto& x : exchange_names) {
        if (x.name == name) return &x;
    }
    return nullptr;
}

// Cheap gate on the first byte: the messages parse_ike knows start with one of these (an address for
// "A is initiating ..."); everything else (task queues, vendor IDs, NAT detection, ...) is skipped at once.
bool interesting_start(std::string_view m) {
    switch (m.front()) {
    case 'i': case 'I': case 'C': case 'c': case 'r': case 'n': case 't': case 'A': case 'l': case 's':
    case 'g': case 'e': case 'p': case 'd': case 'v': case ':':
        return true;
    default:
        return is_digit(m.front());
    }
}

// A superset of the lines parse_enc, parse_net and parse_ike make anything of (events or remembered text).
bool may_matter(std::string_view group, std::string_view m) {
    static constexpr Needle dpd_timed_out{"DPD check timed out"}, decryption_failed{"decryption failed?"},
        mac_mismatched{"but MAC mismatched"}, no_shared_key{"no shared key found for"},
        is_initiating{" is initiating "};
    if (group == "JOB") return contains(m, dpd_timed_out);
    if (group == "ENC") {
        // parse_enc: messages of a known exchange ("generating payload of type ..." is not one), or PSK trouble
        if (consume(m, "generating ") || consume(m, "parsed ")) {
            auto space = m.find(' ');
            return space != std::string_view::npos && find_exchange(m.substr(0, space));
        }
        return contains(m, decryption_failed) || starts_with(m, "could not decrypt payloads");
    }
    if (group == "NET") {
        return m.size() >= 20 && (starts_with(m, "received packet: from ") || starts_with(m, "sending packet: from "));
    }
    if (!interesting_start(m)) return false;
    switch (m.front()) {
    case 'i': if (starts_with(m, "initiating ")) return true; break;
    // parse_ike's "IKE_SA ", "CHILD_SA " and "received " branches end it: what they look for decides.
    case 'I':
        if (starts_with(m, "IKE_SA ")) return contains(m, " established between ") || contains(m, "=> DESTROYING");
        if (starts_with(m, "IDir '")) return true;
        break;
    case 'C':
        if (contains(m, is_initiating)) return true;  // "C..." may be an IPv6 address, tried first
        if (starts_with(m, "CHILD_SA ")) return contains(m, " established with SPIs ");
        break;
    case 'r':
        if (consume(m, "received ")) {
            auto space = m.find(' ');
            std::string_view tail = space == std::string_view::npos ? std::string_view{} : m.substr(space + 1);
            return starts_with(tail, "error notify") || starts_with(tail, "notify error") ||
                   starts_with(tail, "notify, no CHILD_SA") || starts_with(m, "proposals: ") ||
                   starts_with(m, "DELETE for IKE_SA");
        }
        if (starts_with(m, "retransmit ")) return true;
        break;
    case 'c':
        if (starts_with(m, "configured proposals: ") || starts_with(m, "could not decrypt payloads")) return true;
        break;
    case 'n': if (starts_with(m, "no ")) return true; break;
    case 'A': if (starts_with(m, "Aggressive Mode PSK disabled")) return true; break;
    case 'v': if (starts_with(m, "verification of AUTH payload")) return true; break;
    case 'l':  // only the "looking for peer configs matching ..." text is kept
        if (starts_with(m, "looking for ") && contains(m, "peer configs matching ")) return true;
        break;
    case 't': if (starts_with(m, "traffic selectors ")) return true; break;
    case 's': if (starts_with(m, "sending retransmit ") || m == "sending DPD request") return true; break;
    case 'g': if (starts_with(m, "giving up after ")) return true; break;
    case 'e': if (starts_with(m, "establishing IKE_SA failed, peer not responding")) return true; break;
    case 'p': if (starts_with(m, "peer not responding")) return true; break;
    case 'd': if (starts_with(m, "deleting IKE_SA ")) return true; break;
    default: break;
    }
    // "198.51.100.2 is initiating a Main Mode IKE_SA" (the address may start with a hex letter)
    bool address_first = is_digit(m.front()) || m.front() == ':' || (m.front() >= 'a' && m.front() <= 'f') ||
                         (m.front() >= 'A' && m.front() <= 'F');
    if (address_first && contains(m, is_initiating)) return true;
    return contains(m, decryption_failed) || contains(m, mac_mismatched) || contains(m, no_shared_key);
}

// The part of parsing a line that needs none of the parser's state: StrongswanParser and StrongswanFilter share it.
struct Classified {
    enum Kind { foreign, nothing, message } kind = foreign;  // not strongSwan / nothing to take from it / read on
    std::string_view stamp, group, tag, msg;  // tag: "conn|sa" inside the angle brackets, when there is one
};

Classified classify(std::string_view line, StampReader& stamps) {
    Classified c;
    std::string_view rest = line;
    c.stamp = stamps.take(rest);
    std::size_t at = find_thread_group(rest);
    if (at == std::string_view::npos) return c;
    c.kind = Classified::nothing;
    std::string_view group = rest.substr(at + 3, 3);
    std::string_view msg = rest.substr(at + 8);
    if (group != "IKE" && group != "ENC" && group != "NET" && group != "CFG" && group != "JOB" && group != "CHD" &&
        group != "MGR") {
        return c;  // KNL, LIB, DMN, ESP, ...: daemon internals
    }
    // "<conn|sa> " (split only for the lines that get further)
    std::string_view tag;
    if (!msg.empty() && msg.front() == '<') {
        auto close = find_near(msg, '>');
        if (close == std::string_view::npos) return c;
        tag = msg.substr(1, close - 1);
        msg.remove_prefix(close + 1);
        if (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
    }
    if (msg.empty() || msg.front() == ' ') return c;  // indented detail (task lists, hex dumps)
    // Most lines say nothing the parser uses: dismiss them before building an Event.
    if (!may_matter(group, msg)) return c;
    c.kind = Classified::message;
    c.group = group, c.tag = tag, c.msg = msg;
    return c;
}

class StrongswanFilter : public LineFilter {
public:
    bool dismisses(std::string_view line) override { return classify(line, stamps_).kind == Classified::nothing; }

private:
    StampReader stamps_;
};

class StrongswanParser : public LineParser {
public:
    bool parse(std::string_view line, std::vector<Event>& out) override {
        Classified c = classify(line, stamps_);
        if (c.kind != Classified::message) return c.kind == Classified::nothing;
        std::size_t before = out.size();
        bool known = dispatch(c.group, c.tag, c.msg, out);
        if (out.size() > before) {
            double seconds = stamps_.seconds(c.stamp);
            for (std::size_t i = before; i < out.size(); ++i) {
                out[i].time = std::string(c.stamp);
                out[i].seconds = seconds;
            }
        }
        return known;
    }

private:
    StampReader stamps_;
    AddressReader addresses_;
    std::string last_id_lookup_;  // "looking for peer configs matching ..." text, for the id_mismatch evidence
    std::string last_in_, last_out_;  // sa|peer|local of the last packet events, to report each pair once

    // A line may_matter let through; `tag` is the "conn|sa" (or "sa") inside the angle brackets.
    bool dispatch(std::string_view group, std::string_view tag, std::string_view msg, std::vector<Event>& out) {
        Event e;
        if (auto bar = tag.find('|'); bar != std::string_view::npos) {
            e.connection = std::string(tag.substr(0, bar));
            e.sa = std::string(tag.substr(bar + 1));
        } else {
            e.sa = std::string(tag);
        }
        if (group == "JOB") {
            if (contains(msg, "DPD check timed out")) {
                e.kind = EventKind::dpd_timeout;
                e.code = codes::dpd_timeout;
                e.ike_version = 1;
                out.push_back(std::move(e));
            }
            return true;
        }
        std::size_t before = out.size();
        bool known;
        if (group == "ENC") {
            known = parse_enc(msg, e, out);
        } else if (group == "NET") {
            known = parse_net(msg, e, out);
        } else if (!interesting_start(msg)) {
            return true;
        } else {
            known = parse_ike(msg, e, out);
        }
        // An excerpt may name the peer only on packet lines ("sending packet: from A[500] to B[500]") or in a
        // config lookup: lines of the same SA that do not name it get it from there.
        for (std::size_t i = before; i < out.size(); ++i) {
            Event& x = out[i];
            if (x.sa.empty()) continue;
            if (!x.peer.empty()) {
                sa_peer_.set(x.sa, x.peer);
            } else {
                x.peer = sa_peer_.get(x.sa);
            }
        }
        return known;
    }

    RecentPairs sa_peer_{64};  // sa id -> peer address, the last few SAs

    static void set_exchange(std::string_view name, Event& e) {
        if (const ExchangeName* x = find_exchange(name)) {
            e.exchange = x->exchange, e.ike_version = x->ike_version;
            if (x->phase2) e.phase2 = true;
        }
    }

    // "generating ID_PROT request 0 [ SA V V ]" / "parsed INFORMATIONAL_V1 request 123 [ N(NO_PROP) ]"
    bool parse_enc(std::string_view msg, Event& e, std::vector<Event>& out) {
        bool sent;
        if (consume(msg, "generating ")) {
            sent = true;
        } else if (consume(msg, "parsed ")) {
            sent = false;
        } else {
            if (contains(msg, "decryption failed?") || starts_with(msg, "could not decrypt payloads")) {
                // PSK mismatch: the peer's encrypted messages do not decrypt with our key.
                e.kind = EventKind::error;
                e.code = codes::auth_failed;
                e.detail = std::string(msg);
                out.push_back(std::move(e));
            }
            return true;
        }
        auto space = msg.find(' ');
        if (space == std::string_view::npos) return true;
        set_exchange(msg.substr(0, space), e);
        if (e.exchange == Exchange::unknown) return true;
        auto open = msg.find('[');
        std::string_view payloads = open == std::string_view::npos ? std::string_view{} : msg.substr(open);
        e.detail = std::string(payloads);
        e.kind = sent ? EventKind::message_sent : EventKind::message_received;
        // Notify payloads that carry an error.
        for (std::size_t n = payloads.find("N("); n != std::string_view::npos; n = payloads.find("N(", n + 2)) {
            std::string_view name = after(payloads.substr(n), "N(", ")");
            const char* code = notify_code(name);
            if (*code || name == "PLD_MAL") {
                e.kind = sent ? EventKind::notify_sent : EventKind::notify_received;
                e.notify = std::string(long_notify(name));
                e.code = code;
                if (e.code == codes::ts_unacceptable) e.phase2 = true;
                break;
            }
        }
        if (e.exchange == Exchange::informational && e.kind != EventKind::notify_sent &&
            e.kind != EventKind::notify_received) {
            if (contains(payloads, "N(DPD)")) {
                e.kind = sent ? EventKind::dpd : EventKind::message_received;
            }
        }
        out.push_back(std::move(e));
        return true;
    }

    // "received packet: from 198.51.100.20[500] to 192.0.2.10[500] (160 bytes)"
    bool parse_net(std::string_view msg, Event& e, std::vector<Event>& out) {
        if (msg.size() < 20 || (msg[0] != 'r' && msg[0] != 's')) return true;
        bool received;
        if (consume(msg, "received packet: from ")) {
            received = true;
        } else if (consume(msg, "sending packet: from ")) {
            received = false;
        } else {
            return true;
        }
        // Packets repeat the same endpoints all the time; the analyser needs each pair once per SA and direction,
        // so the (cheap) raw text decides before any address is parsed.
        std::string_view endpoints = msg.substr(0, msg.find(" ("));
        std::string& last = received ? last_in_ : last_out_;
        if (last.size() == e.sa.size() + 1 + endpoints.size() && text::starts_with(last, e.sa) &&
            std::string_view(last).substr(e.sa.size() + 1) == endpoints) {
            return true;
        }
        last.assign(e.sa).append("|").append(endpoints);  // reuses last's buffer
        std::string from = addresses_.leading(msg);
        std::string to = addresses_.leading(after(msg, " to ", " "));
        if (from.empty() || to.empty()) return true;
        e.kind = received ? EventKind::message_received : EventKind::message_sent;
        e.peer = received ? from : to;
        e.local = received ? to : from;
        out.push_back(std::move(e));
        return true;
    }

    bool parse_ike(std::string_view msg, Event& e, std::vector<Event>& out) {
        auto emit = [&](EventKind kind, const char* code = "") {
            e.kind = kind;
            e.code = code;
            out.push_back(std::move(e));
            return true;
        };
        std::string_view m = msg;
        // Negotiation start, initiator: "initiating Main Mode IKE_SA site[1] to 198.51.100.20"
        if (consume(m, "initiating ")) {
            e.role = Role::initiator;
            if (consume(m, "Main Mode ")) {
                e.exchange = Exchange::main_mode, e.ike_version = 1;
            } else if (consume(m, "Aggressive Mode ")) {
                e.exchange = Exchange::aggressive_mode, e.ike_version = 1;
            } else {
                e.exchange = Exchange::ike_sa_init, e.ike_version = 2;
            }
            if (!consume(m, "IKE_SA ")) return true;
            std::string name, id;
            if (split_sa_name(m.substr(0, m.find(' ')), name, id)) e.connection = name, e.sa = id;
            e.peer = addresses_.leading(after(m, " to ", " "));
            return emit(EventKind::negotiation_start);
        }
        // Responder: "198.51.100.2 is initiating a Main Mode IKE_SA"
        bool address_first = is_digit(m.front()) || m.front() == ':' || (m.front() >= 'a' && m.front() <= 'f') ||
                             (m.front() >= 'A' && m.front() <= 'F');
        if (auto pos = address_first ? m.find(" is initiating ") : std::string_view::npos;
            pos != std::string_view::npos) {
            e.peer = addresses_.leading(m);
            e.role = Role::responder;
            std::string_view kind = m.substr(pos + 15);
            if (contains(kind, "Main Mode")) {
                e.exchange = Exchange::main_mode, e.ike_version = 1;
            } else if (contains(kind, "Aggressive Mode")) {
                e.exchange = Exchange::aggressive_mode, e.ike_version = 1;
            } else {
                e.exchange = Exchange::ike_sa_init, e.ike_version = 2;
            }
            return emit(EventKind::negotiation_start);
        }
        if (consume(m, "IKE_SA ")) {
            std::string name, id;
            split_sa_name(m.substr(0, m.find(' ')), name, id);
            if (!id.empty()) {
                e.sa = id;
                if (name != "(unnamed)") e.connection = name;
            }
            if (auto between = m.find(" established between "); between != std::string_view::npos) {
                std::string_view ends = m.substr(between + 21);
                e.local = addresses_.leading(ends);
                auto dots = ends.find("...");
                if (dots != std::string_view::npos) e.peer = addresses_.leading(ends.substr(dots + 3));
                e.detail = std::string(ends);
                return emit(EventKind::phase1_established);
            }
            if (contains(m, "=> DESTROYING")) return emit(EventKind::deleted);
            return true;
        }
        if (consume(m, "CHILD_SA ")) {
            if (auto spis = m.find(" established with SPIs "); spis != std::string_view::npos) {
                std::string_view rest = m.substr(spis + 23);
                auto ts = rest.find(" and TS ");
                e.spi = std::string(rest.substr(0, ts));
                if (ts != std::string_view::npos) e.detail = "TS " + std::string(rest.substr(ts + 8));
                e.phase2 = true;
                return emit(EventKind::child_established);
            }
            return true;
        }
        if (consume(m, "received ")) {
            // "received NO_PROPOSAL_CHOSEN error notify" (v1), "received AUTHENTICATION_FAILED notify error" (v2),
            // "received TS_UNACCEPTABLE notify, no CHILD_SA built"
            auto space = m.find(' ');
            std::string_view notify = m.substr(0, space);
            std::string_view tail = space == std::string_view::npos ? std::string_view{} : m.substr(space + 1);
            if (starts_with(tail, "error notify") || starts_with(tail, "notify error") ||
                starts_with(tail, "notify, no CHILD_SA")) {
                e.notify = std::string(notify);
                const char* code = notify_code(notify);
                e.phase2 = code == codes::ts_unacceptable;
                if (starts_with(tail, "error notify")) e.ike_version = 1;
                if (starts_with(tail, "notify error") || starts_with(tail, "notify, no")) e.ike_version = 2;
                return emit(EventKind::notify_received, code);
            }
            if (consume(m, "proposals: ")) {
                e.proposal_side = ProposalSide::received;
                e.detail = std::string(m);
                return emit(EventKind::proposals);
            }
            if (starts_with(m, "DELETE for IKE_SA")) return emit(EventKind::deleted);
            return true;
        }
        if (consume(m, "configured proposals: ")) {
            e.proposal_side = ProposalSide::configured;
            e.detail = std::string(m);
            return emit(EventKind::proposals);
        }
        if (starts_with(m, "no IKE config found for ")) {
            // "no IKE config found for 203.0.113.2...198.51.100.2, sending NO_PROPOSAL_CHOSEN"
            std::string_view ends = m.substr(24);
            e.local = addresses_.leading(ends);
            auto dots = ends.find("...");
            if (dots != std::string_view::npos) e.peer = addresses_.leading(ends.substr(dots + 3));
            e.detail = std::string(m.substr(0, m.find(',')));
            e.role = Role::responder;
            e.also = codes::unknown_peer;
            if (contains(m, "NO_PROPOSAL_CHOSEN")) e.notify = "NO_PROPOSAL_CHOSEN";
            return emit(EventKind::error, codes::no_proposal_chosen);
        }
        if (m == "no proposal found" || starts_with(m, "received proposals unacceptable")) {
            return emit(EventKind::error, codes::no_proposal_chosen);
        }
        if (contains(m, "decryption failed?") || starts_with(m, "could not decrypt payloads") ||
            contains(m, "but MAC mismatched") || starts_with(m, "Aggressive Mode PSK disabled") ||
            starts_with(m, "verification of AUTH payload") || contains(m, "no shared key found for")) {
            e.detail = std::string(m);
            return emit(EventKind::error, codes::auth_failed);
        }
        if (starts_with(m, "looking for ") && contains(m, "peer configs matching ")) {
            // "looking for peer configs matching 192.0.2.1[%any]...198.51.100.2[site-b]": names both ends, for
            // excerpts where no other line does.
            last_id_lookup_ = std::string(after(m, "matching ", ""));
            std::string_view ends = after(m, "matching ", "");
            auto dots = ends.find("...");
            if (dots == std::string_view::npos) return true;
            e.local = addresses_.leading(ends);
            e.peer = addresses_.leading(ends.substr(dots + 3));
            if (e.peer.empty()) return true;
            return emit(EventKind::message_received);
        }
        if (m == "no peer config found" || m == "no matching peer config found") {
            e.detail = last_id_lookup_.empty() ? std::string(m) : "peer configs matching " + last_id_lookup_;
            return emit(EventKind::error, codes::id_mismatch);
        }
        if (starts_with(m, "IDir '") && contains(m, "' does not match to '")) {
            // IKEv1 main mode: the ID the responder sent is not the one configured for it (rightid).
            e.detail = std::string(m);
            e.ike_version = 1;
            return emit(EventKind::error, codes::id_mismatch);
        }
        if (consume(m, "no matching CHILD_SA config found for ")) {
            e.detail = std::string(m);
            e.phase2 = true;
            return emit(EventKind::error, codes::ts_unacceptable);
        }
        if (starts_with(m, "traffic selectors ") && ends_with(m, " unacceptable")) {
            e.detail = std::string(m);
            e.phase2 = true;
            return emit(EventKind::error, codes::ts_unacceptable);
        }
        // "sending retransmit 1 of request message ID 0, seq 1" (v1)
        if (consume(m, "sending retransmit ")) {
            std::string_view id = after(m, "message ID ", ",");
            e.ike_version = 1;
            int seq = std::atoi(std::string(after(m, "seq ", " ")).c_str());
            if (id == "0") {
                e.message_number = seq > 0 ? 2 * seq - 1 : 0;
            } else {
                e.phase2 = true;
            }
            e.detail = std::string(msg);
            return emit(EventKind::retransmit);
        }
        // "retransmit 1 of request with message ID 0" (v2)
        if (starts_with(m, "retransmit ") && contains(m, " of request with message ID ")) {
            std::string_view id = after(m, "message ID ", " ");
            e.ike_version = 2;
            if (id == "0") {
                e.exchange = Exchange::ike_sa_init;
            } else if (id == "1") {
                e.exchange = Exchange::ike_auth;
            } else {
                e.phase2 = true;
            }
            e.detail = std::string(msg);
            return emit(EventKind::retransmit);
        }
        if (starts_with(m, "giving up after ") || starts_with(m, "establishing IKE_SA failed, peer not responding") ||
            starts_with(m, "peer not responding")) {
            e.detail = std::string(msg);
            return emit(EventKind::give_up);
        }
        if (m == "sending DPD request") return emit(EventKind::dpd);
        if (starts_with(m, "deleting IKE_SA ")) return emit(EventKind::deleted);
        return true;
    }
};

std::unique_ptr<LineParser> create_strongswan() { return std::make_unique<StrongswanParser>(); }
std::unique_ptr<LineFilter> create_strongswan_filter() { return std::make_unique<StrongswanFilter>(); }

}  // namespace

const FormatInfo& format_strongswan() {
    static const FormatInfo info{"strongswan",
                                 "strongSwan charon (filelog or syslog; also pfSense, OPNsense, VyOS)",
                                 true,
                                 sniff_strongswan,
                                 create_strongswan,
                                 create_strongswan_filter};
    return info;
}

}  // namespace nettool::ikelog
