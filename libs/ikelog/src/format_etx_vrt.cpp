// I-O DATA ETX-VRT small-office router (the field case): no time stamps, the peer address only in the
// "[==== IKE PHASE 1(to A) START (initiator) ====]" banner, phase 2 never logged. Lines may carry a syslog prefix.
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <array>
#include <string>

namespace nettool::ikelog {

namespace {

using namespace text;

int sniff_etx(std::string_view line) {
    if (contains(line, "[==== IKE PHASE") || contains(line, " OF MAIN MODE ****") ||
        contains(line, "**** RECEIVED IKE NOTIFY PAYLOAD(") || contains(line, "ERROR# ") ||
        contains(line, "SENDING NOTIFY MSG:") || contains(line, "**** MAIN MODE COMPLETED"))
        return 2;
    if (contains(line, "PAYLOADS: ") || contains(line, ",ID Data=") || contains(line, "**** ")) return 1;
    return 0;
}

int ordinal(std::string_view word) {
    static constexpr std::array<std::string_view, 6> words = {"FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH"};
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (word == words[i]) return static_cast<int>(i) + 1;
    }
    return 0;
}

const char* notify_code(std::string_view notify) {
    if (notify == "NO_PROPOSAL_CHOSEN") return codes::no_proposal_chosen;
    if (notify == "AUTHENTICATION_FAILED" || notify == "INVALID_HASH_INFORMATION" ||
        notify == "INVALID_SIGNATURE")
        return codes::auth_failed;
    if (notify == "INVALID_ID_INFORMATION" || notify == "TS_UNACCEPTABLE") return codes::ts_unacceptable;
    return "";
}

class EtxParser : public LineParser {
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
            e.sa = std::to_string(serial_);
            e.peer = peer_;
            out.push_back(std::move(e));
            return true;
        };
        if (auto banner = s.find("[==== IKE PHASE "); banner != std::string_view::npos) {
            std::string_view b = s.substr(banner + 16);
            bool phase2 = starts_with(b, "2");
            if (contains(b, "ESTABLISHED")) {
                if (phase2) {
                    e.phase2 = true;
                    return emit(EventKind::child_established);
                }
                return emit(EventKind::phase1_established);
            }
            if (contains(b, " START")) {
                if (phase2) {
                    e.phase2 = true;
                    e.exchange = Exchange::quick_mode;
                    return emit(EventKind::message_sent);
                }
                ++serial_;
                std::string addr = leading_address(after(b, "(to ", ")"));
                if (addr.empty()) addr = leading_address(after(b, "(from ", ")"));
                peer_ = addr;
                e.role = contains(b, "(responder)") ? Role::responder : Role::initiator;
                e.exchange = Exchange::main_mode;
                return emit(EventKind::negotiation_start);
            }
            return true;
        }
        if (auto stars = s.find("**** "); stars != std::string_view::npos) {
            std::string_view body = s.substr(stars + 5);
            if (auto end = body.rfind(" ****"); end != std::string_view::npos) body = body.substr(0, end);
            if (consume(body, "RECEIVED IKE NOTIFY PAYLOAD(")) {
                e.notify = std::string(body.substr(0, body.find(')')));
                return emit(EventKind::notify_received, notify_code(e.notify));
            }
            bool sent = consume(body, "SENT OUT ");
            bool received = !sent && consume(body, "RECEIVED ");
            if ((sent || received) && contains(body, " MESSAGE OF ")) {
                e.message_number = ordinal(body.substr(0, body.find(' ')));
                if (ends_with(body, "AGGRESSIVE MODE")) {
                    e.exchange = Exchange::aggressive_mode;
                } else if (ends_with(body, "QUICK MODE")) {
                    e.exchange = Exchange::quick_mode, e.phase2 = true;
                } else {
                    e.exchange = Exchange::main_mode;
                }
                if (received && e.message_number == 1) e.role = Role::responder;
                return emit(sent ? EventKind::message_sent : EventKind::message_received);
            }
            return true;  // MAIN MODE COMPLETED, INFORMATIONAL EXCHANGE MESSAGE(...)
        }
        if (auto err = s.find("ERROR# "); err != std::string_view::npos) {
            std::string_view what = s.substr(err + 7);
            e.detail = std::string(what);
            if (contains(what, "DIALUP CASE")) {
                // The source address matched no configured peer: the dial-up policy answered, and its proposals
                // did not match.
                e.also = codes::unknown_peer;
                e.role = Role::responder;
                return emit(EventKind::error, codes::no_proposal_chosen);
            }
            if (contains(what, "PROPOSAL")) return emit(EventKind::error, codes::no_proposal_chosen);
            if (contains(what, "HASH") || contains(what, "AUTH") || contains(what, "PRESHARED") ||
                contains(what, "PRE-SHARED"))
                return emit(EventKind::error, codes::auth_failed);
            if (contains(what, " ID ") || contains(what, "IDENTIFICATION")) return emit(EventKind::error, codes::id_mismatch);
            return emit(EventKind::error);
        }
        if (auto notify = s.find("SENDING NOTIFY MSG:"); notify != std::string_view::npos) {
            e.notify = std::string(trim(s.substr(notify + 19)));
            return emit(EventKind::notify_sent, notify_code(e.notify));
        }
        if (auto id = s.find(",ID Data="); id != std::string_view::npos) {
            // Printed before this side sends its own ID: the local address.
            e.local = leading_address(s.substr(id + 9));
            e.detail = std::string(s.substr(s.find("Type")  == std::string_view::npos ? 0 : s.find("Type")));
            return emit(EventKind::unknown);
        }
        if (contains(s, "PAYLOADS: ")) return true;
        return false;
    }

private:
    int serial_ = 0;
    std::string peer_;
};

std::unique_ptr<LineParser> create_etx() { return std::make_unique<EtxParser>(); }

}  // namespace

const FormatInfo& format_etx_vrt() {
    static const FormatInfo info{"etx-vrt", "I-O DATA ETX-VRT router log (no time stamps, phase 1 only)", false,
                                 sniff_etx, create_etx};
    return info;
}

}  // namespace nettool::ikelog
