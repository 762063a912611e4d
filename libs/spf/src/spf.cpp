#include "nettool/spf/spf.hpp"

#include "headers_render.hpp"

#include "nettool/core/render.hpp"
#include "nettool/core/text.hpp"
#include "nettool/io/dns_client.hpp"
#include "nettool/spf/dns_client_resolver.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <set>
#include <unistd.h>

namespace nettool::spf {

namespace {

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown";
    return buf;
}

Severity severity_for(SpfResult result) {
    switch (result) {
        case SpfResult::pass: return Severity::info;
        case SpfResult::neutral:
        case SpfResult::none: return Severity::warning;
        default: return Severity::critical;
    }
}

std::string advice_for(SpfResult result, const std::string& domain, const IpAddress& ip) {
    std::string family = ip.is_v6() ? "ip6:" : "ip4:";
    switch (result) {
        case SpfResult::pass: return "Nothing to do: receivers that check SPF accept this sender.";
        case SpfResult::fail:
        case SpfResult::softfail:
            return "Receivers that enforce SPF (e.g. mobile carriers) reject or junk this mail. If " + ip.to_string() +
                   " is a legitimate relay, add " + family + ip.to_string() + " (or an include: of the relay's "
                   "provider) to " + domain + "'s record; see --suggest.";
        case SpfResult::neutral:
            return "The record makes no statement about " + ip.to_string() + "; strict receivers treat that like "
                   "no SPF. List the relay and end with ~all or -all.";
        case SpfResult::none:
            return domain + " publishes no SPF record; publish one that lists " + ip.to_string() + " (see --suggest).";
        case SpfResult::permerror:
            return "The record is broken for every receiver; fix the problem named above (run without --ip to lint).";
        case SpfResult::temperror:
            return "A DNS lookup failed or timed out; receivers defer the mail. Check the name servers involved.";
    }
    return {};
}

Diagnosis evaluation_diagnosis(const Evaluation& e) {
    const CheckResult& r = e.result;
    Diagnosis d;
    d.code = std::string("spf_") + to_string(r.result);
    d.severity = severity_for(r.result);
    d.summary = r.domain + ": " + to_string(r.result) + " for " + e.request.ip.to_string() +
                (r.mechanism.empty() ? "" : " (" + r.mechanism + ")");
    d.evidence.push_back({"check_host(" + e.request.ip.to_string() + ", " + r.domain + ", " + r.sender + ")",
                          to_string(r.result), "pass", e.identity});
    if (!r.reason.empty()) d.evidence.push_back({"reason", r.reason, "", ""});
    for (const auto& step : r.path) {
        if (step.term.empty()) continue;
        d.evidence.push_back({"path", step.domain + ": " + step.term,
                              "", step.position ? "column " + std::to_string(step.position) : ""});
    }
    d.evidence.push_back({"DNS-querying terms", std::to_string(r.lookups), "<= 10", ""});
    d.advice = advice_for(r.result, r.domain, e.request.ip);
    return d;
}

std::string strip_dot(std::string text) {
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
}

bool dot_atom(const std::string& text) {
    if (text.empty()) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
               c == '_';
    });
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') out += '\\';
        if (u < 0x20 || u == 0x7F) continue;
        out += c;
    }
    return out + "\"";
}

Evaluation evaluate(Resolver& resolver, const CheckRequest& request, const std::string& identity,
                    const std::string& receiver, Status& status) {
    Evaluation e;
    e.request = request;
    e.identity = identity;
    std::function<CheckResult(DnsView&)> compute = [&](DnsView& view) { return check_host(view, request); };
    auto result = run_with_dns(resolver, compute, check_host_prefetcher(request), &e.dns);
    if (!result) {
        status = result.error();
        return e;
    }
    e.result = std::move(result).value();
    e.received_spf = received_spf_header(request, e.result, identity, receiver);
    return e;
}

