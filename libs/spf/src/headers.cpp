#include "nettool/spf/headers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace nettool::spf {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) { return lowered(a) == lowered(b); }

std::string trim(std::string_view text) {
    std::size_t b = 0, e = text.size();
    while (b < e && (text[b] == ' ' || text[b] == '\t' || text[b] == '\r' || text[b] == '\n')) ++b;
    while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r' || text[e - 1] == '\n')) --e;
    return std::string(text.substr(b, e - b));
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// An address literal as it appears in Received: fields: "[192.0.2.1]", "[IPv6:2001:db8::1]", "192.0.2.1",
// "user@192.0.2.1", "[192.0.2.1]:25", "2001:db8::1".
std::optional<IpAddress> address_literal(std::string_view token) {
    std::string t = trim(token);
    while (!t.empty() && (t.back() == ')' || t.back() == ',' || t.back() == ';')) t.pop_back();
    while (!t.empty() && t.front() == '(') t.erase(0, 1);
    if (auto at = t.rfind('@'); at != std::string::npos) t = t.substr(at + 1);
    if (!t.empty() && t.front() == '[') {
        std::size_t close = t.find(']');
        if (close == std::string::npos) return std::nullopt;
        t = t.substr(1, close - 1);
    }
    if (t.size() > 5 && iequals(t.substr(0, 5), "ipv6:")) t = t.substr(5);
    if (auto ip = IpAddress::parse(t)) return ip->unmapped();
    // "192.0.2.1:25"
    if (auto colon = t.rfind(':'); colon != std::string::npos && t.find(':') == colon) {
        if (auto ip = IpAddress::parse(t.substr(0, colon)); ip && ip->is_v4()) return ip;
    }
    return std::nullopt;
}

// Splits at top-level whitespace, keeping parenthesised comments (with nesting) and [literals] as single tokens.
std::vector<std::string> tokens(std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    int depth = 0;
    bool bracket = false;
    for (char c : text) {
        if (c == '(' && !bracket) ++depth;
        if (c == ')' && !bracket && depth > 0) --depth;
        if (c == '[' && depth == 0) bracket = true;
        if (c == ']') bracket = false;
        if (is_space(c) && depth == 0 && !bracket) {
            if (!current.empty()) out.push_back(std::move(current));
            current.clear();
            continue;
        }
        current += c;
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
}

std::string strip_comments(std::string_view value) {
    std::string out;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (quoted) {
            out += c;
            if (c == '\\' && i + 1 < value.size()) {
                out += value[++i];
            } else if (c == '"') {
                quoted = false;
            }
            continue;
        }
        if (depth == 0 && c == '"') {
            quoted = true;
            out += c;
            continue;
        }
        if (c == '(') {
            ++depth;
            continue;
        }
        if (c == ')' && depth > 0) {
            --depth;
            continue;
        }
        if (depth == 0) out += c;
    }
    return out;
}

}  // namespace

ParsedHeader parse_header(std::string_view message) {
    ParsedHeader header;
    std::size_t pos = 0;
    std::size_t line_number = 0;
    while (pos < message.size()) {
        std::size_t end = message.find('\n', pos);
        std::string_view line = message.substr(pos, end == std::string_view::npos ? message.npos : end - pos);
        pos = end == std::string_view::npos ? message.size() : end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;  // end of the header
        if (is_space(line.front())) {
            if (header.fields.empty()) {
                ++header.skipped_lines;
            } else {
                header.fields.back().value += " " + trim(line);
            }
            continue;
        }
        std::size_t colon = line.find(':');
        bool good_name = colon != std::string_view::npos && colon > 0 &&
                         std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
                             auto u = static_cast<unsigned char>(c);
                             return u > 32 && u < 127 && c != ':';
                         });
        if (!good_name) {
            // mbox "From " separator lines and junk
            ++header.skipped_lines;
            continue;
        }
        header.fields.push_back({std::string(line.substr(0, colon)), trim(line.substr(colon + 1)), line_number});
    }
    return header;
}

namespace {

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != haystack.npos; }

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    return out;
}

