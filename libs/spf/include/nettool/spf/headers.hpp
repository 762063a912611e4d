#pragma once
// Reading a delivered message's header (RFC 5322): the Received: chain (Postfix, Sendmail, Exim, Exchange, Gmail and
// qmail forms, IPv6 and [bracketed] literals), Return-Path, and the Purported Responsible Address of RFC 4407.
// Pure: text in, structs out; every value remembers the header line it came from.
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

struct ReceivedHop {
    std::size_t line = 0;
    std::size_t index = 0;  // 0 = the topmost Received: field
    std::string raw;
    std::string helo;       // the name the client gave (HELO/EHLO)
    std::string reverse_name;  // the receiver's reverse-DNS name for the client, when shown
    std::optional<IpAddress> ip;  // the client's address
    std::string by;          // the receiving host
    std::string form;        // "postfix/sendmail", "exim", "exchange", "qmail", "local"
};

// One Received: value into its parts; a value without a client address gives a hop with no ip.
ReceivedHop parse_received(std::string_view value);

struct HeaderFindings {
    std::vector<ReceivedHop> hops;   // every Received: field, top first
    std::optional<std::size_t> entry;  // index of the hop into the receiving organisation
    std::string entry_reason;
    std::optional<std::string> return_path;  // the MAIL FROM ("" = null sender)
    std::size_t return_path_line = 0;
    // Purported Responsible Address (RFC 4407 section 2).
    std::optional<std::string> pra;
    std::string pra_field;  // "Resent-Sender", "Resent-From", "Sender", "From"
    std::size_t pra_line = 0;
    std::string pra_problem;  // why none could be determined
    std::size_t skipped_lines = 0;
};

// The hop into the receiving organisation is the topmost Received: field whose client address is public (private,
// loopback and link-local hops are internal relays).
HeaderFindings analyse_header(std::string_view message);

// The addr-spec of one mailbox ("Name <a@b>" / "a@b (comment)"), or nullopt when the value is not exactly one
// mailbox with a domain.
std::optional<std::string> single_mailbox(std::string_view value);

void to_json(nlohmann::json& j, const ReceivedHop& hop);
void to_json(nlohmann::json& j, const HeaderFindings& findings);

}  // namespace nettool::spf
