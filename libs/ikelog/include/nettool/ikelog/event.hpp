#pragma once
// Typed IKE log events: what every vendor parser turns a log line into, and what the analyser consumes.
// A parser fills only what the line says; empty strings / zero mean "the line does not tell".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nettool::ikelog {

enum class EventKind {
    unknown,
    negotiation_start,   // a new IKE SA / phase 1 attempt begins (role and, when printed, the peer)
    message_sent,        // an IKE message went out (exchange, message number in the exchange when known)
    message_received,    // an IKE message came in
    notify_sent,         // a notify (error) was sent to the peer: `notify` names it
    notify_received,     // a notify (error) came from the peer
    retransmit,          // this side resent a request (no answer yet)
    give_up,             // this side stopped retransmitting / the exchange timed out
    phase1_established,  // IKE SA / ISAKMP SA up
    child_established,   // CHILD SA / IPsec SA (quick mode) up
    child_failed,        // phase 2 failed locally (e.g. SA install) - not a negotiation failure code
    deleted,             // the SA was deleted or destroyed (normal close or after a failure)
    dpd,                 // a DPD / liveness probe was sent
    dpd_timeout,         // DPD / liveness declared the peer dead
    proposals,           // proposal lists: `detail` holds them, `proposal_side` says whose
    error,               // an error line that carries a failure code
};

enum class Role { unknown, initiator, responder };

enum class Exchange {
    unknown,
    main_mode,
    aggressive_mode,
    quick_mode,
    informational,
    ike_sa_init,
    ike_auth,
    create_child_sa,
};

enum class ProposalSide { none, received, configured };

// Failure codes every report uses (stable, snake_case). The first seven are the fixed list of the issue.
namespace codes {
inline constexpr const char* no_proposal_chosen = "no_proposal_chosen";
inline constexpr const char* auth_failed = "auth_failed";
inline constexpr const char* peer_unreachable = "peer_unreachable";
inline constexpr const char* id_mismatch = "id_mismatch";
inline constexpr const char* ts_unacceptable = "ts_unacceptable";
inline constexpr const char* dpd_timeout = "dpd_timeout";
inline constexpr const char* unknown_peer = "unknown_peer";
inline constexpr const char* none = "none";
// Not a negotiation failure: the local kernel refused the IPsec SA (reported, never the peer's `failure`).
inline constexpr const char* sa_install_failed = "sa_install_failed";
}  // namespace codes

struct Event {
    EventKind kind = EventKind::unknown;
    Role role = Role::unknown;
    int ike_version = 0;  // 1, 2 or 0 = not said
    Exchange exchange = Exchange::unknown;
    int message_number = 0;  // IKEv1 main/aggressive mode message 1..6 this event is about (0 = not said)
    bool phase2 = false;     // retransmit/give_up/notify concerns phase 2 (quick mode / CHILD SA)
    ProposalSide proposal_side = ProposalSide::none;
    std::string peer;        // remote IP address, as printed
    std::string local;       // local IP address, as printed
    std::string connection;  // configured connection / tunnel / crypto-map name
    std::string sa;          // the daemon's id for the IKE SA this line belongs to (scopes one attempt)
    std::string code;        // failure code the line proves or strongly suggests (codes::...), or empty
    std::string also;        // a second code the same line proves (e.g. unknown_peer), or empty
    std::string notify;      // notify name (NO_PROPOSAL_CHOSEN, AUTHENTICATION_FAILED, ...)
    std::string detail;      // proposals, traffic selectors, IDs, SPIs: short text for evidence
    std::string spi;         // SPIs / cookies printed on the line, for correlating two logs
    std::string time;        // the line's time stamp as printed (empty when the format has none)
    double seconds = -1;     // time stamp as seconds (year ignored), < 0 when unknown
    // Filled by the reader, not by parsers:
    std::size_t file = 0;
    std::size_t line = 0;
};

const char* to_string(EventKind kind);
const char* to_string(Role role);
const char* to_string(Exchange exchange);

}  // namespace nettool::ikelog