bool is_comment(const std::string& token) { return !token.empty() && token.front() == '('; }

std::string comment_text(const std::string& token) {
    if (!is_comment(token)) return token;
    std::size_t close = token.rfind(')');
    return token.substr(1, close == std::string::npos || close == 0 ? std::string::npos : close - 1);
}

// The trace clauses of RFC 5321 section 4.4 (and the `via` of old webmail): keyword -> its tokens.
struct TraceClauses {
    std::vector<std::string> from, by, with, via;
    bool has_from = false;
    bool has_by = false;
};

TraceClauses split_clauses(const std::vector<std::string>& words) {
    TraceClauses out;
    std::vector<std::string>* current = nullptr;
    for (const auto& w : words) {
        std::string key = lowered(w);
        if (key == "from" && !out.has_from && !out.has_by) {
            out.has_from = true;
            current = &out.from;
        } else if (key == "by" && !out.has_by) {
            out.has_by = true;
            current = &out.by;
        } else if (key == "with" && out.with.empty()) {
            current = &out.with;
        } else if (key == "via" && out.via.empty()) {
            current = &out.via;
        } else if (key == "id" || key == "for") {
            current = nullptr;
        } else if (current) {
            current->push_back(w);
        }
    }
    return out;
}

std::string first_word(const std::vector<std::string>& clause) {
    for (const auto& w : clause) {
        if (!is_comment(w)) return w;
    }
    return {};
}

// The address in a qmail/Yahoo/GMX client comment after "(HELO x)": "(1.2.3.4)", "(user@1.2.3.4)", "[1.2.3.4]".
std::optional<IpAddress> address_after(const std::vector<std::string>& from, std::size_t index) {
    for (std::size_t i = index + 1; i < from.size(); ++i) {
        std::string inner = comment_text(from[i]);
        for (const auto& part : tokens(inner)) {
            if (auto ip = address_literal(part)) return ip;
        }
    }
    return std::nullopt;
}

std::string strip_dot(std::string name) {
    if (!name.empty() && name.back() == '.') name.pop_back();
    return name;
}

bool unknown_name(std::string_view name) {
    std::string n = lowered(name);
    return n.empty() || n == "unknown" || n == "softdnserr" || n == "unverified" || address_literal(n).has_value();
}

std::string form_of(const ReceivedHop& hop, const std::string& lower_raw) {
    std::string by = lowered(hop.by);
    if (contains(lower_raw, "microsoft smtpsvc")) return "smtpsvc";
    if (contains(lower_raw, "microsoft smtp server")) {
        return ends_with(by, ".outlook.com") || ends_with(by, ".office365.com") ? "office365" : "exchange";
    }
    if (contains(lower_raw, "(postfix")) return "postfix";
    if (contains(lower_raw, "(exim ") || contains(lower_raw, " helo=")) return "exim";
    if (contains(lower_raw, "lotus domino") || contains(lower_raw, "(domino")) return "domino";
    if (contains(lower_raw, "intermail")) return "intermail";
    if (contains(lower_raw, "oracle communications messaging") || contains(lower_raw, "sun java") ||
        contains(lower_raw, "iplanet messaging") || contains(lower_raw, "sun one messaging")) {
        return "oracle";
    }
    if (contains(lower_raw, "zmailer")) return "zmailer";
    if (contains(lower_raw, "courier") || contains(lower_raw, "[::ffff:")) return "courier";
    if (contains(lower_raw, "communigate")) return "communigate";
    if (ends_with(by, ".google.com") || by == "mx.google.com" ||
        (by.rfind("2002:", 0) == 0 && contains(lower_raw, "with smtp id"))) {
        return "gmail";
    }
    if (ends_with(by, ".yahoo.com") || contains(lower_raw, "vzm hermes")) return "yahoo";
    if (contains(lower_raw, "(mrgmx") || contains(lower_raw, "(nemesis)") || contains(by, ".gmx.") ||
        ends_with(by, ".web.de")) {
        return "gmx";
    }
    if (contains(lower_raw, "(qmail") || contains(lower_raw, "qmail-") || contains(lower_raw, "qpsmtpd") ||
        contains(lower_raw, "(helo ") || contains(lower_raw, "(ehlo ")) {
        return "qmail";
    }
    // Sendmail writes its version pair: "(8.14.4/8.14.4)".
    std::size_t paren = lower_raw.find(" (8.");
    if (paren != std::string::npos && lower_raw.find('/', paren) < lower_raw.find(')', paren)) return "sendmail";
    return "smtp";
}

