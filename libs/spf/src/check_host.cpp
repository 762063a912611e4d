#include "nettool/spf/check_host.hpp"

#include "nettool/wire/dns_message.hpp"

#include <algorithm>

namespace nettool::spf {

namespace {

std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

std::string strip_dot(std::string text) {
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::uint16_t address_type(const IpAddress& ip) { return ip.is_v6() ? dns_type::aaaa : dns_type::a; }

bool name_within(const std::string& name, const std::string& target) {
    std::string n = lower(strip_dot(name));
    std::string t = lower(strip_dot(target));
    return n == t || (n.size() > t.size() && n.ends_with("." + t));
}

SpfResult qualifier_result(Qualifier q) {
    switch (q) {
        case Qualifier::pass: return SpfResult::pass;
        case Qualifier::fail: return SpfResult::fail;
        case Qualifier::softfail: return SpfResult::softfail;
        case Qualifier::neutral: return SpfResult::neutral;
    }
    return SpfResult::neutral;
}

struct PrefetchSkip {};

class Evaluator {
public:
    Evaluator(DnsView& dns, const CheckRequest& request) : dns_(dns), request_(request) {}

    CheckResult run();

private:
    struct Abort {
        SpfResult result;
        std::string reason;
        std::vector<PathStep> path;
    };
    struct ExpSource {
        std::string domain;
        std::string spec;
    };
    struct Outcome {
        SpfResult result = SpfResult::neutral;
        std::vector<PathStep> path;
        std::string reason;
        std::optional<ExpSource> exp;
        std::string mechanism;
    };

    Outcome check(const std::string& domain, int depth, const std::string* override_text);
    bool match(const Term& term, const std::string& domain, int depth, Outcome& include_inner);
    std::string target_of(const Term& term, const std::string& domain);
    void count_lookup(const Term& term);
    void count_void(const Term& term, const std::string& domain, const LookupKey& key, LookupStatus status);
    const LookupAnswer* lookup(const std::string& name, std::uint16_t type, const Term& term,
                               const std::string& domain);
    bool address_match(const std::string& name, const Term& term, const std::string& domain);
    std::string validated_name(const std::string& domain);
    void prefetch_record(const ParsedRecord& record, const std::string& domain);

    DnsView& dns_;
    const CheckRequest& request_;
    int lookups_ = 0;
    std::vector<VoidLookup> voids_;
};

MacroContext base_context(const CheckRequest& request) {
    MacroContext ctx;
    Identity id = sender_identity(request.sender, request.helo);
    ctx.sender = id.sender;
    ctx.local_part = id.local_part;
    ctx.sender_domain = id.domain;
    ctx.ip = request.ip;
    ctx.helo = request.helo;
    ctx.receiver = request.receiver;
    ctx.timestamp = request.timestamp;
    return ctx;
}

std::string Evaluator::validated_name(const std::string& domain) {
    const LookupAnswer& ptr = dns_.get(reverse_name(request_.ip), dns_type::ptr);
    if (ptr.status != LookupStatus::records) return "unknown";
    std::vector<std::string> validated;
    int checked = 0;
    for (const auto& name : ptr.names) {
        if (checked++ >= request_.limits.max_ptr) break;
        const LookupAnswer& addresses = dns_.get(name, address_type(request_.ip));
        if (addresses.status != LookupStatus::records) continue;
        if (std::find(addresses.addresses.begin(), addresses.addresses.end(), request_.ip) !=
            addresses.addresses.end()) {
            validated.push_back(strip_dot(name));
        }
    }
    if (validated.empty()) return "unknown";
    for (const auto& v : validated) {
        if (lower(v) == lower(strip_dot(domain))) return v;
    }
    for (const auto& v : validated) {
        if (name_within(v, domain)) return v;
    }
    return validated.front();
}

std::string Evaluator::target_of(const Term& term, const std::string& domain) {
    if (term.domain_spec.empty()) return domain;
    MacroContext ctx = base_context(request_);
    ctx.domain = domain;
    ctx.validated_name = [this, domain] { return validated_name(domain); };
    auto expanded = expand_domain(term.domain_spec, ctx);
    if (!expanded) throw Abort{SpfResult::permerror, "bad macro in " + term.text + ": " + expanded.error().message, {}};
    return *expanded;
}

void Evaluator::count_lookup(const Term& term) {
    if (++lookups_ > request_.limits.max_lookups) {
        throw Abort{SpfResult::permerror,
                    "more than " + std::to_string(request_.limits.max_lookups) + " DNS lookups (at " + term.text + ")",
                    {}};
    }
}

// RFC 7208 4.6.4 counts every query of a mechanism that answers NOERROR without records or NXDOMAIN: the target of
// a, mx, exists and ptr, and also each MX host's and each PTR name's address lookup. pyspf (spf.py, query.dns) and
// Mail::SPF (Mech/MX.pm, Mech.pm match_in_domain, Util.pm valid_domain_for_ip_address) both count those; the third
// void is permerror at the term that made it.
void Evaluator::count_void(const Term& term, const std::string& domain, const LookupKey& key, LookupStatus status) {
    voids_.push_back(VoidLookup{domain, term.text, key.to_string(), status});
    if (static_cast<int>(voids_.size()) > request_.limits.max_void) {
        throw Abort{SpfResult::permerror,
                    "more than " + std::to_string(request_.limits.max_void) + " void DNS lookups (at " + term.text +
                        ": " + key.to_string() + " " + (status == LookupStatus::nxdomain ? "NXDOMAIN" : "no data") +
                        ")",
                    {}};
    }
}

// A mechanism's lookup: a DNS error ends the evaluation with temperror; a void answer is counted and gives nullptr.
const LookupAnswer* Evaluator::lookup(const std::string& name, std::uint16_t type, const Term& term,
                                      const std::string& domain) {
    const LookupAnswer& answer = dns_.get(name, type);
    if (answer.is_error()) {
        throw Abort{SpfResult::temperror,
                    "DNS " + std::string(to_string(answer.status)) + " for " + make_key(name, type).to_string(), {}};
    }
    if (answer.is_void()) {
        count_void(term, domain, make_key(name, type), answer.status);
        return nullptr;
    }
    return &answer;
}

bool Evaluator::address_match(const std::string& name, const Term& term, const std::string& domain) {
    const LookupAnswer* found = lookup(name, address_type(request_.ip), term, domain);
    if (found == nullptr) return false;
    const LookupAnswer& answer = *found;
    int cidr = request_.ip.is_v6() ? term.cidr6 : term.cidr4;
    IpPrefix prefix = IpPrefix::of(request_.ip, cidr);
    return std::any_of(answer.addresses.begin(), answer.addresses.end(),
                       [&](const IpAddress& a) { return prefix.contains(a); });
}

void Evaluator::prefetch_record(const ParsedRecord& record, const std::string& domain) {
    MacroContext ctx = base_context(request_);
    ctx.domain = domain;
    ctx.validated_name = []() -> std::string { throw PrefetchSkip{}; };
    for (const Term& term : record.terms) {
        if (!term.counts_as_lookup()) continue;
        std::string target = domain;
        if (!term.domain_spec.empty()) {
            try {
                auto expanded = expand_domain(term.domain_spec, ctx);
                if (!expanded) continue;
                target = *expanded;
            } catch (const PrefetchSkip&) {
                continue;
            }
        }
        if (term.is_modifier) {
            dns_.prefetch(target, dns_type::txt);
            continue;
        }
        switch (term.mechanism) {
            case MechanismKind::include: dns_.prefetch(target, dns_type::txt); break;
            case MechanismKind::a: dns_.prefetch(target, address_type(request_.ip)); break;
            case MechanismKind::mx: dns_.prefetch(target, dns_type::mx); break;
            case MechanismKind::exists: dns_.prefetch(target, dns_type::a); break;
            case MechanismKind::ptr: dns_.prefetch(reverse_name(request_.ip), dns_type::ptr); break;
            default: break;
        }
    }
}

bool Evaluator::match(const Term& term, const std::string& domain, int depth, Outcome& include_inner) {
    switch (term.mechanism) {
        case MechanismKind::all: return true;
        case MechanismKind::ip4:
        case MechanismKind::ip6: return term.network && term.network->contains(request_.ip);
        case MechanismKind::a: return address_match(target_of(term, domain), term, domain);
        case MechanismKind::mx: {
            const LookupAnswer* found = lookup(target_of(term, domain), dns_type::mx, term, domain);
            if (found == nullptr) return false;
            const LookupAnswer& mx = *found;
            if (mx.status != LookupStatus::records) return false;
            if (static_cast<int>(mx.names.size()) > request_.limits.max_mx) {
                throw Abort{SpfResult::permerror,
                            term.text + ": " + std::to_string(mx.names.size()) + " MX records (more than " +
                                std::to_string(request_.limits.max_mx) + ")",
                            {}};
            }
            for (const auto& name : mx.names) {
                if (!name.empty()) dns_.prefetch(name, address_type(request_.ip));
            }
            // RFC 7208 5.4 looks up the address of every MX name, then compares. pyspf does the same (dns_mx);
            // Mail::SPF stops at the first matching host, so a void or failing lookup after it does not count
            // there. Where the two differ we follow the RFC's procedure.
            bool matched = false;
            for (const auto& name : mx.names) {
                if (name.empty() || name == ".") continue;
                if (address_match(name, term, domain)) matched = true;
            }
            return matched;
        }
        case MechanismKind::ptr: {
            std::string target = target_of(term, domain);
            // RFC 7208 5.5 says a DNS error on the PTR lookup makes the mechanism not match; pyspf and Mail::SPF
            // both return temperror, and so does nettool (receivers run those; see docs/spf.md). An NXDOMAIN or
            // empty PTR answer is a void lookup in both.
            const LookupAnswer* found = lookup(reverse_name(request_.ip), dns_type::ptr, term, domain);
            if (found == nullptr) return false;
            const LookupAnswer& ptr = *found;
            if (ptr.status != LookupStatus::records) return false;
            int checked = 0;
            for (const auto& name : ptr.names) {
                if (checked++ >= request_.limits.max_ptr) break;
                dns_.prefetch(name, address_type(request_.ip));
            }
            // Every name (up to 10) is validated before any is compared with the target (RFC 7208 5.5, as pyspf
            // does; Mail::SPF looks up only names within the target). An error on a name's address lookup skips
            // that name (5.5); an empty answer is a void lookup.
            checked = 0;
            bool matched = false;
            for (const auto& name : ptr.names) {
                if (checked++ >= request_.limits.max_ptr) break;
                const LookupAnswer& addresses = dns_.get(name, address_type(request_.ip));
                if (addresses.is_void()) {
                    count_void(term, domain, make_key(name, address_type(request_.ip)), addresses.status);
                    continue;
                }
                if (addresses.status != LookupStatus::records) continue;
                bool validated = std::find(addresses.addresses.begin(), addresses.addresses.end(), request_.ip) !=
                                 addresses.addresses.end();
                if (validated && name_within(name, target)) matched = true;
            }
            return matched;
        }
        case MechanismKind::exists: {
            const LookupAnswer* answer = lookup(target_of(term, domain), dns_type::a, term, domain);
            return answer != nullptr && answer->status == LookupStatus::records && !answer->addresses.empty();
        }
        case MechanismKind::include: {
            std::string target = target_of(term, domain);
            Outcome inner = check(target, depth + 1, nullptr);
            if (inner.result == SpfResult::none) {
                throw Abort{SpfResult::permerror, term.text + ": " + strip_dot(target) + " has no SPF record", {}};
            }
            if (inner.result == SpfResult::pass) {
                include_inner = std::move(inner);
                return true;
            }
            return false;
        }
    }
    return false;
}

Evaluator::Outcome Evaluator::check(const std::string& raw_domain, int depth, const std::string* override_text) {
    std::string domain = strip_dot(raw_domain);
    if (depth > request_.limits.max_depth) {
        throw Abort{SpfResult::permerror, "include/redirect nesting deeper than " +
                                              std::to_string(request_.limits.max_depth),
                    {}};
    }
    Outcome none;
    none.result = SpfResult::none;
    if (!valid_check_domain(domain)) {
        none.reason = "'" + domain + "' is not a valid domain name";
        return none;
    }
    std::string text;
    if (override_text) {
        text = *override_text;
    } else {
        const LookupAnswer& answer = dns_.get(domain, dns_type::txt);
        if (answer.is_error()) {
            throw Abort{SpfResult::temperror,
                        "DNS " + std::string(to_string(answer.status)) + " for TXT " + domain +
                            (answer.detail.empty() ? "" : " (" + answer.detail + ")"),
                        {{domain, "", "", 0}}};
        }
        if (answer.status != LookupStatus::records) {
            none.reason = domain + ": no SPF record (" + std::string(to_string(answer.status)) + ")";
            return none;
        }
        auto records = select_records(answer.joined_txt(), request_.scope);
        if (records.empty()) {
            none.reason = domain + ": no SPF record among " + std::to_string(answer.txt.size()) + " TXT records";
            return none;
        }
        if (records.size() > 1) {
            throw Abort{SpfResult::permerror,
                        domain + " publishes " + std::to_string(records.size()) + " SPF records (only one allowed)",
                        {{domain, records.front(), "", 0}}};
        }
        text = records.front();
    }
    ParsedRecord record = parse_record(text);
    if (!record.ok()) {
        throw Abort{SpfResult::permerror,
                    domain + ": syntax error at column " + std::to_string(record.error->position) + ": " +
                        record.error->message,
                    {{domain, text, record.error->term, record.error->position}}};
    }
    prefetch_record(record, domain);

    auto step = [&](const Term& term) { return PathStep{domain, text, term.text, term.position}; };
    try {
        for (const Term& term : record.terms) {
            if (term.is_modifier) continue;
            if (term.counts_as_lookup()) count_lookup(term);
            Outcome inner;
            if (match(term, domain, depth, inner)) {
                Outcome out;
                out.result = qualifier_result(term.qualifier);
                out.mechanism = term.text;
                out.path.push_back(step(term));
                out.path.insert(out.path.end(), inner.path.begin(), inner.path.end());
                out.reason = "matched " + term.text;
                if (out.result == SpfResult::fail && record.exp) {
                    out.exp = ExpSource{domain, record.terms[*record.exp].domain_spec};
                }
                return out;
            }
        }
        if (record.redirect) {
            const Term& term = record.terms[*record.redirect];
            count_lookup(term);
            std::string target = target_of(term, domain);
            Outcome inner = check(target, depth + 1, nullptr);
            if (inner.result == SpfResult::none) {
                throw Abort{SpfResult::permerror, term.text + ": " + strip_dot(target) + " has no SPF record", {}};
            }
            Outcome out = std::move(inner);
            out.path.insert(out.path.begin(), step(term));
            if (out.mechanism.empty()) out.mechanism = term.text;
            return out;
        }
    } catch (Abort& abort) {
        if (abort.path.empty() || abort.path.front().domain != domain) {
            abort.path.insert(abort.path.begin(), PathStep{domain, text, "", 0});
        }
        throw;
    }
    Outcome out;
    out.result = SpfResult::neutral;
    out.reason = "no mechanism matched (default result neutral)";
    out.path.push_back(PathStep{domain, text, "(default)", 0});
    return out;
}

CheckResult Evaluator::run() {
    CheckResult result;
    Identity id = sender_identity(request_.sender, request_.helo);
    result.sender = id.sender;
    std::string domain = request_.domain.empty() ? id.domain : request_.domain;
    result.domain = strip_dot(domain);
    Outcome outcome;
    try {
        outcome = check(domain, 0, request_.record_override ? &*request_.record_override : nullptr);
    } catch (const Abort& abort) {
        outcome.result = abort.result;
        outcome.reason = abort.reason;
        outcome.path = abort.path;
    }
    result.result = outcome.result;
    result.mechanism = outcome.mechanism;
    result.path = outcome.path;
    result.reason = outcome.reason;
    result.lookups = std::min(lookups_, request_.limits.max_lookups + 1);
    result.void_lookups = static_cast<int>(voids_.size());
    result.void_terms = voids_;
    if (result.result == SpfResult::fail) {
        MacroContext ctx = base_context(request_);
        ctx.domain = result.domain;
        result.default_explanation = result.domain + " does not designate " + request_.ip.to_string() +
                                     " as a permitted sender";
        if (outcome.exp) {
            ctx.domain = outcome.exp->domain;
            std::string exp_domain = outcome.exp->domain;
            ctx.validated_name = [this, exp_domain] { return validated_name(exp_domain); };
            auto name = expand_domain(outcome.exp->spec, ctx);
            if (name && valid_query_name(*name)) {
                const LookupAnswer& answer = dns_.get(*name, dns_type::txt);
                if (answer.status == LookupStatus::records && answer.txt.size() == 1) {
                    std::string text = answer.joined_txt().front();
                    if (is_ascii(text)) {
                        auto expanded = expand_macros(text, ctx, true);
                        if (expanded) result.explanation = std::move(expanded).value();
                    }
                }
            }
        }
    }
    return result;
}

}  // namespace

const char* to_string(SpfResult result) {
    switch (result) {
        case SpfResult::none: return "none";
        case SpfResult::neutral: return "neutral";
        case SpfResult::pass: return "pass";
        case SpfResult::fail: return "fail";
        case SpfResult::softfail: return "softfail";
        case SpfResult::temperror: return "temperror";
        case SpfResult::permerror: return "permerror";
    }
    return "none";
}

const char* to_string(Scope scope) { return scope == Scope::pra ? "pra" : "mfrom"; }

Identity sender_identity(const std::string& sender, const std::string& helo) {
    Identity id;
    std::string full = sender.empty() ? "postmaster@" + helo : sender;
    std::size_t at = full.rfind('@');
    if (at == std::string::npos) {
        id.local_part = "postmaster";
        id.domain = full;
    } else {
        id.local_part = full.substr(0, at);
        id.domain = full.substr(at + 1);
        if (id.local_part.empty()) id.local_part = "postmaster";
    }
    id.sender = id.local_part + "@" + id.domain;
    return id;
}

std::vector<std::string> select_records(const std::vector<std::string>& txt, Scope scope) {
    std::vector<std::string> spf1, pra;
    for (const auto& t : txt) {
        RecordVersion v = record_version(t);
        if (v == RecordVersion::spf1) spf1.push_back(t);
        if (v == RecordVersion::spf2 && spf2_has_scope(t, "pra")) pra.push_back(t);
    }
    if (scope == Scope::pra && !pra.empty()) return pra;
    return spf1;
}

MacroContext macro_context(const CheckRequest& request, const std::string& domain) {
    MacroContext ctx = base_context(request);
    ctx.domain = domain;
    return ctx;
}

CheckResult check_host(DnsView& dns, const CheckRequest& request) {
    CheckRequest normalized = request;
    normalized.ip = request.ip.unmapped();
    Evaluator evaluator(dns, normalized);
    return evaluator.run();
}

Prefetcher check_host_prefetcher(const CheckRequest& request) {
    IpAddress ip = request.ip.unmapped();
    return [request, ip](const LookupKey& key, const LookupAnswer& answer, DnsView& view) {
        if (answer.status != LookupStatus::records) return;
        std::uint16_t family = ip.is_v6() ? dns_type::aaaa : dns_type::a;
        if (key.type == dns_type::mx) {
            if (static_cast<int>(answer.names.size()) > request.limits.max_mx) return;
            for (const auto& name : answer.names) view.prefetch(name, family);
            return;
        }
        if (key.type == dns_type::ptr) {
            int n = 0;
            for (const auto& name : answer.names) {
                if (n++ >= request.limits.max_ptr) break;
                view.prefetch(name, family);
            }
            return;
        }
        if (key.type != dns_type::txt) return;
        auto records = select_records(answer.joined_txt(), request.scope);
        if (records.size() != 1) return;
        ParsedRecord record = parse_record(records.front());
        if (!record.ok()) return;
        CheckRequest r = request;
        r.ip = ip;
        MacroContext ctx = macro_context(r, key.name);
        ctx.validated_name = []() -> std::string { throw PrefetchSkip{}; };
        for (const Term& term : record.terms) {
            if (!term.counts_as_lookup()) continue;
            std::string target = key.name;
            if (!term.domain_spec.empty()) {
                try {
                    auto expanded = expand_domain(term.domain_spec, ctx);
                    if (!expanded) continue;
                    target = *expanded;
                } catch (const PrefetchSkip&) {
                    continue;
                }
            }
            if (term.is_modifier || term.mechanism == MechanismKind::include) {
                view.prefetch(target, dns_type::txt);
            } else if (term.mechanism == MechanismKind::a) {
                view.prefetch(target, family);
            } else if (term.mechanism == MechanismKind::mx) {
                view.prefetch(target, dns_type::mx);
            } else if (term.mechanism == MechanismKind::exists) {
                view.prefetch(target, dns_type::a);
            } else if (term.mechanism == MechanismKind::ptr) {
                view.prefetch(reverse_name(ip), dns_type::ptr);
            }
        }
    };
}

}  // namespace nettool::spf
