#pragma once
// `nettool spf`: one request in, one SpfReport out (lint, evaluation for one or more client IPs, header analysis,
// record suggestion), with diagnoses as data, a JSON form and a human renderer.
#include "nettool/core/diagnosis.hpp"
#include "nettool/core/error.hpp"
#include "nettool/core/style.hpp"
#include "nettool/spf/check_host.hpp"
#include "nettool/spf/headers.hpp"
#include "nettool/spf/lint.hpp"
#include "nettool/wire/dns_server.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace nettool::spf {

struct SpfRequest {
    std::string domain;                // positional DOMAIN; may be empty with --ip/--sender or --headers
    std::vector<std::string> ips;      // --ip, as typed (validated by build_plan)
    std::optional<std::string> sender;  // --sender; "" = the null sender
    std::string helo;
    std::optional<std::string> headers_text;  // contents of --headers FILE
    std::string headers_source;               // the file name, for evidence
    TrustedRelays trusted;                    // --trusted: relays of the receiving side (with --headers)
    Scope scope = Scope::mfrom;
    bool suggest = false;
    std::vector<DnsServer> servers;  // --dns-server; empty: /etc/resolv.conf
    std::chrono::milliseconds timeout{2000};
    int tries = 2;
    std::string receiver;  // %{r} and the Received-SPF receiver= (default: "nettool")
};

// One check_host() run as reported.
struct Evaluation {
    CheckRequest request;
    CheckResult result;
    std::string identity;  // "mailfrom" or "pra"
    std::string received_spf;
    DriverStats dns;
};

struct Suggestion {
    std::string domain;
    std::string current;    // the record now ("" when none; the first one when there are several)
    std::vector<std::string> current_records;  // every v=spf1 record published now
    std::string proposed;
    std::vector<std::string> changes;  // one line per change, with the reason
    std::vector<std::string> delete_records;  // TXT records to delete once `proposed` is published
    std::vector<std::string> unresolved;      // terms we could not repair; kept out, shown, to be fixed by hand
    bool flattened = false;                    // includes were replaced by their addresses to stay within 10
    int lookups = 0;                   // of the proposed record's tree
    std::vector<std::pair<std::string, std::string>> verification;  // ip -> result with the proposed record
    // Every address the current record(s) authorise that we could enumerate (ip4/ip6 terms of the tree, a/mx
    // addresses lint saw, observed senders) evaluated with the current and the proposed record.
    std::vector<std::string> sample_ips;  // filled by suggest_record: the addresses to check
    std::size_t samples_total = 0;  // addresses found before the spread to at most 256 sample_ips
    std::vector<std::string> repaired_ips;  // addresses of repaired terms: meant to pass, so checked too
    int checked = 0;                      // how many of them passed before (or were meant to) and were re-checked
    std::vector<std::string> regressions;  // "ip: pass -> fail"; empty when the suggestion keeps every sender
};

enum class SpfMode { lint, evaluate, headers };

struct SpfReport {
    SpfMode mode = SpfMode::lint;
    std::string domain;
    std::optional<LintReport> lint;
    std::optional<HeaderFindings> headers;
    std::vector<Evaluation> evaluations;
    std::optional<Suggestion> suggestion;
    std::vector<Diagnosis> diagnoses;
    std::vector<std::string> servers;
    DriverStats lint_dns;
};

// Validates the request (usage errors) and runs it. The DNS side is injected: production passes a
// DnsClientResolver, tests a TableResolver. Each evaluation and the lint run get their own answer cache.
Result<SpfReport> run_spf(const SpfRequest& request, Resolver& resolver);

// Production entry point: DnsClient on a private io_context, servers from the request or /etc/resolv.conf.
Result<SpfReport> run_spf_with_dns(const SpfRequest& request);

// The Received-SPF field a receiver would add (RFC 7208 section 9.1).
std::string received_spf_header(const CheckRequest& request, const CheckResult& result, const std::string& identity,
                                const std::string& receiver);

// Proposes a record for `lint`'s domain that lets every `evaluations` IP pass.
Suggestion suggest_record(const LintReport& lint, const std::vector<Evaluation>& evaluations);

void to_json(nlohmann::json& j, const Evaluation& evaluation);
void to_json(nlohmann::json& j, const Suggestion& suggestion);
void to_json(nlohmann::json& j, const SpfReport& report);
void render_spf_report(std::ostream& out, const SpfReport& report, const Style& style);

}  // namespace nettool::spf