bool retrieval_protocol(const std::string& protocol) {
    return protocol.rfind("POP", 0) == 0 || protocol.rfind("IMAP", 0) == 0 || protocol.rfind("LMTP", 0) == 0 ||
           protocol.rfind("HTTP", 0) == 0 || protocol == "LOCAL" || protocol == "SPOOL" || protocol == "MAPI";
}

}  // namespace

ReceivedHop parse_received(std::string_view raw_value) {
    ReceivedHop hop;
    hop.raw = trim(raw_value);
    std::string value = hop.raw;
    // The date follows the last ';'.
    if (auto semi = value.rfind(';'); semi != std::string::npos) {
        hop.date = trim(std::string_view(value).substr(semi + 1));
        value = value.substr(0, semi);
    }
    std::string lower_raw = lowered(hop.raw);
    TraceClauses clauses = split_clauses(tokens(value));
    hop.by = strip_dot(first_word(clauses.by));
    std::string with = first_word(clauses.with);
    if (with.empty()) with = first_word(clauses.via);
    hop.protocol = upper(with);
    if (hop.protocol == "MICROSOFT") hop.protocol = "SMTP";  // "with Microsoft SMTP Server (TLS)", "... SMTPSVC(6.0)"
    hop.authenticated = hop.protocol == "ESMTPA" || hop.protocol == "ESMTPSA" || hop.protocol == "ASMTP" ||
                        contains(lower_raw, "(authenticated sender:") || contains(lower_raw, "(auth: ") ||
                        contains(lower_raw, " with login)") || contains(lower_raw, "(account ");
    if (!clauses.has_from || clauses.from.empty()) {
        hop.form = "local";
        return hop;
    }
    const std::vector<std::string>& from = clauses.from;
    const std::string first = from[0];
    hop.form = form_of(hop, lower_raw);

    // qmail, Yahoo, GMX, CommuniGate: "from RDNS (HELO name) (IP)" / "from [IP] (HELO name)".
    for (std::size_t i = 0; i < from.size(); ++i) {
        if (!is_comment(from[i])) continue;
        std::string inner = comment_text(from[i]);
        std::vector<std::string> parts = tokens(inner);
        for (std::size_t k = 0; k < parts.size(); ++k) {
            std::string key = upper(parts[k]);
            if (key != "HELO" && key != "EHLO") continue;
            hop.helo = k + 1 < parts.size() ? strip_dot(parts[k + 1]) : std::string();
            hop.ip = address_after(from, i);
            if (!hop.ip) hop.ip = address_literal(first);
            if (!unknown_name(first)) hop.reverse_name = strip_dot(first);
            if (hop.ip) hop.ip = hop.ip->unmapped();
            return hop;
        }
    }

    // A bracketed literal inside a comment is the receiver's record of the peer ("rdns [IP]", "[IP]:port
    // helo=x", "unknown [IP]"); the first word is then the HELO name (or, in Exim, the verified rDNS name).
    std::optional<IpAddress> bracketed, bare;
    std::string before_bracket;
    for (std::size_t i = 1; i < from.size(); ++i) {
        std::vector<std::string> parts = is_comment(from[i]) ? tokens(comment_text(from[i])) : tokens(from[i]);
        std::string previous;
        for (const auto& p : parts) {
            std::string q = p;
            while (!q.empty() && q.front() == '(') q.erase(0, 1);
            std::size_t at = q.find("@[");
            if (!q.empty() && (q.front() == '[' || at != std::string::npos)) {
                if (auto ip = address_literal(q); ip && !bracketed) {
                    bracketed = ip;
                    before_bracket = previous;
                }
            } else if (!bare && is_comment(from[i])) {
                if (auto ip = address_literal(q)) bare = ip;
            }
            previous = q;
        }
    }
    if (!bracketed && !bare) {
        if (auto ip = address_literal(first)) bare = ip;
    }
    hop.ip = bracketed ? bracketed : bare;
    if (hop.ip) hop.ip = hop.ip->unmapped();

    if (std::size_t at = lower_raw.find(" helo="); at != std::string::npos && hop.form == "exim") {
        std::string rest = hop.raw.substr(at + 6);
        hop.helo = strip_dot(rest.substr(0, rest.find_first_of(" )")));
        if (!address_literal(first)) hop.reverse_name = strip_dot(first);
    } else {
        if (!address_literal(first) || first.front() == '[') hop.helo = strip_dot(first);
        // Sendmail's ident form "(user@rdns [IP])" keeps the user name in front of the host.
        if (std::size_t at = before_bracket.rfind('@'); at != std::string::npos) before_bracket.erase(0, at + 1);
        if (bracketed && !unknown_name(before_bracket)) hop.reverse_name = strip_dot(before_bracket);
        // Exim without a differing HELO: "from host.example ([192.0.2.1])" — the name is the verified rDNS.
        if (hop.form == "exim" && bracketed && before_bracket.empty() && !address_literal(first)) {
            hop.reverse_name = strip_dot(first);
        }
    }
    return hop;
}