// When not one query of a run got a response, the server itself may be dead or refusing, and then "temperror" or
// "check the domain's name servers" would name the wrong cause. One query any working server answers (the root's
// NS) tells the two apart; when it fails too, the run could not be done.
Status server_answers(Resolver& resolver, const DriverStats& stats, const std::vector<std::string>& servers) {
    if (stats.queries_sent == 0 || stats.responses > 0) return Ok{};
    LookupAnswer probe;
    resolver.lookup(LookupKey{".", dns_type::ns}, [&](LookupAnswer answer) { probe = std::move(answer); });
    resolver.run();
    if (probe.server_responded) return Ok{};
    std::string names;
    for (const auto& s : servers) names += (names.empty() ? "" : ", ") + s;
    bool refused = probe.detail.rfind("refused", 0) == 0;
    bool unreachable = probe.detail.rfind("connection_refused", 0) == 0 || probe.detail.rfind("network_error", 0) == 0;
    return environment_error("DNS server " + (names.empty() ? std::string("(system default)") : names) +
                             (refused       ? " refuses queries (REFUSED)"
                              : unreachable ? " cannot be reached"
                                            : " gives no answer (a server that refuses without echoing the "
                                              "question, as unbound's access-control does, looks the same)") +
                             " (" + stats.first_failure +
                             "; . NS: " + (probe.detail.empty() ? to_string(probe.status) : probe.detail) + ")",
                             "--dns-server");
}

}  // namespace

std::string received_spf_header(const CheckRequest& request, const CheckResult& result, const std::string& identity,
                                const std::string& receiver) {
    std::string ip = request.ip.unmapped().to_string();
    std::string who = "domain of " + result.sender;
    std::string comment;
    switch (result.result) {
        case SpfResult::pass: comment = who + " designates " + ip + " as permitted sender"; break;
        case SpfResult::fail: comment = who + " does not designate " + ip + " as permitted sender"; break;
        case SpfResult::softfail:
            comment = "transitioning " + who + " does not designate " + ip + " as permitted sender";
            break;
        case SpfResult::neutral: comment = ip + " is neither permitted nor denied by " + who; break;
        case SpfResult::none: comment = who + " does not provide an SPF record"; break;
        case SpfResult::temperror: comment = "error in processing during lookup of " + who; break;
        case SpfResult::permerror: comment = "permanent error in processing " + who; break;
    }
    std::string header = "Received-SPF: " + std::string(to_string(result.result)) + " (" + receiver + ": " + comment +
                         ") client-ip=" + ip + "; envelope-from=" + quoted(result.sender) + ";" +
                         (request.helo.empty()
                              ? std::string()
                              : " helo=" + (dot_atom(request.helo) ? request.helo : quoted(request.helo)) + ";") +
                         " receiver=" + receiver + "; identity=" + identity + ";";
    if (!result.mechanism.empty()) header += " mechanism=" + quoted(result.mechanism) + ";";
    return sanitize_for_terminal(header);
}

