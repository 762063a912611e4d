#pragma once
// check_host() of RFC 7208 section 4, as a pure sequential function over a DnsView (see lookup.hpp for how it runs
// concurrently), plus Sender ID record selection (RFC 4406: spf2.0/pra, falling back to v=spf1).
#include "nettool/spf/lookup.hpp"
#include "nettool/spf/macro.hpp"
#include "nettool/spf/record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nettool::spf {

enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };
const char* to_string(SpfResult result);

enum class Scope { mfrom, pra };
const char* to_string(Scope scope);

struct Limits {
    int max_lookups = 10;  // RFC 7208 4.6.4: DNS-querying terms per check
    int max_void = 2;      // void lookups (NOERROR-nodata or NXDOMAIN)
    int max_mx = 10;       // MX names per mx term (more is permerror)
    int max_ptr = 10;      // PTR names looked at (the rest ignored)
    int max_depth = 12;    // include/redirect nesting (the lookup limit stops loops first)
};

struct CheckRequest {
    IpAddress ip;
    std::string sender;  // MAIL FROM (or the PRA for Sender ID); empty: the null sender
    std::string helo;
    std::string domain;  // empty: the sender's domain, or the HELO name for the null sender
    Scope scope = Scope::mfrom;
    std::string receiver = "unknown";  // %{r}
    std::int64_t timestamp = 0;        // %{t}
    Limits limits;
    // Evaluate this text as the record of `domain` instead of asking DNS (used to verify a suggested record).
    std::optional<std::string> record_override;
};

// One record on the way to the decision: its domain, the record, and the term taken there.
struct PathStep {
    std::string domain;
    std::string record;
    std::string term;          // "include:_spf.example.net", "ip4:192.0.2.0/24", "redirect=...", "(default)"
    std::size_t position = 0;  // 1-based column of term in record; 0 when none
};

// One void lookup (RFC 7208 4.6.4: an answer with no records, NOERROR or NXDOMAIN) and the term that made it.
struct VoidLookup {
    std::string domain;  // the record whose term it was
    std::string term;    // "mx:example.com", "ptr", ...
    std::string query;   // "AAAA mx2.example.com"
    LookupStatus status = LookupStatus::nodata;
};

struct CheckResult {
    SpfResult result = SpfResult::none;
    std::string domain;      // the domain checked first
    std::string sender;      // effective sender (postmaster@helo for the null sender)
    std::string mechanism;   // the top-level term that decided; empty for none/default/errors
    std::vector<PathStep> path;
    std::string reason;      // why: "no SPF record", "syntax error at column 12: ...", "matched ip4:..."
    std::optional<std::string> explanation;  // expanded exp= text, only when an exp= applied
    std::string default_explanation;         // the wording used when no exp= applies (fail only)
    int lookups = 0;
    int void_lookups = 0;
    std::vector<VoidLookup> void_terms;  // every void lookup counted, in evaluation order
};

// Effective sender and domain for a request (null sender -> postmaster@helo; no local part -> postmaster).
struct Identity {
    std::string sender;
    std::string local_part;
    std::string domain;  // the sender's domain
};
Identity sender_identity(const std::string& sender, const std::string& helo);

// Which TXT strings are the domain's policy for the scope: v=spf1 for mfrom; for pra the spf2.0 records listing
// "pra", or the v=spf1 ones when there are none.
std::vector<std::string> select_records(const std::vector<std::string>& txt, Scope scope);

// check_host() itself; throws NeedLookup for answers not in `dns`.
CheckResult check_host(DnsView& dns, const CheckRequest& request);

// Predicts the lookups an answer leads to (targets of a fetched record's terms, addresses of MX/PTR names).
Prefetcher check_host_prefetcher(const CheckRequest& request);

// The macro context for a request (without %{p}, which needs DNS).
MacroContext macro_context(const CheckRequest& request, const std::string& domain);

}  // namespace nettool::spf
