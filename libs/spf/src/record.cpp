#include "nettool/spf/record.hpp"

#include <algorithm>
#include <cctype>

namespace nettool::spf {

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lower(x) == lower(y);
           });
}

bool is_macro_literal(char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= 0x21 && u <= 0x24) || (u >= 0x26 && u <= 0x7E);
}

bool is_delimiter(char c) {
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

struct MacroToken {
    bool expand = false;  // a macro-expand (%{..}, %%, %_, %-) rather than literal text
    bool letter_expand = false;
    std::size_t begin = 0, end = 0;
};

// Splits a macro-string into tokens; returns an error message on bad syntax.
std::optional<std::string> tokenize(std::string_view text, bool explanation, std::vector<MacroToken>* tokens) {
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '%') {
            if (i + 1 >= text.size()) return "'%' at the end of a macro-string (write %% for a percent sign)";
            char n = text[i + 1];
            if (n == '%' || n == '_' || n == '-') {
                if (tokens) tokens->push_back({true, false, i, i + 2});
                i += 2;
                continue;
            }
            if (n != '{') {
                return std::string("'%' followed by '") + n + "' (only %{, %%, %_ and %- are macros)";
            }
            std::size_t close = text.find('}', i + 2);
            if (close == std::string_view::npos) return "macro '%{' without a closing '}'";
            std::string_view body = text.substr(i + 2, close - i - 2);
            if (body.empty()) return "empty macro '%{}'";
            char letter = lower(body[0]);
            static constexpr std::string_view letters = "slodiphvcrt";
            if (letters.find(letter) == std::string_view::npos) {
                return std::string("unknown macro letter '") + body[0] + "'";
            }
            if (!explanation && (letter == 'c' || letter == 'r' || letter == 't')) {
                return std::string("macro letter '") + body[0] + "' is allowed only in explanation text";
            }
            std::size_t j = 1;
            std::size_t digits_begin = j;
            while (j < body.size() && is_digit(body[j])) ++j;
            if (j > digits_begin) {
                std::string_view digits = body.substr(digits_begin, j - digits_begin);
                bool all_zero = std::all_of(digits.begin(), digits.end(), [](char d) { return d == '0'; });
                if (all_zero) return "macro transformer digit 0 is not allowed";
            }
            if (j < body.size() && (body[j] == 'r' || body[j] == 'R')) ++j;
            while (j < body.size() && is_delimiter(body[j])) ++j;
            if (j != body.size()) return "bad macro '%{" + std::string(body) + "}'";
            if (tokens) tokens->push_back({true, true, i, close + 1});
            i = close + 1;
            continue;
        }
        if (!(is_macro_literal(c) || (explanation && c == ' '))) {
            auto u = static_cast<unsigned char>(c);
            if (u >= 0x80) return "non-ASCII byte in the record (SPF records are 7-bit ASCII)";
            if (c == ' ') return "space inside a term";
            return "control character in the record";
        }
        std::size_t start = i;
        while (i < text.size() && text[i] != '%' && (is_macro_literal(text[i]) || (explanation && text[i] == ' ')))
            ++i;
        if (tokens) tokens->push_back({false, false, start, i});
    }
    return std::nullopt;
}

bool valid_toplabel(std::string_view label) {
    if (label.empty()) return false;
    bool has_alpha = false, has_hyphen = false;
    for (char c : label) {
        if (is_alpha(c)) {
            has_alpha = true;
        } else if (c == '-') {
            has_hyphen = true;
        } else if (!is_digit(c)) {
            return false;
        }
    }
    if (!has_hyphen) return has_alpha;
    return is_alnum(label.front()) && is_alnum(label.back());
}

// "/digits" with no leading zero and at most `max`.
std::optional<int> parse_cidr(std::string_view digits, int max) {
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    if (!std::all_of(digits.begin(), digits.end(), is_digit)) return std::nullopt;
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
    int value = 0;
    for (char c : digits) value = value * 10 + (c - '0');
    if (value > max) return std::nullopt;
    return value;
}

