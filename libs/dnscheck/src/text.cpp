#include "nettool/dnscheck/text.hpp"

#include <cmath>
#include <cstdio>

namespace nettool::dnscheck {

std::string ms_text(double milliseconds) {
    char buffer[64];
    if (!std::isfinite(milliseconds)) return "? ms";
    if (milliseconds < 10.0) {
        std::snprintf(buffer, sizeof buffer, "%.2f ms", milliseconds);
    } else if (milliseconds < 100.0) {
        std::snprintf(buffer, sizeof buffer, "%.1f ms", milliseconds);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.0f ms", milliseconds);
    }
    return buffer;
}

std::string percent_text(double fraction) {
    char buffer[64];
    double percent = fraction * 100.0;
    if (!std::isfinite(percent)) return "?%";
    if (std::fabs(percent - std::round(percent)) < 0.05) {
        std::snprintf(buffer, sizeof buffer, "%.0f%%", percent);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.1f%%", percent);
    }
    return buffer;
}

std::string display_name(const std::string& name) {
    if (name.empty() || name == ".") return ".";
    return name;
}

std::string rcode_name(int rcode) {
    static const char* const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode >= 0 && rcode < static_cast<int>(sizeof names / sizeof names[0])) return names[rcode];
    if (rcode == 16) return "BADVERS";
    return "RCODE" + std::to_string(rcode);
}

std::string type_name(std::uint16_t type) {
    switch (type) {
        case 1: return "A";
        case 2: return "NS";
        case 5: return "CNAME";
        case 6: return "SOA";
        case 12: return "PTR";
        case 15: return "MX";
        case 16: return "TXT";
        case 28: return "AAAA";
        case 43: return "DS";
        case 46: return "RRSIG";
        case 48: return "DNSKEY";
        case 255: return "ANY";
        default: return "TYPE" + std::to_string(type);
    }
}

std::optional<std::uint16_t> type_from_name(const std::string& name) {
    std::string upper;
    for (char c : name) upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    for (std::uint16_t t : {1, 2, 5, 6, 12, 15, 16, 28, 43, 46, 48, 255}) {
        if (type_name(t) == upper) return t;
    }
    if (upper.size() > 4 && upper.size() <= 9 && upper.compare(0, 4, "TYPE") == 0) {
        unsigned long value = 0;
        for (std::size_t i = 4; i < upper.size(); ++i) {
            if (upper[i] < '0' || upper[i] > '9') return std::nullopt;
            value = value * 10 + static_cast<unsigned long>(upper[i] - '0');
        }
        if (value >= 1 && value <= 65535 && upper[4] != '0') return static_cast<std::uint16_t>(value);
    }
    return std::nullopt;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += separator;
        out += parts[i];
    }
    return out;
}

}  // namespace nettool::dnscheck