std::optional<std::string> single_mailbox(std::string_view raw) {
    std::string value = trim(strip_comments(raw));
    if (value.empty()) return std::nullopt;
    // More than one mailbox (a top-level comma outside quotes and angle brackets), or a group.
    bool quoted = false;
    int angle = 0;
    for (char c : value) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == '<') ++angle;
        if (c == '>') --angle;
        if ((c == ',' || c == ';') && angle == 0) return std::nullopt;
    }
    std::string address = value;
    if (auto lt = value.rfind('<'); lt != std::string::npos) {
        std::size_t gt = value.find('>', lt);
        if (gt == std::string::npos) return std::nullopt;
        address = trim(value.substr(lt + 1, gt - lt - 1));
    }
    std::size_t at = address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 >= address.size()) return std::nullopt;
    std::string domain = address.substr(at + 1);
    if (domain.find_first_of(" \t<>\"") != std::string::npos || domain.find('.') == std::string::npos) {
        return std::nullopt;
    }
    return address;
}

namespace {

// Received-SPF: "... client-ip=192.0.2.1; ..." or the comment "designates 192.0.2.1 as permitted sender";
// Authentication-Results: the first address inside the spf= method's part ("(sender IP is 192.0.2.1)").
std::optional<ReceiverVerdict> verdict_in(const HeaderField& field) {
    ReceiverVerdict verdict;
    verdict.field = iequals(field.name, "Received-SPF") ? "Received-SPF" : "Authentication-Results";
    verdict.line = field.line;
    std::string lower_value = lowered(field.value);
    std::string_view part = field.value;
    if (verdict.field == "Received-SPF") {
        verdict.result = lowered(trim(std::string_view(field.value).substr(0, field.value.find_first_of(" (;"))));
        if (std::size_t at = lower_value.find("client-ip="); at != std::string::npos) {
            std::string rest = field.value.substr(at + 10);
            if (auto ip = address_literal(rest.substr(0, rest.find_first_of("; \t")))) {
                verdict.client = *ip;
                return verdict;
            }
        }
    } else {
        std::size_t at = lower_value.find("spf=");
        if (at == std::string::npos) return std::nullopt;
        std::size_t end = lower_value.find(';', at);
        part = std::string_view(field.value).substr(at, end == std::string::npos ? std::string::npos : end - at);
        std::string_view result = part.substr(4);
        verdict.result = lowered(result.substr(0, result.find_first_of(" (;")));
    }
    std::string cleaned(part);
    for (char& c : cleaned) {
        if (c == '(' || c == ')' || c == ';' || c == ',') c = ' ';
    }
    for (const auto& word : tokens(cleaned)) {
        if (word.find('=') != std::string::npos && lowered(word).rfind("client-ip=", 0) != 0) continue;
        std::string candidate = word.substr(word.find('=') == std::string::npos ? 0 : word.find('=') + 1);
        if (candidate.find_first_of(".:") == std::string::npos) continue;
        if (auto ip = address_literal(candidate)) {
            verdict.client = *ip;
            return verdict;
        }
    }
    return std::nullopt;
}

bool in_trusted(const ReceivedHop& hop, const TrustedRelays& trusted, std::string& why) {
    for (const auto& network : trusted.networks) {
        if (hop.ip && network.contains(*hop.ip)) {
            why = "client " + hop.ip->to_string() + " is in --trusted " + network.to_string();
            return true;
        }
    }
    std::string name = lowered(hop.reverse_name);
    for (const auto& domain : trusted.domains) {
        if (!name.empty() && (name == domain || ends_with(name, "." + domain))) {
            why = "client " + hop.reverse_name + " is under --trusted " + domain;
            return true;
        }
    }
    return false;
}

}  // namespace