bool valid_modifier_name(std::string_view name) {
    if (name.empty() || !is_alpha(name[0])) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::optional<std::string> parse_term(std::string_view word, Term& term) {
    term.text = std::string(word);
    // A modifier: name "=" value, the '=' before any ':' or '/'.
    std::size_t special = word.find_first_of("=:/");
    if (special != std::string_view::npos && word[special] == '=') {
        std::string_view name = word.substr(0, special);
        std::string_view value = word.substr(special + 1);
        if (!valid_modifier_name(name)) return "bad modifier name '" + std::string(name) + "'";
        term.is_modifier = true;
        term.name = std::string(name);
        term.domain_spec = std::string(value);
        if (iequals(name, "redirect")) {
            term.modifier = ModifierKind::redirect;
            if (value.empty()) return "redirect= needs a domain";
            if (auto e = check_domain_spec(value)) return "redirect=" + std::string(value) + ": " + *e;
        } else if (iequals(name, "exp")) {
            term.modifier = ModifierKind::exp;
            if (value.empty()) return "exp= needs a domain";
            if (auto e = check_domain_spec(value)) return "exp=" + std::string(value) + ": " + *e;
        } else {
            term.modifier = ModifierKind::unknown;
            if (auto e = check_macro_string(value, false)) return "modifier " + std::string(name) + "=: " + *e;
        }
        return std::nullopt;
    }

    std::string_view rest = word;
    if (!rest.empty() && (rest[0] == '+' || rest[0] == '-' || rest[0] == '~' || rest[0] == '?')) {
        term.explicit_qualifier = true;
        term.qualifier = rest[0] == '+'   ? Qualifier::pass
                         : rest[0] == '-' ? Qualifier::fail
                         : rest[0] == '~' ? Qualifier::softfail
                                          : Qualifier::neutral;
        rest.remove_prefix(1);
    }
    std::size_t name_end = 0;
    while (name_end < rest.size() && is_alnum(rest[name_end])) ++name_end;
    std::string_view name = rest.substr(0, name_end);
    std::string_view args = rest.substr(name_end);
    if (name.empty()) return "not a mechanism or modifier";
    if (!args.empty() && args[0] != ':' && args[0] != '/') {
        return "unknown mechanism '" + std::string(rest.substr(0, std::min(rest.size(), name_end + 1))) + "'";
    }

    auto need_domain = [&](std::string_view spec, const char* mech) -> std::optional<std::string> {
        if (spec.empty()) return std::string(mech) + ": needs a domain after ':'";
        if (auto e = check_domain_spec(spec)) return std::string(mech) + ":" + std::string(spec) + ": " + *e;
        term.domain_spec = std::string(spec);
        return std::nullopt;
    };

    if (iequals(name, "all")) {
        term.mechanism = MechanismKind::all;
        if (!args.empty()) return "'all' takes no argument";
        return std::nullopt;
    }
    if (iequals(name, "include") || iequals(name, "exists")) {
        term.mechanism = iequals(name, "include") ? MechanismKind::include : MechanismKind::exists;
        if (args.empty() || args[0] != ':') return std::string(to_string(term.mechanism)) + " needs ':domain'";
        return need_domain(args.substr(1), to_string(term.mechanism));
    }
    if (iequals(name, "ptr")) {
        term.mechanism = MechanismKind::ptr;
        if (args.empty()) return std::nullopt;
        if (args[0] != ':') return "ptr takes no CIDR length";
        return need_domain(args.substr(1), "ptr");
    }
    if (iequals(name, "a") || iequals(name, "mx")) {
        term.mechanism = iequals(name, "a") ? MechanismKind::a : MechanismKind::mx;
        const char* mech = to_string(term.mechanism);
        // The dual-cidr-length is matched from the end: [ "/" ip4-cidr ] [ "//" ip6-cidr ].
        std::string_view spec = args;
        std::size_t dbl = spec.rfind("//");
        if (dbl != std::string_view::npos &&
            std::all_of(spec.begin() + static_cast<std::ptrdiff_t>(dbl) + 2, spec.end(), is_digit)) {
            auto v6 = parse_cidr(spec.substr(dbl + 2), 128);
            if (!v6) return std::string(mech) + ": bad IPv6 CIDR length '" + std::string(spec.substr(dbl)) + "'";
            term.cidr6 = *v6;
            spec = spec.substr(0, dbl);
        }
        std::size_t single = spec.rfind('/');
        if (single != std::string_view::npos &&
            std::all_of(spec.begin() + static_cast<std::ptrdiff_t>(single) + 1, spec.end(), is_digit)) {
            auto v4 = parse_cidr(spec.substr(single + 1), 32);
            if (!v4) return std::string(mech) + ": bad IPv4 CIDR length '" + std::string(spec.substr(single)) + "'";
            term.cidr4 = *v4;
            spec = spec.substr(0, single);
        }
        if (spec.empty()) return std::nullopt;
        if (spec[0] != ':') return std::string(mech) + ": unexpected '" + std::string(spec) + "'";
        return need_domain(spec.substr(1), mech);
    }
    if (iequals(name, "ip4") || iequals(name, "ip6")) {
        bool v4 = iequals(name, "ip4");
        term.mechanism = v4 ? MechanismKind::ip4 : MechanismKind::ip6;
        const char* mech = to_string(term.mechanism);
        if (args.empty() || args[0] != ':') return std::string(mech) + " needs ':address'";
        std::string_view value = args.substr(1);
        std::size_t slash = value.find('/');
        std::string_view address_text = value.substr(0, slash);
        auto address = IpAddress::parse(address_text);
        if (!address || address->is_v4() != v4) {
            return std::string(mech) + ": '" + std::string(address_text) + "' is not an " +
                   (v4 ? "IPv4" : "IPv6") + " address";
        }
        int length = v4 ? 32 : 128;
        if (slash != std::string_view::npos) {
            auto cidr = parse_cidr(value.substr(slash + 1), v4 ? 32 : 128);
            if (!cidr) return std::string(mech) + ": bad CIDR length '" + std::string(value.substr(slash)) + "'";
            length = *cidr;
        }
        term.network = IpPrefix::of(*address, length);
        if (v4) {
            term.cidr4 = length;
        } else {
            term.cidr6 = length;
        }
        return std::nullopt;
    }
    return "unknown mechanism '" + std::string(name) + "'";
}

}  // namespace

