#pragma once
// Macro expansion (RFC 7208 section 7): letters s l o d i p h v (and c r t in explanation text), transformers
// (right-hand part count, reversal), delimiters, %% %_ %-, URL escaping for upper-case letters, and the
// 253-character left truncation of expanded domain names. Pure: %{p} comes through a callback.
#include "nettool/core/error.hpp"
#include "nettool/wire/ip_address.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace nettool::spf {

struct MacroContext {
    std::string sender;         // <sender>: local-part@domain (postmaster@helo for the null sender)
    std::string local_part;     // %{l}
    std::string sender_domain;  // %{o}
    std::string domain;         // %{d}: the domain whose record is being evaluated
    IpAddress ip;               // %{i}, %{c}, %{v}
    std::string helo;           // %{h}
    std::string receiver = "unknown";  // %{r}
    std::int64_t timestamp = 0;        // %{t}
    // %{p}: the validated domain name of ip ("unknown" when none); may perform (cached) DNS lookups.
    std::function<std::string()> validated_name;
};

// Expands a macro-string (syntax already checked or not: bad syntax gives an input error).
// `explanation`: explain-string rules (spaces allowed, c/r/t letters allowed).
Result<std::string> expand_macros(std::string_view text, const MacroContext& context, bool explanation);

// Expands a domain-spec into a name to query: expansion, then one trailing dot removed, then left labels dropped
// until the name is at most 253 characters.
Result<std::string> expand_domain(std::string_view domain_spec, const MacroContext& context);

// %{i}: dotted quad for IPv4; 32 dot-separated upper-case nibbles for IPv6.
std::string ip_macro_value(const IpAddress& ip);
// The reverse-lookup name: "4.3.2.1.in-addr.arpa" / "<nibbles reversed>.ip6.arpa".
std::string reverse_name(const IpAddress& ip);
// RFC 3986 escaping of everything outside the unreserved set.
std::string url_escape(std::string_view text);

// RFC 7208 4.3 validity of a domain for check_host(): labels of 1..63 bytes, at most 253 bytes, at least two labels,
// not a [literal]. A trailing dot is accepted.
bool valid_check_domain(std::string_view domain);
// A name that can be put in a DNS query: labels 1..63, total at most 253 (trailing dot accepted).
bool valid_query_name(std::string_view name);

}  // namespace nettool::spf
