#pragma once
// SPF record syntax (RFC 7208 section 4.6, 5, 6, 7 and Appendix A; Sender ID "spf2.0/<scopes>" of RFC 4406):
// pure text in, terms out. Every term keeps its 1-based column so lint findings can point at it; the first syntax
// error stops parsing and is reported with its column (check_host() turns it into permerror).
#include "nettool/wire/ip_address.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::spf {

enum class Qualifier { pass, fail, softfail, neutral };  // + - ~ ?
const char* qualifier_char(Qualifier qualifier);         // "+", "-", "~", "?"

enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };
const char* to_string(MechanismKind kind);

enum class ModifierKind { redirect, exp, unknown };

struct Term {
    bool is_modifier = false;
    std::size_t position = 1;  // 1-based column of the term in the record text
    std::string text;          // the term exactly as written
    // Mechanisms:
    Qualifier qualifier = Qualifier::pass;
    bool explicit_qualifier = false;
    MechanismKind mechanism = MechanismKind::all;
    std::optional<IpPrefix> network;  // ip4 / ip6
    int cidr4 = 32;                   // a / mx dual-cidr-length
    int cidr6 = 128;
    // Modifiers:
    ModifierKind modifier = ModifierKind::unknown;
    std::string name;  // modifier name as written
    // Target domain-spec (include, a, mx, ptr, exists, redirect, exp) or an unknown modifier's macro-string;
    // empty when a/mx/ptr use the current domain.
    std::string domain_spec;

    // The terms RFC 7208 4.6.4 counts against the limit of 10 DNS lookups.
    bool counts_as_lookup() const;
};

struct SyntaxError {
    std::size_t position = 1;  // 1-based column
    std::string term;          // the offending term (may be empty for record-level errors)
    std::string message;
};

struct ParsedRecord {
    std::string text;
    std::string version;  // "v=spf1" or "spf2.0/pra" as written
    std::vector<Term> terms;
    std::optional<std::size_t> redirect;  // index into terms
    std::optional<std::size_t> exp;       // index into terms
    std::optional<SyntaxError> error;     // set: the record is invalid (terms holds those before the error)

    bool ok() const { return !error.has_value(); }
};

// What a TXT string is, as far as record selection goes.
enum class RecordVersion { not_spf, spf1, spf2 };

// "v=spf1" (case-insensitive) followed by a space or the end; or "spf2.0/<scope>[,<scope>...]".
RecordVersion record_version(std::string_view text);
// For "spf2.0/mfrom,pra" records: true when `scope` ("pra", "mfrom") is listed.
bool spf2_has_scope(std::string_view text, std::string_view scope);

// Parses a whole record (the selected TXT string, all character-strings joined).
ParsedRecord parse_record(std::string_view text);

// Macro-string syntax (RFC 7208 7.1). `explanation` allows spaces and the c, r, t letters.
// Returns an error message, or nullopt when valid.
std::optional<std::string> check_macro_string(std::string_view text, bool explanation);
// domain-spec = macro-string domain-end; domain-end = ("." toplabel ["."]) / macro-expand.
std::optional<std::string> check_domain_spec(std::string_view text);

// True when the text contains a macro-expand other than %%, %_ and %-.
bool has_macros(std::string_view text);

}  // namespace nettool::spf
