#include "nettool/exporter/http_query.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>

namespace nettool::exporter {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return usage_error("truncated %-escape in the URL");
            int high = hex_value(text[i + 1]);
            int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) return usage_error("malformed %-escape in the URL");
            c = static_cast<char>(high * 16 + low);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') return usage_error("NUL byte in the URL");
        out += c;
    }
    return out;
}

}  // namespace

Result<HttpTarget> parse_http_target(std::string_view target) {
    if (target.empty() || target.front() != '/') return usage_error("the request target must start with '/'");
    HttpTarget out;
    std::size_t question = target.find('?');
    std::string_view path = target.substr(0, question);
    if (std::size_t hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
    auto decoded_path = percent_decode(path, false);
    if (!decoded_path) return decoded_path.error();
    out.path = *decoded_path;
    if (question == std::string_view::npos) return out;
    std::string_view query = target.substr(question + 1);
    if (std::size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
    while (!query.empty()) {
        std::size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        std::size_t eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        if (!key) return key.error();
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!value) return value.error();
        out.parameters.emplace(std::move(*key), std::move(*value));
    }
    return out;
}

std::optional<double> parse_scrape_timeout(std::string_view value) {
    std::string text(value);
    if (text.empty() || text.size() > 32) return std::nullopt;
    char* end = nullptr;
    double seconds = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(seconds) || seconds <= 0) return std::nullopt;
    return seconds;
}

}  // namespace nettool::exporter
