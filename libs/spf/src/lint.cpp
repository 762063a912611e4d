#include "nettool/spf/lint.hpp"

#include "nettool/wire/dns_message.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace nettool::spf {

namespace {

std::string strip_dot(std::string text) {
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
}

std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

class Linter {
public:
    Linter(DnsView& dns, const Limits& limits) : dns_(dns), limits_(limits) {}

    LintReport run(const std::string& domain);

private:
    void visit(const std::string& domain, const std::string& via, int depth, bool top_chain);
    void finding(const char* code, Severity severity, std::string summary, std::vector<Evidence> evidence,
                 std::string advice) {
        for (const auto& f : report_.findings) {
            if (f.code == code && f.summary == summary) return;
        }
        report_.findings.push_back({code, severity, std::move(summary), std::move(evidence), std::move(advice), {}});
    }
    static std::string at(const std::string& domain, std::size_t column) {
        return domain + (column ? " column " + std::to_string(column) : std::string());
    }

    DnsView& dns_;
    Limits limits_;
    LintReport report_;
    std::vector<std::string> stack_;
};

void Linter::visit(const std::string& raw_domain, const std::string& via, int depth, bool top_chain) {
    std::string domain = lower(strip_dot(raw_domain));
    LintNode node;
    node.domain = domain;
    node.via = via;
    node.depth = depth;
    std::size_t index = report_.nodes.size();
    report_.nodes.push_back(node);

    if (std::find(stack_.begin(), stack_.end(), domain) != stack_.end()) {
        report_.nodes[index].problem = "loop: " + domain + " is already being evaluated";
        finding("spf_include_loop", Severity::critical, "include/redirect loop through " + domain,
                {{"term", via, "", at(stack_.back(), 0)}},
                "Remove the include or redirect that points back to " + domain + "; evaluation ends in permerror.");
        return;
    }
    if (depth > limits_.max_depth) return;
    if (!valid_check_domain(domain)) {
        report_.nodes[index].problem = "not a valid domain name";
        finding("spf_bad_domain", Severity::critical, "'" + domain + "' is not a valid domain name",
                {{"domain", domain, "", via}}, "Fix the domain name.");
        return;
    }
    const LookupAnswer& answer = dns_.get(domain, dns_type::txt);
    report_.nodes[index].status = answer.status;
    report_.nodes[index].answer_size = answer.message_size;
    if (answer.is_error()) {
        report_.nodes[index].problem = std::string("TXT lookup ") + to_string(answer.status) +
                                       (answer.detail.empty() ? "" : " (" + answer.detail + ")");
        finding("spf_lookup_error", Severity::critical, "TXT lookup for " + domain + " failed: " + answer.detail,
                {{"TXT " + domain, to_string(answer.status), "an answer", via.empty() ? domain : via}},
                "Receivers get temperror and defer or reject mail; check the domain's name servers.");
        return;
    }
    std::vector<std::string> joined = answer.joined_txt();
    if (depth == 0) report_.txt_records = joined;
    auto records = select_records(joined, Scope::mfrom);
    if (records.empty()) {
        report_.nodes[index].problem = "no SPF record (" + std::string(to_string(answer.status)) + ")";
        if (depth == 0) {
            finding("spf_no_record", Severity::critical, domain + " publishes no v=spf1 record",
                    {{"TXT " + domain, std::to_string(joined.size()) + " TXT records, none v=spf1", "one v=spf1 record",
                      "TXT " + domain}},
                    "Publish a TXT record such as \"v=spf1 ip4:<your relay's address> ~all\" (see --suggest).");
        } else {
            finding("spf_include_missing", Severity::critical, via + ": " + domain + " has no SPF record",
                    {{"TXT " + domain, to_string(answer.status), "one v=spf1 record", via}},
                    "An include or redirect of a domain without an SPF record is a permerror for every message.");
        }
        return;
    }
    if (records.size() > 1) {
        report_.nodes[index].problem = std::to_string(records.size()) + " v=spf1 records";
        finding("spf_multiple_records", Severity::critical,
                domain + " publishes " + std::to_string(records.size()) + " v=spf1 records",
                {{"TXT " + domain, std::to_string(records.size()) + " records", "exactly one", "TXT " + domain}},
                "Merge them into one record; with several, every check is a permerror.");
    }
    const std::string& text = records.front();
    report_.nodes[index].record = text;
    for (const auto& strings : answer.txt) {
        std::string j;
        for (const auto& s : strings) j += s;
        if (j == text) report_.nodes[index].strings = strings.size();
    }
    if (text.size() > 255) {
        finding("spf_long_record", Severity::warning,
                domain + ": the record is " + std::to_string(text.size()) + " bytes (over one 255-byte string)",
                {{"record length", std::to_string(text.size()), "<= 255", "TXT " + domain}},
                "It must be published as several strings that receivers join without spaces; some DNS control "
                "panels break it. Consider shortening it (fewer terms, an include).");
    }
    if (answer.message_size > 512) {
        finding("spf_large_answer", Severity::warning,
                domain + ": the TXT answer is " + std::to_string(answer.message_size) + " bytes (over 512)",
                {{"answer size", std::to_string(answer.message_size), "<= 512", "TXT " + domain}},
                "Receivers without EDNS must retry over TCP; some fail and report temperror. Remove unrelated TXT "
                "records or shorten the SPF record.");
    }
    ParsedRecord record = parse_record(text);
    for (const Term& term : record.terms) {
        LintTerm t;
        t.text = term.text;
        t.position = term.position;
        t.lookup = term.counts_as_lookup();
        report_.nodes[index].terms.push_back(t);
    }
    if (!record.ok()) {
        report_.nodes[index].problem =
            "syntax error at column " + std::to_string(record.error->position) + ": " + record.error->message;
        finding("spf_syntax_error", Severity::critical,
                domain + " column " + std::to_string(record.error->position) + ": " + record.error->message,
                {{"term", record.error->term, "", at(domain, record.error->position)}},
                "Fix the term; a syntax error anywhere makes every check a permerror.");
    }

    bool has_all = false;
    for (const Term& term : record.terms) {
        if (!term.is_modifier && term.mechanism == MechanismKind::all) has_all = true;
    }
    stack_.push_back(domain);
    const Term* first_all = nullptr;  // evaluation ends at the first 'all': later mechanisms are never reached
    for (std::size_t i = 0; i < record.terms.size(); ++i) {
        const Term& term = record.terms[i];
        auto note = [&](std::string text_note) { report_.nodes[index].terms[i].note = std::move(text_note); };
        std::string where = at(domain, term.position);
        if (term.is_modifier) {
            if (term.modifier == ModifierKind::unknown) {
                finding("spf_unknown_modifier", Severity::info, where + ": unknown modifier " + term.name + "=",
                        {{"term", term.text, "", where}}, "Receivers ignore it; remove it if it is a typo.");
            } else if (term.modifier == ModifierKind::exp) {
                if (has_macros(term.domain_spec)) {
                    note("target uses macros: not resolved");
                } else {
                    const LookupAnswer& exp = dns_.get(strip_dot(term.domain_spec), dns_type::txt);
                    if (exp.status != LookupStatus::records || exp.txt.size() != 1) {
                        std::string why = exp.status == LookupStatus::records
                                              ? std::to_string(exp.txt.size()) + " TXT records"
                                              : std::string(to_string(exp.status));
                        note("unreachable: " + why);
                        finding("spf_exp_unreachable", Severity::warning,
                                where + ": exp= target " + strip_dot(term.domain_spec) + " gives no explanation (" +
                                    why + ")",
                                {{"TXT " + strip_dot(term.domain_spec), why, "exactly one TXT record", where}},
                                "Publish exactly one TXT record there, or remove exp=.");
                    }
                }
            } else if (term.modifier == ModifierKind::redirect) {
                if (has_all) {
                    note("ignored: the record has an 'all' mechanism");
                    finding("spf_redirect_ignored", Severity::warning,
                            where + ": " + term.text + " is never followed: the record has an 'all' mechanism",
                            {{"term", term.text, "", where}},
                            "RFC 7208 6.1: redirect= applies only when no mechanism matches, and 'all' always "
                            "matches. Remove the 'all' to use the redirect, or remove the redirect.");
                    continue;
                }
                ++report_.lookups;
                if (has_macros(term.domain_spec)) {
                    note("target uses macros: not followed");
                    continue;
                }
                visit(term.domain_spec, term.text, depth + 1, top_chain);
            }
            continue;
        }
        if (first_all != nullptr) {
            report_.nodes[index].terms[i].unreachable = true;
            note("unreachable: after '" + first_all->text + "' (column " + std::to_string(first_all->position) + ")");
            finding("spf_unreachable_term", Severity::warning,
                    where + ": '" + term.text + "' can never be reached: '" + first_all->text + "' at column " +
                        std::to_string(first_all->position) + " matches every client first",
                    {{"term", term.text, "before the 'all'", where}},
                    "Evaluation stops at the first 'all'. Move the term before it, or delete it.");
            continue;
        }
        if (term.mechanism == MechanismKind::all) first_all = &term;
        if (term.counts_as_lookup()) ++report_.lookups;
        switch (term.mechanism) {
            case MechanismKind::all:
                if (term.qualifier == Qualifier::pass) {
                    finding("spf_pass_all", Severity::critical, where + ": '" + term.text + "' lets every host pass",
                            {{"term", term.text, "~all or -all", where}},
                            "Anyone can send as this domain; end the record with ~all or -all.");
                } else if (term.qualifier == Qualifier::neutral && top_chain) {
                    finding("spf_neutral_all", Severity::warning, where + ": '?all' asserts nothing about other hosts",
                            {{"term", term.text, "~all or -all", where}},
                            "Receivers treat unlisted hosts as neutral; use ~all (or -all) once every sender is listed.");
                }
                break;
            case MechanismKind::ptr:
                finding("spf_ptr_used", Severity::warning, where + ": 'ptr' is slow and discouraged (RFC 7208 5.5)",
                        {{"term", term.text, "ip4/ip6/a terms", where}},
                        "Replace ptr with the addresses it stands for; many receivers skip or time out on it.");
                break;
            case MechanismKind::include:
                if (has_macros(term.domain_spec)) {
                    note("target uses macros: not followed");
                } else {
                    visit(term.domain_spec, term.text, depth + 1, false);
                }
                break;
            case MechanismKind::a:
            case MechanismKind::mx:
            case MechanismKind::exists: {
                if (has_macros(term.domain_spec)) {
                    note("target uses macros: depends on the message");
                    break;
                }
                std::string target = term.domain_spec.empty() ? domain : strip_dot(term.domain_spec);
                std::uint16_t type = term.mechanism == MechanismKind::mx ? dns_type::mx : dns_type::a;
                const LookupAnswer& a = dns_.get(target, type);
                if (a.is_void()) {
                    ++report_.void_lookups;
                    note(std::string("void: ") + (a.status == LookupStatus::nxdomain ? "NXDOMAIN" : "no data"));
                    if (term.mechanism != MechanismKind::exists) {
                        finding("spf_void_lookup", Severity::warning,
                                where + ": " + term.text + " finds nothing (" + to_string(a.status) + ")",
                                {{(type == dns_type::mx ? "MX " : "A ") + target, to_string(a.status), "records",
                                  where}},
                                "Remove the term or publish the records; void lookups count against a limit of 2.");
                    }
                } else if (a.is_error()) {
                    note(std::string("lookup ") + to_string(a.status));
                    finding("spf_lookup_error", Severity::critical,
                            where + ": lookup for " + term.text + " failed (" + a.detail + ")",
                            {{(type == dns_type::mx ? "MX " : "A ") + target, to_string(a.status), "an answer", where}},
                            "Receivers get temperror when they reach this term.");
                } else if (type == dns_type::mx) {
                    note(std::to_string(a.names.size()) + " MX names");
                    if (static_cast<int>(a.names.size()) > limits_.max_mx) {
                        finding("spf_mx_limit", Severity::critical,
                                where + ": " + std::to_string(a.names.size()) + " MX names (limit 10)",
                                {{"MX " + target, std::to_string(a.names.size()), "<= 10", where}},
                                "An mx term over more than 10 MX names is a permerror; list the addresses instead.");
                    }
                } else {
                    note(std::to_string(a.addresses.size()) + " addresses");
                    if (term.mechanism == MechanismKind::a) report_.nodes[index].terms[i].addresses = a.addresses;
                }
                break;
            }
            default: break;
        }
    }
    stack_.pop_back();
    if (top_chain && record.ok() && !has_all && !record.redirect) {
        finding("spf_no_all", Severity::warning, domain + ": the record ends without 'all' or 'redirect='",
                {{"record", text, "... ~all", "TXT " + domain}},
                "Unlisted hosts get neutral; end the record with ~all or -all.");
    }
}

LintReport Linter::run(const std::string& domain) {
    report_.domain = lower(strip_dot(domain));
    visit(report_.domain, "", 0, true);
    if (report_.nodes.front().status == LookupStatus::records || report_.nodes.front().status == LookupStatus::nodata) {
        for (const auto& t : report_.txt_records) {
            if (record_version(t) == RecordVersion::spf2) report_.sender_id_records.push_back(t);
        }
        const LookupAnswer& type99 = dns_.get(report_.domain, dns_type::spf);
        if (type99.status == LookupStatus::records) {
            for (const auto& t : type99.joined_txt()) report_.type99_records.push_back(t);
        }
    }
    if (!report_.type99_records.empty()) {
        finding("spf_type99_record", Severity::warning,
                report_.domain + " still publishes the deprecated SPF (type 99) record",
                {{"SPF " + report_.domain, report_.type99_records.front(), "TXT only", "SPF " + report_.domain}},
                "RFC 7208 dropped type 99; receivers read only TXT. Remove it so the two cannot drift apart.");
    }
    if (report_.lookups > limits_.max_lookups) {
        finding("spf_lookup_limit", Severity::critical,
                std::to_string(report_.lookups) + " DNS-querying terms in the tree (limit " +
                    std::to_string(limits_.max_lookups) + ")",
                {{"lookup terms", std::to_string(report_.lookups), "<= 10", "include/redirect tree"}},
                "Receivers return permerror once evaluation reaches the 11th; replace includes by ip4/ip6 terms or "
                "drop unused ones.");
    }
    if (report_.void_lookups > limits_.max_void) {
        finding("spf_void_lookup_limit", Severity::critical,
                std::to_string(report_.void_lookups) + " void lookups in the tree (limit " +
                    std::to_string(limits_.max_void) + ")",
                {{"void lookups", std::to_string(report_.void_lookups), "<= 2", "include/redirect tree"}},
                "Receivers return permerror at the third; remove terms whose names do not exist.");
    }
    return report_;
}

}  // namespace