Result<SpfReport> run_spf(const SpfRequest& request, Resolver& resolver) {
    SpfReport report;
    for (const auto& s : request.servers) report.servers.push_back(s.to_string());
    std::string receiver = request.receiver.empty() ? host_name() : request.receiver;
    std::vector<IpAddress> ips;
    for (const auto& text : request.ips) {
        auto ip = IpAddress::parse(text);
        if (!ip) return usage_error("--ip " + text + ": not an IPv4 or IPv6 address");
        ips.push_back(*ip);
    }
    if (request.suggest && ips.empty() && !request.headers_text) {
        return usage_error("--suggest needs the sending addresses: --ip (repeatable) or --headers FILE");
    }
    if (request.scope == Scope::pra && !request.headers_text) {
        return usage_error("--scope pra needs --headers FILE (the PRA comes from the message header)");
    }
    std::string sender = request.sender.value_or("");
    std::string helo = request.helo;
    std::string identity = "mailfrom";

    if (request.headers_text) {
        report.mode = SpfMode::headers;
        report.headers = analyse_header(*request.headers_text, request.trusted);
        const HeaderFindings& h = *report.headers;
        if (ips.empty()) {
            if (!h.entry) {
                return input_error("no client address found in the Received: fields", request.headers_source);
            }
            ips.push_back(*h.hops[*h.entry].ip);
            if (helo.empty()) helo = h.hops[*h.entry].helo;
        }
        if (request.scope == Scope::pra) {
            identity = "pra";
            if (!h.pra) {
                Diagnosis d{"spf_pra_undetermined", Severity::critical,
                            "no Purported Responsible Address: " + h.pra_problem,
                            {{"PRA (RFC 4407)", h.pra_problem, "one mailbox", request.headers_source}},
                            "Sender ID gives permerror for such a message; it needs one From: (or Sender:) mailbox.",
                            {}};
                report.diagnoses.push_back(d);
                return report;
            }
            sender = *h.pra;
        } else if (!request.sender && h.return_path) {
            sender = *h.return_path;
        }
    } else if (!ips.empty()) {
        report.mode = SpfMode::evaluate;
    } else {
        report.mode = SpfMode::lint;
    }
    if (!request.sender && !request.headers_text && !request.domain.empty()) sender = "postmaster@" + request.domain;

    std::string domain = request.domain;
    if (domain.empty() && report.mode != SpfMode::lint) domain = sender_identity(sender, helo).domain;
    if (domain.empty()) {
        return usage_error("give a DOMAIN, or --ip with --sender/--helo, or --headers FILE");
    }
    report.domain = strip_dot(domain);

    if (report.mode == SpfMode::lint || request.suggest) {
        if (!valid_check_domain(report.domain)) {
            return usage_error("'" + report.domain + "' is not a domain name (need at least two labels of 1-63 bytes)");
        }
        std::function<LintReport(DnsView&)> compute = [&](DnsView& view) {
            return lint_domain(view, report.domain);
        };
        auto lint = run_with_dns(resolver, compute, lint_prefetcher(), &report.lint_dns);
        if (!lint) return lint.error();
        if (Status alive = server_answers(resolver, report.lint_dns, report.servers); !alive) return alive.error();
        report.lint = std::move(lint).value();
        if (report.mode == SpfMode::lint) {
            report.diagnoses = report.lint->findings;
            std::vector<std::string> ignored;
            if (request.sender) ignored.push_back("--sender");
            if (!request.helo.empty()) ignored.push_back("--helo");
            if (!ignored.empty()) {
                std::string names = ignored.front() + (ignored.size() > 1 ? " and " + ignored.back() : "");
                report.diagnoses.push_back(
                    {"spf_option_ignored", Severity::info,
                     names + (ignored.size() > 1 ? " are" : " is") + " ignored in lint mode (no --ip given)",
                     {{"options", names, "--ip IP with them", "command line"}},
                     "Lint checks the domain's records for every client. To evaluate one message, add --ip with the "
                     "client's address (or use --headers FILE).",
                     {}});
            }
        }
    }

    if (report.mode != SpfMode::lint) {
        for (const auto& ip : ips) {
            CheckRequest check;
            check.ip = ip;
            check.sender = sender;
            check.helo = helo;
            check.domain = domain;
            check.scope = request.scope;
            check.receiver = receiver;
            check.timestamp = static_cast<std::int64_t>(std::time(nullptr));
            Status status = Ok{};
            Evaluation e = evaluate(resolver, check, identity, receiver, status);
            if (!status) return status.error();
            if (Status alive = server_answers(resolver, e.dns, report.servers); !alive) return alive.error();
            report.diagnoses.push_back(evaluation_diagnosis(e));
            report.evaluations.push_back(std::move(e));
        }
    }

    if (request.suggest && report.lint && !report.evaluations.empty()) {
        Suggestion s = suggest_record(*report.lint, report.evaluations);
        if (s.proposed.empty()) {
            report.suggestion = std::move(s);
            return report;
        }
        const Evaluation& first = report.evaluations.front();
        auto check_with = [&](const std::string& ip, const std::optional<std::string>& record) -> Result<CheckResult> {
            CheckRequest check = first.request;
            check.ip = *IpAddress::parse(ip);
            check.domain = report.domain;
            check.record_override = record;
            Status status = Ok{};
            Evaluation v = evaluate(resolver, check, first.identity, receiver, status);
            if (!status) return status.error();
            return v.result;
        };
        for (const auto& e : report.evaluations) {
            auto after = check_with(e.request.ip.to_string(), s.proposed);
            if (!after) return after.error();
            s.verification.emplace_back(e.request.ip.to_string(), to_string(after->result));
        }
        // Every sender a current record authorises (each record on its own when there are several) must pass
        // with the proposal, as must the addresses of repaired terms. A pass by +all is not an authorisation.
        std::set<std::string> must_pass(s.repaired_ips.begin(), s.repaired_ips.end());
        for (const auto& e : report.evaluations) must_pass.insert(e.request.ip.unmapped().to_string());
        for (const auto& ip : s.sample_ips) {
            for (const auto& record : s.current_records) {
                auto before = check_with(ip, record);
                if (!before) return before.error();
                bool by_plus_all = before->mechanism == "all" || before->mechanism == "+all";
                if (before->result == SpfResult::pass && !by_plus_all) {
                    must_pass.insert(ip);
                    break;
                }
            }
        }
        for (const auto& ip : must_pass) {
            auto after = check_with(ip, s.proposed);
            if (!after) return after.error();
            if (after->result != SpfResult::pass) s.regressions.push_back(ip + ": " + to_string(after->result));
        }
        s.checked = static_cast<int>(must_pass.size());
        if (!s.regressions.empty()) {
            report.diagnoses.push_back(
                {"spf_suggestion_unverified", Severity::critical,
                 "the suggested record does not keep every sender: " + std::to_string(s.regressions.size()) + " of " +
                     std::to_string(s.checked) + " addresses would no longer pass",
                 {{"regression", s.regressions.front(), "pass", "suggestion"}},
                 "Do not publish it as is; list the addresses above in it first.",
                 {}});
        }
        report.suggestion = std::move(s);
    }
    return report;
}