const char* to_string(HopRole role) {
    switch (role) {
        case HopRole::internal: return "internal";
        case HopRole::retrieval: return "retrieval";
        case HopRole::entry: return "entry";
        case HopRole::external: return "external";
    }
    return "external";
}

std::string registered_domain(std::string_view host) {
    std::string name = lowered(host);
    while (!name.empty() && name.back() == '.') name.pop_back();
    std::vector<std::string_view> labels;
    std::string_view rest = name;
    while (!rest.empty()) {
        std::size_t dot = rest.rfind('.');
        labels.push_back(dot == std::string_view::npos ? rest : rest.substr(dot + 1));
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(0, dot);
    }
    // labels are last-first: "uk", "co", "example", "mail"
    static constexpr std::string_view generic_second_level[] = {"ac", "co", "com", "ed", "edu", "go", "gov", "gr",
                                                               "lg", "ltd", "ne", "net", "or", "org", "plc", "sch"};
    std::size_t keep = 2;
    if (labels.size() >= 3 && labels[0].size() == 2 &&
        std::find(std::begin(generic_second_level), std::end(generic_second_level), labels[1]) !=
            std::end(generic_second_level)) {
        keep = 3;
    }
    if (labels.size() <= keep) return name;
    std::size_t cut = 0;
    for (std::size_t i = 0; i < keep; ++i) cut += labels[i].size() + 1;
    return name.substr(name.size() - cut + 1);
}

std::optional<std::string> add_trusted(TrustedRelays& trusted, std::string_view text) {
    std::string value = trim(text);
    if (auto prefix = IpPrefix::parse(value)) {
        trusted.networks.push_back(*prefix);
        return value;
    }
    std::string name = lowered(value);
    while (!name.empty() && name.back() == '.') name.pop_back();
    bool host_name = !name.empty() && name.find('.') != std::string::npos && name.front() != '.' &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
                     });
    if (!host_name) return std::nullopt;
    trusted.domains.push_back(name);
    return name;
}