const char* qualifier_char(Qualifier qualifier) {
    switch (qualifier) {
        case Qualifier::pass: return "+";
        case Qualifier::fail: return "-";
        case Qualifier::softfail: return "~";
        case Qualifier::neutral: return "?";
    }
    return "?";
}

const char* to_string(MechanismKind kind) {
    switch (kind) {
        case MechanismKind::all: return "all";
        case MechanismKind::include: return "include";
        case MechanismKind::a: return "a";
        case MechanismKind::mx: return "mx";
        case MechanismKind::ptr: return "ptr";
        case MechanismKind::ip4: return "ip4";
        case MechanismKind::ip6: return "ip6";
        case MechanismKind::exists: return "exists";
    }
    return "?";
}

bool Term::counts_as_lookup() const {
    if (is_modifier) return modifier == ModifierKind::redirect;
    switch (mechanism) {
        case MechanismKind::include:
        case MechanismKind::a:
        case MechanismKind::mx:
        case MechanismKind::ptr:
        case MechanismKind::exists: return true;
        default: return false;
    }
}

RecordVersion record_version(std::string_view text) {
    if (text.size() >= 6 && iequals(text.substr(0, 6), "v=spf1") && (text.size() == 6 || text[6] == ' ')) {
        return RecordVersion::spf1;
    }
    if (text.size() > 7 && iequals(text.substr(0, 7), "spf2.0/")) {
        std::size_t end = text.find(' ');
        std::string_view scopes = text.substr(7, end == std::string_view::npos ? text.npos : end - 7);
        if (!scopes.empty()) return RecordVersion::spf2;
    }
    return RecordVersion::not_spf;
}

bool spf2_has_scope(std::string_view text, std::string_view scope) {
    if (record_version(text) != RecordVersion::spf2) return false;
    std::size_t end = text.find(' ');
    std::string_view scopes = text.substr(7, end == std::string_view::npos ? text.npos : end - 7);
    while (!scopes.empty()) {
        std::size_t comma = scopes.find(',');
        if (iequals(scopes.substr(0, comma), scope)) return true;
        if (comma == std::string_view::npos) break;
        scopes.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<std::string> check_macro_string(std::string_view text, bool explanation) {
    return tokenize(text, explanation, nullptr);
}

std::optional<std::string> check_domain_spec(std::string_view text) {
    std::vector<MacroToken> tokens;
    if (auto e = tokenize(text, false, &tokens)) return e;
    if (tokens.empty()) return "empty domain";
    const MacroToken& last = tokens.back();
    if (last.expand) return std::nullopt;
    std::string_view tail = text.substr(last.begin, last.end - last.begin);
    if (!tail.empty() && tail.back() == '.') tail.remove_suffix(1);
    std::size_t dot = tail.rfind('.');
    if (dot == std::string_view::npos) {
        return "domain must end in '.' and a top label (or a macro)";
    }
    if (!valid_toplabel(tail.substr(dot + 1))) {
        return "'" + std::string(tail.substr(dot + 1)) + "' is not a valid top label";
    }
    return std::nullopt;
}

bool has_macros(std::string_view text) {
    std::vector<MacroToken> tokens;
    if (tokenize(text, true, &tokens)) return false;
    return std::any_of(tokens.begin(), tokens.end(), [](const MacroToken& t) { return t.letter_expand; });
}

ParsedRecord parse_record(std::string_view text) {
    ParsedRecord record;
    record.text = std::string(text);
    RecordVersion version = record_version(text);
    if (version == RecordVersion::not_spf) {
        record.error = SyntaxError{1, "", "record does not start with v=spf1"};
        return record;
    }
    std::size_t pos = text.find(' ');
    record.version = std::string(text.substr(0, pos));
    while (pos != std::string_view::npos && pos < text.size()) {
        while (pos < text.size() && text[pos] == ' ') ++pos;
        if (pos >= text.size()) break;
        std::size_t end = text.find(' ', pos);
        std::string_view word = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
        Term term;
        term.position = pos + 1;
        if (auto e = parse_term(word, term)) {
            record.error = SyntaxError{pos + 1, std::string(word), *e};
            return record;
        }
        if (term.is_modifier && term.modifier == ModifierKind::redirect) {
            if (record.redirect) {
                record.error = SyntaxError{pos + 1, std::string(word), "redirect= appears more than once"};
                return record;
            }
            record.redirect = record.terms.size();
        }
        if (term.is_modifier && term.modifier == ModifierKind::exp) {
            if (record.exp) {
                record.error = SyntaxError{pos + 1, std::string(word), "exp= appears more than once"};
                return record;
            }
            record.exp = record.terms.size();
        }
        record.terms.push_back(std::move(term));
        pos = end;
    }
    return record;
}

}  // namespace nettool::spf
