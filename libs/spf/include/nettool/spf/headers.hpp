#pragma once
// Reading a delivered message's header (RFC 5322): the Received: chain in the forms of the common MTAs (Postfix,
// Sendmail, Exim, qmail, Exchange/Office 365, Gmail, Yahoo, GMX, Oracle, InterMail, Courier, Domino, ZMailer,
// Microsoft SMTPSVC), the receiver's own SPF verdict (Received-SPF, Authentication-Results), Return-Path, and the
// Purported Responsible Address of RFC 4407. Pure: text in, structs out; every value remembers its header line.
#include "nettool/wire/ip_address.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::spf {

struct HeaderField {
    std::string name;   // as written
    std::string value;  // unfolded (CRLF + WSP -> WSP), leading space trimmed
    std::size_t line = 0;  // 1-based line where the field starts
};

struct ParsedHeader {
    std::vector<HeaderField> fields;  // in order, top first
    std::size_t skipped_lines = 0;    // lines that were neither a field nor a continuation
};

// Splits the header (up to the first empty line) into fields. Never fails; junk lines are counted.
ParsedHeader parse_header(std::string_view message);

// What a hop is to the receiving organisation, decided by analyse_header().
enum class HopRole {
    internal,   // added inside the receiving organisation (private client, same organisation, --trusted, no client)
    retrieval,  // not an SMTP hand-off: POP3/IMAP fetch, LMTP, HTTP, local delivery
    entry,      // the hand-off into the receiving organisation: the client SPF is about
    external,   // earlier hops, written by servers outside the receiving organisation (unverifiable)
};
const char* to_string(HopRole role);

struct ReceivedHop {
    std::size_t line = 0;
    std::size_t index = 0;  // 0 = the topmost Received: field
    std::string raw;
    std::string helo;       // the name the client gave (HELO/EHLO)
    std::string reverse_name;  // the receiver's reverse-DNS name for the client, when shown
    std::optional<IpAddress> ip;  // the client's address
    std::string by;          // the receiving host
    std::string protocol;    // the `with` (or `via`) value, upper case: "ESMTPS", "SMTP", "POP3", "HTTP", ...
    std::string date;        // after the last ';'
    bool authenticated = false;  // ESMTPA/ESMTPSA, "(Authenticated sender: ...)", "(AUTH: ...)": a submission
    // The MTA that wrote the field: "postfix", "sendmail", "exim", "qmail", "exchange", "office365", "gmail",
    // "yahoo", "gmx", "oracle", "intermail", "courier", "domino", "zmailer", "smtpsvc", "communigate", "smtp"
    // (a from/by field of no known MTA) or "local" (no `from` clause).
    std::string form;
    HopRole role = HopRole::external;
    std::string role_reason;
};

// One Received: value into its parts; a value without a client address gives a hop with no ip.
ReceivedHop parse_received(std::string_view value);

// Relays the user declares part of the receiving side, like SpamAssassin's trusted_networks/internal_networks.
struct TrustedRelays {
    std::vector<IpPrefix> networks;
    std::vector<std::string> domains;  // lower case; a client whose rDNS name is in or under one is internal
    bool empty() const { return networks.empty() && domains.empty(); }
};
// "192.0.2.0/24", "2001:db8::/32", "192.0.2.7" or "mx.example.com"/"example.com"; nullopt for anything else.
std::optional<std::string> add_trusted(TrustedRelays& trusted, std::string_view text);

// The receiver's own SPF verdict on the message, when a header field names the client it checked.
struct ReceiverVerdict {
    std::string field;  // "Received-SPF" or "Authentication-Results"
    std::size_t line = 0;
    std::string result;  // "pass", "fail", ... as written
    IpAddress client;
};

// "mail.example.co.uk" -> "example.co.uk": the last two labels, or three under a two-letter country code whose
// second level is a generic one (co, ac, or, ne, com, ...). A heuristic, not the Public Suffix List.
std::string registered_domain(std::string_view host);

struct HeaderFindings {
    std::vector<ReceivedHop> hops;   // every Received: field, top first
    std::optional<std::size_t> entry;  // index of the hop into the receiving organisation
    std::string entry_reason;
    std::optional<ReceiverVerdict> receiver_verdict;  // the verdict that chose the entry, when one did
    std::string verdict_note;  // why a verdict header present in the message was not used
    std::optional<std::string> return_path;  // the MAIL FROM ("" = null sender)
    std::size_t return_path_line = 0;
    // Purported Responsible Address (RFC 4407 section 2).
    std::optional<std::string> pra;
    std::string pra_field;  // "Resent-Sender", "Resent-From", "Sender", "From"
    std::size_t pra_line = 0;
    std::string pra_problem;  // why none could be determined
    std::size_t skipped_lines = 0;
};

// The hop into the receiving organisation, chosen as a receiver would: (1) the receiver's own Received-SPF /
// Authentication-Results, when it names the client of a Received: field below it; (2) else walking down from the
// top past the receiving organisation's own hops (private or loopback clients, clients in the same registered
// domain as a receiving host above, `trusted` relays, hops with no client) and past retrievals; (3) the first hop
// left is the entry. Every hop gets its role and the reason for it.
HeaderFindings analyse_header(std::string_view message, const TrustedRelays& trusted = {});

// The addr-spec of one mailbox ("Name <a@b>" / "a@b (comment)"), or nullopt when the value is not exactly one
// mailbox with a domain.
std::optional<std::string> single_mailbox(std::string_view value);

void to_json(nlohmann::json& j, const ReceivedHop& hop);
void to_json(nlohmann::json& j, const HeaderFindings& findings);

}  // namespace nettool::spf