HeaderFindings analyse_header(std::string_view message, const TrustedRelays& trusted) {
    HeaderFindings out;
    ParsedHeader header = parse_header(message);
    out.skipped_lines = header.skipped_lines;
    std::vector<ReceiverVerdict> verdicts;
    for (const auto& field : header.fields) {
        if (iequals(field.name, "Received")) {
            ReceivedHop hop = parse_received(field.value);
            hop.line = field.line;
            hop.index = out.hops.size();
            out.hops.push_back(std::move(hop));
        } else if (iequals(field.name, "Received-SPF") || iequals(field.name, "Authentication-Results")) {
            if (auto verdict = verdict_in(field)) verdicts.push_back(*verdict);
        } else if (iequals(field.name, "Return-Path") && !out.return_path) {
            std::string v = trim(strip_comments(field.value));
            if (v == "<>") {
                out.return_path = "";
            } else if (auto box = single_mailbox(v)) {
                out.return_path = *box;
            } else {
                continue;
            }
            out.return_path_line = field.line;
        }
    }

    // (2) Walk down from the top past the receiving organisation's own hops and past retrievals. The
    // organisation is known by the registered domains of the hosts that received the message inside it.
    std::vector<std::string> organisation;
    std::optional<std::size_t> walked;
    for (auto& hop : out.hops) {
        std::string by_domain = registered_domain(hop.by);
        std::string why;
        if (retrieval_protocol(hop.protocol)) {
            hop.role = HopRole::retrieval;
            hop.role_reason = "not an SMTP hand-off (with " + hop.protocol + ")";
            organisation.clear();  // below a fetch lies the mailbox provider's own chain
            continue;
        }
        if (!by_domain.empty() && std::find(organisation.begin(), organisation.end(), by_domain) == organisation.end()) {
            organisation.push_back(by_domain);
        }
        if (!hop.ip) {
            hop.role = HopRole::internal;
            hop.role_reason = "no client address (local hand-off)";
        } else if (is_private_or_local(*hop.ip)) {
            hop.role = HopRole::internal;
            hop.role_reason = "private or loopback client " + hop.ip->to_string();
        } else if (in_trusted(hop, trusted, why)) {
            hop.role = HopRole::internal;
            hop.role_reason = why;
        } else if (!hop.reverse_name.empty() && !hop.authenticated &&
                   std::find(organisation.begin(), organisation.end(), registered_domain(hop.reverse_name)) !=
                       organisation.end()) {
            hop.role = HopRole::internal;
            hop.role_reason = "client " + hop.reverse_name + " belongs to the receiving organisation (" +
                              registered_domain(hop.reverse_name) + ")";
        } else {
            walked = hop.index;
            break;
        }
    }
    // Every hop belonged to the receiver (mail between two users of one provider): the hand-off is the lowest
    // public client that is not a user's authenticated submission.
    std::string walked_reason;
    if (walked) {
        walked_reason = "first hop below the receiving organisation's own hops";
    } else {
        for (auto it = out.hops.rbegin(); it != out.hops.rend(); ++it) {
            if (it->role != HopRole::retrieval && it->ip && !is_private_or_local(*it->ip) && !it->authenticated) {
                walked = it->index;
                walked_reason = "every hop belongs to the receiving organisation; using the lowest public client";
                break;
            }
        }
    }
    if (!walked) {
        for (const auto& hop : out.hops) {
            if (hop.ip && hop.role != HopRole::retrieval) {
                walked = hop.index;
                walked_reason = "no public client address in the chain; using the topmost address";
                break;
            }
        }
    }

    // (1) The receiver's own verdict: the topmost Received-SPF/Authentication-Results naming the client of a
    // Received: field written before it (below it in the header). A verdict below that field could be forged.
    for (const auto& verdict : verdicts) {
        auto match = std::find_if(out.hops.begin(), out.hops.end(), [&](const ReceivedHop& hop) {
            return hop.ip && *hop.ip == verdict.client.unmapped() && hop.line > verdict.line;
        });
        if (match == out.hops.end()) {
            if (out.verdict_note.empty()) {
                out.verdict_note = verdict.field + " (line " + std::to_string(verdict.line) + ") names " +
                                   verdict.client.to_string() + ", which no Received: field below it has as client";
            }
            continue;
        }
        out.receiver_verdict = verdict;
        out.entry = match->index;
        out.entry_reason = "the receiver's " + verdict.field + " (line " + std::to_string(verdict.line) +
                           ") checked this client";
        if (walked && *walked != match->index) {
            out.entry_reason += "; the chain alone would give line " + std::to_string(out.hops[*walked].line);
        }
        break;
    }
    if (!out.entry && walked) {
        out.entry = walked;
        out.entry_reason = walked_reason;
    }
    if (out.entry) {
        for (auto& hop : out.hops) {
            if (hop.index < *out.entry) {
                if (hop.role == HopRole::external) {
                    hop.role = HopRole::internal;
                    hop.role_reason = "above the hop the receiver checked";
                }
            } else if (hop.index == *out.entry) {
                hop.role = HopRole::entry;
                hop.role_reason = out.entry_reason;
                if (hop.authenticated) hop.role_reason += " (an authenticated submission: SPF is not applied to it)";
            } else if (hop.role != HopRole::retrieval) {
                hop.role = HopRole::external;
                hop.role_reason = "before the entry: written outside the receiving organisation";
            }
        }
    }

    // RFC 4407 section 2.
    auto non_empty = [&](const char* name) {
        std::vector<const HeaderField*> found;
        for (const auto& f : header.fields) {
            if (iequals(f.name, name) && !trim(f.value).empty()) found.push_back(&f);
        }
        return found;
    };
    const HeaderField* selected = nullptr;
    std::string step;
    auto resent_sender = non_empty("Resent-Sender");
    auto resent_from = non_empty("Resent-From");
    if (!resent_sender.empty()) {
        const HeaderField* rs = resent_sender.front();
        bool skip = false;
        // Step 1: skip Resent-Sender when a Resent-From precedes it with Received/Return-Path fields in between.
        const HeaderField* rf_before = nullptr;
        for (const auto* rf : resent_from) {
            if (rf->line < rs->line) rf_before = rf;
        }
        if (rf_before) {
            for (const auto& f : header.fields) {
                if (f.line > rf_before->line && f.line < rs->line &&
                    (iequals(f.name, "Received") || iequals(f.name, "Return-Path"))) {
                    skip = true;
                }
            }
        }
        if (!skip) selected = rs;
    }
    if (!selected && !resent_from.empty()) selected = resent_from.front();
    if (!selected) {
        auto sender = non_empty("Sender");
        if (sender.size() == 1) {
            selected = sender.front();
        } else if (sender.size() > 1) {
            out.pra_problem = std::to_string(sender.size()) + " Sender: fields";
        } else {
            auto from = non_empty("From");
            if (from.size() == 1) {
                selected = from.front();
            } else {
                out.pra_problem = from.empty() ? "no From: field" : std::to_string(from.size()) + " From: fields";
            }
        }
    }
    if (selected) {
        if (auto box = single_mailbox(selected->value)) {
            out.pra = *box;
            out.pra_field = selected->name;
            out.pra_line = selected->line;
        } else {
            out.pra_problem = selected->name + ": (line " + std::to_string(selected->line) +
                              ") is not exactly one mailbox with a domain";
        }
    }
    return out;
}