Result<SpfReport> run_spf_with_dns(const SpfRequest& request) {
    std::vector<DnsServer> servers = request.servers;
    if (servers.empty()) {
        auto conf = read_resolv_conf();
        if (!conf) return conf.error();
        servers = conf->nameservers;
        if (servers.empty()) return environment_error("no name server in /etc/resolv.conf; use --dns-server");
    }
    IoContext io;
    DnsClient client(io, servers);
    DnsClientResolverOptions options;
    options.servers = servers;
    options.timeout = request.timeout;
    options.tries = request.tries;
    DnsClientResolver resolver(io, client, options);
    SpfRequest effective = request;
    effective.servers = servers;
    return run_spf(effective, resolver);
}

// ------------------------------------------------------------------------------------------------------------ JSON

void to_json(nlohmann::json& j, const Evaluation& e) {
    const CheckResult& r = e.result;
    nlohmann::json path = nlohmann::json::array();
    for (const auto& step : r.path) {
        nlohmann::json s = {{"domain", step.domain}, {"record", step.record}};
        if (!step.term.empty()) s["term"] = step.term;
        if (step.position) s["position"] = step.position;
        path.push_back(s);
    }
    nlohmann::json void_terms = nlohmann::json::array();
    for (const auto& v : r.void_terms) {
        void_terms.push_back({{"domain", v.domain}, {"term", v.term}, {"query", v.query},
                              {"answer", v.status == LookupStatus::nxdomain ? "NXDOMAIN" : "no data"}});
    }
    j = {{"result", to_string(r.result)},
         {"ip", e.request.ip.to_string()},
         {"domain", r.domain},
         {"sender", r.sender},
         {"helo", e.request.helo},
         {"identity", e.identity},
         {"scope", to_string(e.request.scope)},
         {"mechanism", r.mechanism},
         {"reason", r.reason},
         {"path", path},
         {"lookups", r.lookups},
         {"lookup_limit", e.request.limits.max_lookups},
         {"void_lookups", r.void_lookups},
         {"void_limit", e.request.limits.max_void},
         {"void_terms", void_terms},
         {"received_spf", e.received_spf},
         {"dns", {{"queries", e.dns.queries_sent},
                  {"speculative", e.dns.speculative_queries},
                  {"passes", e.dns.passes},
                  {"elapsed_ms", static_cast<double>(e.dns.elapsed.count()) / 1000.0}}}};
    if (r.explanation) j["explanation"] = *r.explanation;
    if (!r.default_explanation.empty()) j["default_explanation"] = r.default_explanation;
}

