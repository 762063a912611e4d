#pragma once
// Lint mode (no client IP): the domain's SPF and Sender ID records, the include/redirect tree with every node's
// record and terms, the DNS-lookup count against 10 and the void-lookup count against 2, and findings (as
// Diagnosis objects with stable codes) that point at the record and column of each problem. Pure over a DnsView.
#include "nettool/core/diagnosis.hpp"
#include "nettool/spf/check_host.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace nettool::spf {

struct LintTerm {
    std::string text;
    std::size_t position = 0;
    bool lookup = false;  // counts against the limit of 10
    std::string note;     // "void: NXDOMAIN", "3 MX names", "target uses macros: not followed", ...
    bool unreachable = false;          // after the record's first 'all'
    std::vector<IpAddress> addresses;  // a: the A answer (so --suggest can check those senders still pass)
};

struct LintNode {
    std::string domain;
    std::string via;  // the term that led here ("include:..." / "redirect=..."); empty for the top
    int depth = 0;
    LookupStatus status = LookupStatus::records;  // of the TXT lookup
    std::string record;                           // the selected SPF record ("" when none)
    std::size_t strings = 0;                      // character-strings of that record
    std::size_t answer_size = 0;                  // bytes of the TXT answer
    std::vector<LintTerm> terms;
    std::string problem;  // "no SPF record", "include loop", "syntax error at column 9: ...", ...
};

struct LintReport {
    std::string domain;
    std::vector<LintNode> nodes;  // the tree in pre-order (depth gives the nesting)
    int lookups = 0;              // DNS-querying terms evaluation could reach (worst case)
    int void_lookups = 0;         // of the resolvable targets, how many answer NXDOMAIN/no data
    std::vector<std::string> txt_records;       // every TXT string at the domain (joined)
    std::vector<std::string> type99_records;    // deprecated SPF (type 99) RRs
    std::vector<std::string> sender_id_records;  // spf2.0/...
    std::vector<Diagnosis> findings;
};

LintReport lint_domain(DnsView& dns, const std::string& domain, const Limits& limits = {});
// Prefetch predictions for lint (TXT of include/redirect targets, A/MX of plain a/mx/exists targets).
Prefetcher lint_prefetcher();

void to_json(nlohmann::json& j, const LintReport& report);

}  // namespace nettool::spf
