// --suggest: a record that lets the observed senders pass without losing any sender the published record(s)
// authorise. Pure over the lint report and the evaluations; run_spf verifies the result against the same DNS data.
#include "nettool/spf/spf.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace nettool::spf {

namespace {

std::vector<std::string> words_after_version(const std::string& record) {
    std::vector<std::string> words;
    std::size_t pos = record.find(' ');
    while (pos != std::string::npos && pos < record.size()) {
        while (pos < record.size() && record[pos] == ' ') ++pos;
        if (pos >= record.size()) break;
        std::size_t end = record.find(' ', pos);
        words.push_back(record.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
        pos = end;
    }
    return words;
}

std::optional<Term> single_term(const std::string& word) {
    ParsedRecord r = parse_record("v=spf1 " + word);
    if (!r.ok() || r.terms.size() != 1) return std::nullopt;
    return r.terms.front();
}

bool is_mechanism(const std::optional<Term>& t, MechanismKind kind) {
    return t && !t->is_modifier && t->mechanism == kind;
}

// "ip4:1.2.3.4/33": a prefix longer than the family allows. When the address has host bits set below /24 (/64 for
// IPv6) no shorter prefix fits it, so the single address is what was meant; otherwise we cannot tell.
std::optional<std::string> repair_prefix(const std::string& word) {
    std::size_t colon = word.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string mech = word.substr(0, colon);
    std::string qualifier;
    if (!mech.empty() && std::string("+-~?").find(mech.front()) != std::string::npos) {
        qualifier = mech.substr(0, 1);
        mech.erase(0, 1);
    }
    for (char& c : mech) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (mech != "ip4" && mech != "ip6") return std::nullopt;
    std::string value = word.substr(colon + 1);
    std::size_t slash = value.find('/');
    if (slash == std::string::npos) return std::nullopt;
    auto address = IpAddress::parse(value.substr(0, slash));
    if (!address || address->is_v4() != (mech == "ip4")) return std::nullopt;
    std::string digits = value.substr(slash + 1);
    if (digits.empty() || digits.size() > 4 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int length = std::stoi(digits);
    int max = address->is_v4() ? 32 : 128;
    if (length <= max) return std::nullopt;
    int host_boundary = address->is_v4() ? 24 : 64;
    if (IpPrefix::of(*address, host_boundary).network == *address) return std::nullopt;  // a network: which one?
    return qualifier + mech + ":" + address->to_string();
}

// Addresses inside an ip4/ip6 term worth checking: the network address and one more inside it.
void add_samples(const IpPrefix& prefix, std::vector<std::string>& out) {
    out.push_back(prefix.network.to_string());
    int max = prefix.network.is_v4() ? 32 : 128;
    if (prefix.length < max) {
        IpAddress inside = prefix.network;
        inside.bytes[inside.size() - 1] |= 1;
        out.push_back(inside.to_string());
    }
}

// Lookups inside the subtree of lint node `index` (the node's own terms and its descendants'), and whether that
// subtree holds only ip4/ip6 terms and a non-pass 'all' (so an include of it can be replaced by its terms).
struct Subtree {
    int lookups = 0;
    bool addresses_only = true;
    std::vector<std::string> ip_terms;
};

Subtree subtree(const LintReport& lint, std::size_t index) {
    Subtree out;
    int depth = lint.nodes[index].depth;
    for (std::size_t i = index; i < lint.nodes.size(); ++i) {
        const LintNode& node = lint.nodes[i];
        if (i > index && node.depth <= depth) break;
        if (!node.problem.empty() || node.record.empty()) out.addresses_only = false;
        for (const LintTerm& t : node.terms) {
            if (t.unreachable) continue;
            if (t.lookup) {
                ++out.lookups;
                out.addresses_only = false;
                continue;
            }
            auto term = single_term(t.text);
            if (!term || term->is_modifier) continue;
            if (term->mechanism == MechanismKind::ip4 || term->mechanism == MechanismKind::ip6) {
                if (term->qualifier != Qualifier::pass) out.addresses_only = false;
                out.ip_terms.push_back(term->network ? (term->mechanism == MechanismKind::ip4 ? "ip4:" : "ip6:") +
                                                           term->network->to_string()
                                                     : t.text);
            } else if (term->mechanism == MechanismKind::all && term->qualifier == Qualifier::pass) {
                out.addresses_only = false;
            }
        }
    }
    return out;
}

}  // namespace

Suggestion suggest_record(const LintReport& lint, const std::vector<Evaluation>& evaluations) {
    Suggestion s;
    s.domain = lint.domain;
    const LintNode* root = lint.nodes.empty() ? nullptr : &lint.nodes.front();
    s.current = root ? root->record : "";
    if (root && (root->status == LookupStatus::timeout || root->status == LookupStatus::error)) {
        // Without the current record nothing can be kept; saying "there is none" would be wrong.
        s.changes.push_back("no suggestion: the TXT lookup for " + s.domain + " failed (" + root->problem +
                            "); run again when it answers");
        return s;
    }
    s.current_records = select_records(lint.txt_records, Scope::mfrom);
    if (s.current_records.empty() && !s.current.empty()) s.current_records.push_back(s.current);

    // Senders that do not pass now (a pass by +all does not count: +all is replaced below).
    std::vector<std::string> add;
    std::set<std::string> seen;
    std::string denied_by;  // a mechanism other than 'all' that decides against an observed sender now
    for (const auto& e : evaluations) {
        IpAddress ip = e.request.ip.unmapped();
        s.sample_ips.push_back(ip.to_string());
        bool by_plus_all = e.result.mechanism == "all" || e.result.mechanism == "+all";
        if (e.result.result == SpfResult::pass && !by_plus_all) continue;
        std::string term = (ip.is_v4() ? "ip4:" : "ip6:") + ip.to_string();
        if (seen.insert(term).second) add.push_back(term);
        auto decided = single_term(e.result.mechanism);
        bool by_all = decided && !decided->is_modifier && decided->mechanism == MechanismKind::all;
        if (e.result.result != SpfResult::pass && (!decided || !by_all) && denied_by.empty()) {
            denied_by = e.result.mechanism.empty() ? "the record gives " + std::string(to_string(e.result.result))
                                                   : "'" + e.result.mechanism + "' decides it";
        }
    }
    if (s.current_records.empty()) {
        s.proposed = "v=spf1";
        for (const auto& t : add) s.proposed += " " + t;
        s.proposed += " ~all";
        s.changes.push_back("publish a TXT record at " + s.domain + ": there is none now");
        for (const auto& t : add) s.changes.push_back("list the observed sender " + t);
        s.changes.push_back("end with ~all: other hosts soft-fail (switch to -all once you are sure)");
        return s;
    }

    // Every published v=spf1 record's terms, merged in order (several records make every check a permerror).
    std::vector<std::string> mechanisms, modifiers;
    std::optional<std::string> all_word;
    std::set<std::string> have;
    int extra_lookups = 0;  // lookup terms taken from records lint did not follow (the second and later ones)
    if (s.current_records.size() > 1) {
        s.changes.push_back("merge the " + std::to_string(s.current_records.size()) +
                            " v=spf1 records into this one: with more than one, every check is a permerror");
        for (std::size_t i = 1; i < s.current_records.size(); ++i) {
            s.delete_records.push_back(s.current_records[i]);
            s.changes.push_back("delete the other TXT record \"" + s.current_records[i] +
                                "\" once this one is published (its terms are merged here)");
        }
    }
    for (std::size_t r = 0; r < s.current_records.size(); ++r) {
        bool after_all = false;
        for (std::string word : words_after_version(s.current_records[r])) {
            auto term = single_term(word);
            if (!term) {
                if (auto fixed = repair_prefix(word)) {
                    s.changes.push_back("repair '" + word + "' to '" + *fixed + "': the prefix is longer than an " +
                                        (fixed->find("ip4") != std::string::npos ? "IPv4" : "IPv6") +
                                        " address and the address is a single host");
                    word = *fixed;
                    term = single_term(word);
                    if (term && term->network) add_samples(*term->network, s.repaired_ips);
                } else {
                    ParsedRecord bad = parse_record("v=spf1 " + word);
                    s.unresolved.push_back(word);
                    s.changes.push_back("cannot repair '" + word + "' (" +
                                        (bad.error ? bad.error->message : std::string("not a term")) +
                                        "): it is left out (a syntax error makes every check a permerror); fix it by "
                                        "hand and add it back if it lists a sender");
                    continue;
                }
            }
            if (!term) continue;
            if (term->is_modifier) {
                if (r == 0) modifiers.push_back(word);
                else if (term->modifier != ModifierKind::unknown) {
                    s.changes.push_back("drop '" + word + "' of the other record: the first record's modifiers apply");
                }
                continue;
            }
            if (term->mechanism == MechanismKind::all) {
                if (!all_word) all_word = word;
                after_all = true;
                continue;
            }
            if (after_all) continue;  // never reached now; lint reports it
            if (r > 0 && term->network) add_samples(*term->network, s.sample_ips);  // lint followed only the first
            std::string key = word;
            for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (!have.insert(key).second) continue;
            if (r > 0 && term->counts_as_lookup()) ++extra_lookups;
            mechanisms.push_back(word);
        }
    }
    for (const auto& node : lint.nodes) {
        for (const auto& t : node.terms) {
            if (t.unreachable) continue;
            if (auto term = single_term(t.text); term && term->network) add_samples(*term->network, s.sample_ips);
            for (const auto& a : t.addresses) s.sample_ips.push_back(a.to_string());
        }
    }

    int lookups = lint.lookups + extra_lookups;
    if (all_word && single_term(*all_word)->qualifier == Qualifier::pass) {
        s.changes.push_back("replace '" + *all_word + "' by '~all': +all lets every host on the Internet pass");
        all_word = "~all";
    }
    if (lookups > 10) {
        for (auto it = mechanisms.begin(); it != mechanisms.end() && lookups > 10;) {
            if (is_mechanism(single_term(*it), MechanismKind::ptr)) {
                s.changes.push_back("remove '" + *it + "': ptr is discouraged and costs a lookup over the limit");
                it = mechanisms.erase(it);
                --lookups;
            } else {
                ++it;
            }
        }
    }
    // Still over 10: replace includes whose trees are only addresses by those addresses (flattening), and say so.
    for (std::size_t i = 1; i < lint.nodes.size() && lookups > 10; ++i) {
        const LintNode& node = lint.nodes[i];
        if (node.depth != 1 || node.via.rfind("include:", 0) != 0) continue;
        Subtree sub = subtree(lint, i);
        if (!sub.addresses_only || sub.ip_terms.empty()) continue;
        auto it = std::find(mechanisms.begin(), mechanisms.end(), node.via);
        if (it == mechanisms.end()) continue;
        it = mechanisms.erase(it);
        mechanisms.insert(it, sub.ip_terms.begin(), sub.ip_terms.end());
        lookups -= 1 + sub.lookups;
        s.flattened = true;
        s.changes.push_back("flatten '" + node.via + "' into its " + std::to_string(sub.ip_terms.size()) +
                            " address terms to stay within 10 lookups (needed: the tree has more); they no longer "
                            "follow changes the provider makes");
    }

    // The new addresses go after the existing mechanisms, before 'all'; first when a term before 'all' (or an
    // error) decides against one of them now, since the first match wins.
    if (denied_by.empty()) {
        mechanisms.insert(mechanisms.end(), add.begin(), add.end());
        for (const auto& t : add) s.changes.push_back("add " + t + ": observed sender that does not pass now");
    } else {
        mechanisms.insert(mechanisms.begin(), add.begin(), add.end());
        for (const auto& t : add) {
            s.changes.push_back("add " + t + " first: observed sender that does not pass now (" + denied_by +
                                " today; the first match wins)");
        }
    }
    bool has_redirect = std::any_of(modifiers.begin(), modifiers.end(), [](const std::string& w) {
        auto t = single_term(w);
        return t && t->modifier == ModifierKind::redirect;
    });
    if (!all_word && !has_redirect) {
        all_word = "~all";
        s.changes.push_back("add '~all': without it unlisted hosts get neutral");
    }
    s.proposed = "v=spf1";
    for (const auto& t : mechanisms) s.proposed += " " + t;
    if (all_word) s.proposed += " " + *all_word;
    for (const auto& t : modifiers) s.proposed += " " + t;
    s.lookups = lookups;
    if (lookups > 10) {
        s.changes.push_back("still " + std::to_string(lookups) +
                            " DNS-querying terms (limit 10): replace the include with the most lookups by the ip4/ip6 "
                            "ranges it stands for");
    }
    if (add.empty() && s.changes.empty()) s.changes.push_back("no change needed: every observed sender passes");
    if (s.proposed.size() > 255) {
        s.changes.push_back("the record is " + std::to_string(s.proposed.size()) +
                            " bytes: publish it as several strings of at most 255 bytes");
    }
    std::sort(s.sample_ips.begin(), s.sample_ips.end());
    s.sample_ips.erase(std::unique(s.sample_ips.begin(), s.sample_ips.end()), s.sample_ips.end());
    // Each sample costs an evaluation per record; a record of thousands of ranges gets an even spread of 256.
    constexpr std::size_t max_samples = 256;
    s.samples_total = s.sample_ips.size();
    if (s.sample_ips.size() > max_samples) {
        std::vector<std::string> spread;
        for (std::size_t i = 0; i < max_samples; ++i) {
            spread.push_back(s.sample_ips[i * s.sample_ips.size() / max_samples]);
        }
        s.sample_ips = std::move(spread);
    }
    return s;
}

}  // namespace nettool::spf