void to_json(nlohmann::json& j, const Suggestion& s) {
    nlohmann::json verification = nlohmann::json::object();
    for (const auto& [ip, result] : s.verification) verification[ip] = result;
    j = {{"domain", s.domain},
         {"current", s.current},
         {"current_records", s.current_records},
         {"proposed", s.proposed},
         {"changes", s.changes},
         {"delete_records", s.delete_records},
         {"unresolved_terms", s.unresolved},
         {"flattened", s.flattened},
         {"lookups", s.lookups},
         {"verification", verification},
         {"senders_checked", s.checked},
         {"regressions", s.regressions}};
}

void to_json(nlohmann::json& j, const SpfReport& report) {
    const char* mode = report.mode == SpfMode::lint ? "lint" : report.mode == SpfMode::evaluate ? "evaluate" : "headers";
    j = nlohmann::json::object();
    if (!report.evaluations.empty()) {
        j = report.evaluations.front();  // the first evaluation's fields at the top ("result", "mechanism", ...)
        if (report.evaluations.size() > 1) j["evaluations"] = report.evaluations;
    }
    j["mode"] = mode;
    j["domain"] = report.domain;
    j["dns_servers"] = report.servers;
    if (report.lint) j["lint"] = *report.lint;
    if (report.headers) j["headers"] = *report.headers;
    if (report.suggestion) j["suggestion"] = *report.suggestion;
    j["diagnoses"] = report.diagnoses;
}

// ------------------------------------------------------------------------------------------------------- rendering

