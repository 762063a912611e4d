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

ReceivedHop parse_received(std::string_view raw_value) {
    ReceivedHop hop;
    hop.raw = trim(raw_value);
    std::string value = hop.raw;
    // The date follows the last ';'.
    if (auto semi = value.rfind(';'); semi != std::string::npos) value = value.substr(0, semi);
    std::vector<std::string> words = tokens(value);
    if (words.empty() || !iequals(words[0], "from")) {
        hop.form = "local";
        for (std::size_t i = 0; i + 1 < words.size(); ++i) {
            if (iequals(words[i], "by")) hop.by = words[i + 1];
        }
        return hop;
    }
    std::size_t by_index = words.size();
    for (std::size_t i = 1; i < words.size(); ++i) {
        if (iequals(words[i], "by")) {
            by_index = i;
            break;
        }
    }
    if (by_index + 1 < words.size()) hop.by = words[by_index + 1];
    std::vector<std::string> from(words.begin() + 1, words.begin() + static_cast<std::ptrdiff_t>(by_index));
    if (from.empty()) return hop;
    std::string first = from[0];
    std::string joined;
    for (const auto& w : from) joined += w + " ";
    std::string lower_joined = lowered(joined);
    bool exim = lower_joined.find("helo=") != std::string::npos;
    bool qmail = lower_joined.find("(helo ") != std::string::npos;

    // The address: bracketed literals first (the receiver's own record of the peer), then bare ones in comments.
    std::optional<IpAddress> bracketed, bare;
    std::string before_bracket;
    for (const auto& w : from) {
        std::string inner = w;
        if (inner.front() == '(' && inner.back() == ')') inner = inner.substr(1, inner.size() - 2);
        std::vector<std::string> parts = w.front() == '(' ? tokens(inner) : std::vector<std::string>{w};
        std::string previous;
        for (const auto& p : parts) {
            std::string q = p;
            while (!q.empty() && q.front() == '(') q.erase(0, 1);
            if (!q.empty() && q.front() == '[') {
                if (auto ip = address_literal(q); ip && !bracketed) {
                    bracketed = ip;
                    before_bracket = previous;
                }
            } else if (!bare && w.front() == '(') {
                if (auto ip = address_literal(q)) bare = ip;
            }
            previous = q;
        }
    }
    if (!bracketed && !bare) {
        if (auto ip = address_literal(first)) bare = ip;
    }
    hop.ip = bracketed ? bracketed : bare;

    if (exim) {
        std::size_t at = lower_joined.find("helo=");
        std::string rest = joined.substr(at + 5);
        std::size_t end = rest.find_first_of(" )");
        hop.helo = rest.substr(0, end);
        if (!address_literal(first)) hop.reverse_name = first;
        hop.form = "exim";
    } else if (qmail) {
        std::size_t at = lower_joined.find("(helo ");
        std::string rest = joined.substr(at + 6);
        std::size_t end = rest.find_first_of(" )");
        hop.helo = rest.substr(0, end);
        if (!iequals(first, "unknown")) hop.reverse_name = first;
        hop.form = "qmail";
    } else {
        hop.helo = first;
        if (bracketed) {
            std::string rdns = before_bracket;
            if (!rdns.empty() && rdns.back() == '.') rdns.pop_back();
            if (!iequals(rdns, "unknown")) hop.reverse_name = rdns;
        }
        hop.form = (!bracketed && bare && lowered(hop.raw).find("microsoft smtp") != std::string::npos)
                       ? "exchange"
                       : "postfix/sendmail";
    }
    if (!hop.helo.empty() && hop.helo.back() == '.') hop.helo.pop_back();
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

HeaderFindings analyse_header(std::string_view message) {
    HeaderFindings out;
    ParsedHeader header = parse_header(message);
    out.skipped_lines = header.skipped_lines;
    for (const auto& field : header.fields) {
        if (iequals(field.name, "Received")) {
            ReceivedHop hop = parse_received(field.value);
            hop.line = field.line;
            hop.index = out.hops.size();
            out.hops.push_back(std::move(hop));
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
    for (const auto& hop : out.hops) {
        if (hop.ip && !is_private_or_local(*hop.ip)) {
            out.entry = hop.index;
            out.entry_reason = "topmost Received: field with a public client address";
            break;
        }
    }
    if (!out.entry) {
        for (const auto& hop : out.hops) {
            if (hop.ip) {
                out.entry = hop.index;
                out.entry_reason = "no public client address in the chain; using the topmost address";
                break;
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
    j = {{"line", hop.line}, {"index", hop.index}, {"form", hop.form}, {"raw", hop.raw}};
    if (hop.ip) j["ip"] = hop.ip->to_string();
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
