#include "nettool/core/text.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>

namespace nettool {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 when it is not valid.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    std::size_t length = 0;
    std::uint32_t min_code = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        min_code = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        min_code = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        min_code = 0x10000;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    std::uint32_t code = lead & (0xFF >> (length + 1));
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    // C1 controls (U+0080..U+009F) can act as terminal escapes too.
    if (code >= 0x80 && code <= 0x9F) return 0;
    return length;
}

}  // namespace

std::string sanitize_for_terminal(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        if (c == '\t') {
            out += "\\t";
            ++i;
            continue;
        }
        if (c == '\n') {
            out += "\\n";
            ++i;
            continue;
        }
        if (c == '\r') {
            out += "\\r";
            ++i;
            continue;
        }
        if (c >= 0x80) {
            if (std::size_t n = utf8_sequence_length(text, i)) {
                out.append(text.substr(i, n));
                i += n;
                continue;
            }
        }
        std::array<char, 8> buf{};
        std::snprintf(buf.data(), buf.size(), "\\x%02x", c);
        out += buf.data();
        ++i;
    }
    return out;
}

std::string json_dump(const nlohmann::json& document, int indent) {
    return document.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string format_bytes(std::uint64_t bytes) {
    static constexpr std::array<const char*, 6> units{"B", "KB", "MB", "GB", "TB", "PB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1000.0 && unit + 1 < units.size()) {
        value /= 1000.0;
        ++unit;
    }
    std::array<char, 32> buf{};
    if (unit == 0) {
        std::snprintf(buf.data(), buf.size(), "%llu B", static_cast<unsigned long long>(bytes));
    } else {
        std::snprintf(buf.data(), buf.size(), "%.1f %s", value, units[unit]);
    }
    return buf.data();
}

std::string format_ms(double milliseconds) {
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%.3f ms", milliseconds);
    return buf.data();
}

std::string format_percent(double fraction, int decimals) {
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%.*f%%", decimals, fraction * 100.0);
    return buf.data();
}

}  // namespace nettool