namespace {

std::string result_colour_word(SpfResult result, const Style& style) {
    Colour c = result == SpfResult::pass                                         ? Colour::green
               : (result == SpfResult::neutral || result == SpfResult::none)     ? Colour::yellow
                                                                                 : Colour::red;
    return style.paint(to_string(result), c);
}

void render_lint(std::ostream& out, const LintReport& lint, const Style& style) {
    out << style.paint("SPF records of " + sanitize_for_terminal(lint.domain), Colour::bold) << "\n";
    if (lint.txt_records.empty()) out << "  TXT: (none)\n";
    for (const auto& t : lint.txt_records) out << "  TXT: \"" << sanitize_for_terminal(t) << "\"\n";
    for (const auto& t : lint.type99_records) out << "  SPF (type 99, deprecated): \"" << sanitize_for_terminal(t) << "\"\n";
    for (const auto& t : lint.sender_id_records) out << "  Sender ID: \"" << sanitize_for_terminal(t) << "\"\n";
    out << "\nInclude/redirect tree: " << lint.lookups << "/10 DNS-querying terms, " << lint.void_lookups
        << "/2 void lookups\n";
    for (const auto& node : lint.nodes) {
        std::string indent(static_cast<std::size_t>(2 + node.depth * 4), ' ');
        out << indent << (node.via.empty() ? "" : sanitize_for_terminal(node.via) + " -> ")
            << style.paint(sanitize_for_terminal(node.domain), Colour::cyan);
        if (!node.record.empty()) out << "  \"" << sanitize_for_terminal(node.record) << "\"";
        out << "\n";
        if (!node.problem.empty()) {
            out << indent << "  " << style.paint("! " + sanitize_for_terminal(node.problem), Colour::red) << "\n";
        }
        for (const auto& t : node.terms) {
            out << indent << "  col " << t.position << (t.position < 10 ? "  " : t.position < 100 ? " " : "")
                << " " << sanitize_for_terminal(t.text) << (t.lookup ? "  [lookup]" : "")
                << (t.note.empty() ? "" : "  (" + sanitize_for_terminal(t.note) + ")") << "\n";
        }
    }
}

void render_evaluation(std::ostream& out, const Evaluation& e, const Style& style) {
    const CheckResult& r = e.result;
    out << style.paint("check_host(" + e.request.ip.to_string() + ", " + sanitize_for_terminal(r.domain) + ", " +
                           sanitize_for_terminal(r.sender) + ")",
                       Colour::bold)
        << (e.identity == "pra" ? "  [Sender ID, PRA]" : "") << "\n";
    out << "  result:       " << result_colour_word(r.result, style) << "\n";
    if (!r.mechanism.empty()) out << "  mechanism:    " << sanitize_for_terminal(r.mechanism) << "\n";
    if (!r.reason.empty()) out << "  reason:       " << sanitize_for_terminal(r.reason) << "\n";
    bool first = true;
    for (const auto& step : r.path) {
        out << (first ? "  path:         " : "                -> ") << sanitize_for_terminal(step.domain);
        if (!step.term.empty()) out << ": " << sanitize_for_terminal(step.term);
        if (step.position) out << " (column " << step.position << ")";
        out << "\n";
        first = false;
    }
    out << "  lookups:      " << r.lookups << "/10 DNS-querying terms, " << r.void_lookups << "/2 void\n";
    for (const auto& v : r.void_terms) {
        out << "    void:       " << sanitize_for_terminal(v.domain) << ": " << sanitize_for_terminal(v.term) << " -> "
            << sanitize_for_terminal(v.query) << " " << (v.status == LookupStatus::nxdomain ? "NXDOMAIN" : "no data")
            << "\n";
    }
    if (r.explanation) {
        out << "  explanation:  " << sanitize_for_terminal(*r.explanation) << "\n";
    } else if (!r.default_explanation.empty()) {
        out << "  explanation:  (default) " << sanitize_for_terminal(r.default_explanation) << "\n";
    }
    out << "  DNS:          " << e.dns.queries_sent << (e.dns.queries_sent == 1 ? " query (" : " queries (")
        << e.dns.speculative_queries
        << " sent ahead), " << format_ms(static_cast<double>(e.dns.elapsed.count()) / 1000.0) << "\n";
    out << "  " << e.received_spf << "\n";
}

void render_suggestion(std::ostream& out, const Suggestion& s, const Style& style) {
    auto quoted_or_none = [](const std::string& record) {
        return record.empty() ? std::string("(none)") : "\"" + sanitize_for_terminal(record) + "\"";
    };
    out << style.paint("Suggested record for " + sanitize_for_terminal(s.domain), Colour::bold) << "\n";
    out << "  now:      " << quoted_or_none(s.current) << "\n";
    out << "  proposed: " << quoted_or_none(s.proposed) << "  (" << s.lookups << "/10 lookups)\n";
    for (const auto& c : s.changes) out << "    - " << sanitize_for_terminal(c) << "\n";
    for (const auto& d : s.delete_records) {
        out << "  " << style.paint("then delete the other TXT record:", Colour::yellow) << " \""
            << sanitize_for_terminal(d) << "\"\n";
    }
    for (const auto& u : s.unresolved) {
        out << "  " << style.paint("fix by hand (left out):", Colour::yellow) << " " << sanitize_for_terminal(u)
            << "\n";
    }
    for (const auto& [ip, result] : s.verification) out << "  with it, " << ip << " -> " << result << "\n";
    if (!s.proposed.empty()) {
        out << "  verified against the same DNS data: " << s.checked << (s.checked == 1 ? " address" : " addresses")
            << " that pass today (or were meant to) checked";
        if (s.samples_total > s.sample_ips.size()) {
            out << " (from an even spread of " << s.sample_ips.size() << " of " << s.samples_total << " candidates)";
        }
        out << ", "
            << (s.regressions.empty()
                    ? std::string("all still pass")
                    : style.paint(std::to_string(s.regressions.size()) + " would not pass", Colour::red))
            << "\n";
        for (const auto& r : s.regressions) out << "    " << style.paint("lost: " + r, Colour::red) << "\n";
    }
    out << "\n";
}

}  // namespace

void render_spf_report(std::ostream& out, const SpfReport& report, const Style& style) {
    if (report.headers) render_header_findings(out, *report.headers, style);
    if (report.lint && report.mode == SpfMode::lint) {
        render_lint(out, *report.lint, style);
        out << "\n";
    }
    for (const auto& e : report.evaluations) {
        render_evaluation(out, e, style);
        out << "\n";
    }
    if (report.suggestion) render_suggestion(out, *report.suggestion, style);
    if (report.diagnoses.empty()) {
        out << "No problems found.\n";
    } else {
        render_diagnoses(out, report.diagnoses, style);
    }
}

}  // namespace nettool::spf
