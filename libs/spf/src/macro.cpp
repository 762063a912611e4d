#include "nettool/spf/macro.hpp"

#include "nettool/spf/record.hpp"

#include <algorithm>
#include <vector>

namespace nettool::spf {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr std::size_t max_transformer = 128;  // RFC 7208 7.3: at least 128 parts must be supported

std::string letter_value(char letter, const MacroContext& ctx) {
    switch (letter) {
        case 's': return ctx.sender;
        case 'l': return ctx.local_part;
        case 'o': return ctx.sender_domain;
        case 'd': return ctx.domain;
        case 'i': return ip_macro_value(ctx.ip);
        case 'p': return ctx.validated_name ? ctx.validated_name() : std::string("unknown");
        case 'h': return ctx.helo;
        case 'v': return ctx.ip.is_v6() ? "ip6" : "in-addr";
        case 'c': return ctx.ip.to_string();
        case 'r': return ctx.receiver;
        case 't': return std::to_string(ctx.timestamp);
        default: return {};
    }
}

std::string transform(const std::string& value, std::size_t keep, bool reverse, std::string_view delimiters) {
    if (keep == 0 && !reverse && (delimiters.empty() || delimiters == ".")) return value;
    std::vector<std::string> parts;
    std::string current;
    for (char c : value) {
        bool split = delimiters.empty() ? c == '.' : delimiters.find(c) != std::string_view::npos;
        if (split) {
            parts.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    parts.push_back(std::move(current));
    if (reverse) std::reverse(parts.begin(), parts.end());
    std::size_t first = 0;
    if (keep != 0 && keep < parts.size()) first = parts.size() - keep;
    std::string out;
    for (std::size_t i = first; i < parts.size(); ++i) {
        if (i != first) out += '.';
        out += parts[i];
    }
    return out;
}

}  // namespace

std::string url_escape(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0x0F];
        }
    }
    return out;
}

std::string ip_macro_value(const IpAddress& ip) {
    if (ip.is_v4()) return ip.to_string();
    if (!ip.is_v6()) return {};
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < 16; ++i) {
        if (i != 0) out += '.';
        out += hex[ip.bytes[i] >> 4];
        out += '.';
        out += hex[ip.bytes[i] & 0x0F];
    }
    return out;
}

std::string reverse_name(const IpAddress& ip) {
    if (ip.is_v4()) {
        return std::to_string(ip.bytes[3]) + "." + std::to_string(ip.bytes[2]) + "." + std::to_string(ip.bytes[1]) +
               "." + std::to_string(ip.bytes[0]) + ".in-addr.arpa";
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 16; i-- > 0;) {
        out += hex[ip.bytes[i] & 0x0F];
        out += '.';
        out += hex[ip.bytes[i] >> 4];
        out += '.';
    }
    return out + "ip6.arpa";
}

Result<std::string> expand_macros(std::string_view text, const MacroContext& context, bool explanation) {
    if (auto error = check_macro_string(text, explanation)) return input_error(*error);
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c != '%') {
            out += c;
            ++i;
            continue;
        }
        char n = text[i + 1];  // syntax checked: a '%' is never last
        if (n == '%') {
            out += '%';
            i += 2;
            continue;
        }
        if (n == '_') {
            out += ' ';
            i += 2;
            continue;
        }
        if (n == '-') {
            out += "%20";
            i += 2;
            continue;
        }
        std::size_t close = text.find('}', i + 2);
        std::string_view body = text.substr(i + 2, close - i - 2);
        char letter = body[0];
        bool upper = letter >= 'A' && letter <= 'Z';
        std::size_t j = 1;
        std::size_t keep = 0;
        while (j < body.size() && body[j] >= '0' && body[j] <= '9') {
            keep = std::min<std::size_t>(keep * 10 + static_cast<std::size_t>(body[j] - '0'), 100000);
            ++j;
        }
        keep = std::min(keep, max_transformer);
        bool reverse = false;
        if (j < body.size() && (body[j] == 'r' || body[j] == 'R')) {
            reverse = true;
            ++j;
        }
        std::string_view delimiters = body.substr(j);
        std::string value = transform(letter_value(lower(letter), context), keep, reverse, delimiters);
        out += upper ? url_escape(value) : value;
        i = close + 1;
    }
    return out;
}

Result<std::string> expand_domain(std::string_view domain_spec, const MacroContext& context) {
    auto expanded = expand_macros(domain_spec, context, false);
    if (!expanded) return expanded.error();
    std::string name = std::move(expanded).value();
    if (!name.empty() && name.back() == '.') name.pop_back();
    while (name.size() > 253) {
        std::size_t dot = name.find('.');
        if (dot == std::string::npos) {
            name.clear();
            break;
        }
        name.erase(0, dot + 1);
    }
    return name;
}

bool valid_query_name(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty() || name.size() > 253) return false;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = name.find('.', start);
        std::size_t len = (dot == std::string_view::npos ? name.size() : dot) - start;
        if (len == 0 || len > 63) return false;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return true;
}

bool valid_check_domain(std::string_view domain) {
    if (!valid_query_name(domain)) return false;
    if (domain.front() == '[') return false;
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    return domain.find('.') != std::string_view::npos;
}

}  // namespace nettool::spf