LintReport lint_domain(DnsView& dns, const std::string& domain, const Limits& limits) {
    Linter linter(dns, limits);
    return linter.run(domain);
}

Prefetcher lint_prefetcher() {
    return [](const LookupKey& key, const LookupAnswer& answer, DnsView& view) {
        if (key.type != dns_type::txt || answer.status != LookupStatus::records) return;
        auto records = select_records(answer.joined_txt(), Scope::mfrom);
        if (records.empty()) return;
        ParsedRecord record = parse_record(records.front());
        for (const Term& term : record.terms) {
            if (has_macros(term.domain_spec)) continue;
            std::string target = term.domain_spec.empty() ? key.name : strip_dot(term.domain_spec);
            if (term.is_modifier) {
                if (term.modifier != ModifierKind::unknown) view.prefetch(target, dns_type::txt);
            } else if (term.mechanism == MechanismKind::include) {
                view.prefetch(target, dns_type::txt);
            } else if (term.mechanism == MechanismKind::a || term.mechanism == MechanismKind::exists) {
                view.prefetch(target, dns_type::a);
            } else if (term.mechanism == MechanismKind::mx) {
                view.prefetch(target, dns_type::mx);
            }
        }
        if (key.name.find('.') != std::string::npos) view.prefetch(key.name, dns_type::spf);
    };
}

void to_json(nlohmann::json& j, const LintReport& report) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& n : report.nodes) {
        nlohmann::json terms = nlohmann::json::array();
        for (const auto& t : n.terms) {
            nlohmann::json term = {{"term", t.text}, {"position", t.position}, {"lookup", t.lookup}};
            if (!t.note.empty()) term["note"] = t.note;
            terms.push_back(term);
        }
        nlohmann::json node = {{"domain", n.domain}, {"depth", n.depth}, {"txt_status", to_string(n.status)},
                               {"record", n.record}, {"terms", terms}};
        if (!n.via.empty()) node["via"] = n.via;
        if (!n.problem.empty()) node["problem"] = n.problem;
        if (n.strings) node["strings"] = n.strings;
        if (n.answer_size) node["answer_bytes"] = n.answer_size;
        nodes.push_back(node);
    }
    j = {{"domain", report.domain},
         {"tree", nodes},
         {"lookups", report.lookups},
         {"lookup_limit", 10},
         {"void_lookups", report.void_lookups},
         {"void_limit", 2},
         {"txt_records", report.txt_records},
         {"type99_records", report.type99_records},
         {"sender_id_records", report.sender_id_records}};
}

}  // namespace nettool::spf
