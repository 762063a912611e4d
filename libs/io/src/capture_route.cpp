// The interface of the IPv4 default route, from /proc/net/route (a file read, no traffic).
#include "nettool/io/capture.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>
#include <vector>

namespace nettool {

namespace {

// Splits one line on tabs and spaces (the kernel pads columns with both).
std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

template <class T>
bool parse_number(std::string_view text, int base, T& value) {
    if (text.empty()) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<std::string> parse_default_route_interface(std::string_view text) {
    constexpr unsigned rtf_up = 0x0001;
    std::optional<std::string> best;
    long best_metric = std::numeric_limits<long>::max();
    std::size_t position = 0;
    while (position < text.size()) {
        std::size_t newline = text.find('\n', position);
        if (newline == std::string_view::npos) newline = text.size();
        const std::string_view line = text.substr(position, newline - position);
        position = newline + 1;
        const auto fields = fields_of(line);
        // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
        if (fields.size() < 8 || fields[0] == "Iface") continue;
        std::uint32_t destination = 0;
        std::uint32_t mask = 0;
        unsigned flags = 0;
        long metric = 0;
        if (!parse_number(fields[1], 16, destination) || !parse_number(fields[3], 16, flags) ||
            !parse_number(fields[6], 10, metric) || !parse_number(fields[7], 16, mask)) {
            continue;
        }
        if (destination != 0 || mask != 0 || (flags & rtf_up) == 0) continue;
        if (fields[0].size() > 15) continue;  // IFNAMSIZ - 1: not a real interface name
        if (!best || metric < best_metric) {
            best = std::string(fields[0]);
            best_metric = metric;
        }
    }
    return best;
}

std::optional<std::string> default_route_interface() {
    std::ifstream in("/proc/net/route");
    if (!in) return std::nullopt;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_default_route_interface(text);
}

}  // namespace nettool