void to_json(nlohmann::json& j, const ReceivedHop& hop) {
    j = {{"line", hop.line},           {"index", hop.index}, {"form", hop.form},
         {"role", to_string(hop.role)}, {"role_reason", hop.role_reason}, {"raw", hop.raw},
         {"authenticated", hop.authenticated}};
    if (hop.ip) j["ip"] = hop.ip->to_string();
    if (!hop.protocol.empty()) j["protocol"] = hop.protocol;
    if (!hop.date.empty()) j["date"] = hop.date;
    if (!hop.helo.empty()) j["helo"] = hop.helo;
    if (!hop.reverse_name.empty()) j["reverse_name"] = hop.reverse_name;
    if (!hop.by.empty()) j["by"] = hop.by;
}

void to_json(nlohmann::json& j, const HeaderFindings& findings) {
    j = {{"received", findings.hops}, {"skipped_lines", findings.skipped_lines}};
    if (findings.entry) {
        j["entry_hop"] = *findings.entry;
        j["entry_reason"] = findings.entry_reason;
    }
    if (findings.receiver_verdict) {
        const ReceiverVerdict& v = *findings.receiver_verdict;
        j["receiver_verdict"] = {
            {"field", v.field}, {"line", v.line}, {"result", v.result}, {"client_ip", v.client.to_string()}};
    }
    if (!findings.verdict_note.empty()) j["verdict_note"] = findings.verdict_note;
    if (findings.return_path) {
        j["return_path"] = *findings.return_path;
        j["return_path_line"] = findings.return_path_line;
    }
    if (findings.pra) {
        j["pra"] = *findings.pra;
        j["pra_field"] = findings.pra_field;
        j["pra_line"] = findings.pra_line;
    } else if (!findings.pra_problem.empty()) {
        j["pra_problem"] = findings.pra_problem;
    }
}

}  // namespace nettool::spf
