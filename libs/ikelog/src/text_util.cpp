#include "text_util.hpp"

#include "nettool/wire/ip_address.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace nettool::ikelog::text {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string_view after(std::string_view s, std::string_view marker, std::string_view stops) {
    auto at = s.find(marker);
    if (at == std::string_view::npos) return {};
    s.remove_prefix(at + marker.size());
    // Not s.find_first_of(stops): libstdc++ calls memchr on `stops` for every byte of `s`.
    auto is_stop = [&](char c) {
        for (char stop : stops) {
            if (c == stop) return true;
        }
        return false;
    };
    std::size_t end = 0;
    while (end < s.size() && !is_stop(s[end])) ++end;
    return s.substr(0, end);
}

namespace {

bool address_char(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
}

std::string canonical(std::string_view candidate) {
    if (candidate.empty() || candidate.size() > 45) return {};
    auto parsed = IpAddress::parse(std::string(candidate));
    return parsed ? parsed->to_string() : std::string();
}

// The run of address characters leading_address looks at; its result depends on nothing else.
std::string_view address_token(std::string_view s) {
    std::size_t n = 0;
    while (n < s.size() && n < 46 && address_char(s[n]) && !(s[n] == '.' && n + 1 < s.size() && s[n + 1] == '.')) ++n;
    return s.substr(0, n);
}

std::string address_of_token(std::string_view token) {
    if (auto whole = canonical(token); !whole.empty()) return whole;
    // "192.0.2.1:500": an IPv4 address followed by a port.
    if (auto colon = token.find(':'); colon != std::string_view::npos && token.find('.') != std::string_view::npos) {
        return canonical(token.substr(0, colon));
    }
    return {};
}

}  // namespace

bool contains(std::string_view s, const Needle& p) {
    std::string_view needle = p.text;
    if (needle.empty()) return true;
    if (s.size() < needle.size()) return false;
    // The anchor byte of a match lies in [anchor, size - (needle size - anchor)].
    std::size_t anchor = p.anchor;
    const char* from = s.data() + anchor;
    const char* last = s.data() + (s.size() - (needle.size() - anchor));
    while (from <= last) {
        const void* hit = std::memchr(from, needle[anchor], static_cast<std::size_t>(last - from) + 1);
        if (!hit) return false;
        const char* at = static_cast<const char*>(hit);
        if (std::memcmp(at - anchor, needle.data(), needle.size()) == 0) return true;
        from = at + 1;
    }
    return false;
}

std::string leading_address(std::string_view s) { return address_of_token(address_token(s)); }

std::string AddressReader::leading(std::string_view s) {
    std::string_view token = address_token(s);
    if (token.empty()) return {};
    for (const Entry& e : entries_) {
        if (e.raw == token) return e.canonical;
    }
    Entry& e = entries_[next_];
    next_ = (next_ + 1) % entries_.size();
    e.raw.assign(token);
    e.canonical = address_of_token(token);
    return e.canonical;
}

std::string first_ipv4(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!is_digit(s[i]) || (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.'))) continue;
        std::size_t n = i;
        int dots = 0;
        while (n < s.size() && (is_digit(s[n]) || s[n] == '.')) dots += s[n++] == '.';
        if (dots >= 3) {
            std::string_view token = s.substr(i, n - i);
            while (!token.empty() && token.back() == '.') token.remove_suffix(1);
            if (auto a = canonical(token); !a.empty()) return a;
        }
        i = n;
    }
    return {};
}

namespace {

int month_index(std::string_view m) {
    static constexpr std::array<std::string_view, 12> names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (m == names[i]) return static_cast<int>(i) + 1;
    }
    return 0;
}

// Reads `count` digits at s[pos]; -1 when they are not there.
int digits(std::string_view s, std::size_t pos, std::size_t count) {
    if (pos + count > s.size()) return -1;
    int v = 0;
    for (std::size_t i = 0; i < count; ++i) {
        char c = s[pos + i];
        if (!is_digit(c)) return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

// "hh:mm:ss" at pos (whole seconds only); returns the end position or npos.
std::size_t whole_clock_at(std::string_view s, std::size_t pos, double& secs) {
    int h = digits(s, pos, 2), m = digits(s, pos + 3, 2), sec = digits(s, pos + 6, 2);
    if (h < 0 || m < 0 || sec < 0 || s[pos + 2] != ':' || s[pos + 5] != ':' || h > 23 || m > 59 || sec > 60) {
        return std::string_view::npos;
    }
    secs = h * 3600.0 + m * 60.0 + sec;
    return pos + 8;
}

// The weight of each fraction digit: 0.1, then divided by 10 again and again. The same repeated division as a
// running scale, so the same doubles; the table keeps the divisions off every line.
constexpr std::array<double, 10> fraction_scales = [] {
    std::array<double, 10> scales{};
    double scale = 0.1;
    for (double& s : scales) {
        s = scale;
        scale /= 10;
    }
    return scales;
}();

// The optional ".frac" / ",frac" (up to 9 digits) at `end`, added to `secs`; returns the new end.
std::size_t fraction_at(std::string_view s, std::size_t end, double& secs) {
    if (end < s.size() && (s[end] == '.' || s[end] == ',')) {
        std::size_t f = end + 1;
        while (f < s.size() && is_digit(s[f]) && f - end <= 9) {
            secs += (s[f] - '0') * fraction_scales[f - end - 1];
            ++f;
        }
        end = f;
    }
    return end;
}

double day_seconds(int year, int month, int day) {
    return ((std::max(year, 2000) - 2000) * 400.0 + month * 31.0 + day) * 86400.0;
}

}  // namespace

// Everything up to and including the whole seconds: what decides the form and the date. Only bytes before
// `size` are looked at, so a line starting with the same `size` bytes gives the same StampPrefix.
bool StampPrefix::parse(std::string_view s) {
    std::size_t start = 0;
    if (!s.empty() && (s[0] == '*' || s[0] == '.')) start = 1;  // Cisco: '*' not NTP-synced, '.' lost sync
    std::size_t end = std::string_view::npos;
    iso_t = false;
    // "Nov 28 08:36:24" / "Mar  1 00:13:31.891"
    if (s.size() >= start + 15 && s[start + 3] == ' ') {
        int month = month_index(s.substr(start, 3));
        int day = s[start + 4] == ' ' ? digits(s, start + 5, 1) : digits(s, start + 4, 2);
        if (month > 0 && day > 0 && s[start + 6] == ' ') {
            end = whole_clock_at(s, start + 7, clock);
            base = day_seconds(0, month, day);
            // "Dec 04 2014 12:37:51" (ASA) has the year after the day.
            if (end == std::string_view::npos) {
                int year = digits(s, start + 7, 4);
                if (year > 0 && s.size() > start + 12 && s[start + 11] == ' ') {
                    end = whole_clock_at(s, start + 12, clock);
                    base = day_seconds(year, month, day);
                }
            }
        }
    } else if (s.size() >= start + 19 && digits(s, start, 4) >= 0 && (s[start + 4] == '-' || s[start + 4] == '/') &&
               s[start + 7] == s[start + 4] && (s[start + 10] == ' ' || s[start + 10] == 'T')) {
        int year = digits(s, start, 4), month = digits(s, start + 5, 2), day = digits(s, start + 8, 2);
        if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31) {
            end = whole_clock_at(s, start + 11, clock);
            base = day_seconds(year, month, day);
            iso_t = s[start + 10] == 'T';
        }
    }
    size = end == std::string_view::npos ? 0 : end;
    return size > 0;
}

std::size_t StampPrefix::zone_end(std::string_view s, std::size_t end) {
    // ISO zone suffix: Z or +hh:mm
    if (end < s.size()) {
        if (s[end] == 'Z') {
            ++end;
        } else if ((s[end] == '+' || s[end] == '-') && digits(s, end + 1, 2) >= 0) {
            end += 3;
            if (end < s.size() && s[end] == ':') end += 3;
        }
    }
    return end;
}

double StampPrefix::seconds_in(std::string_view s) const {
    double secs = clock;
    fraction_at(s, size, secs);
    return base + secs;
}

Stamp take_timestamp(std::string_view& line) {
    StampPrefix prefix;
    if (!prefix.parse(line)) return {};
    std::size_t end = prefix.end_in(line);
    if (end == std::string_view::npos) return {};
    Stamp stamp{line.substr(0, end), prefix.seconds_in(line)};
    skip_stamp(line, end);
    return stamp;
}

std::string_view StampReader::take_new(std::string_view& line) {
    cached_ = false;
    if (!last_.parse(line)) return {};
    if (last_.size <= bytes_.size()) {  // longer prefixes are not remembered (none of the known forms)
        std::memcpy(bytes_.data(), line.data(), last_.size);
        cached_ = true;
    }
    return take_rest(line);
}

double StampReader::seconds(std::string_view text) const { return text.empty() ? -1 : last_.seconds_in(text); }

bool looks_binary(std::string_view line) {
    for (unsigned char c : line) {
        if (c < 0x20 && c != '\t' && c != 0x1b) return true;
        if (c == 0x7f) return true;
    }
    return false;
}

bool looks_utf16(std::string_view line) {
    // ASCII text in UTF-16: every other byte is NUL (the line split at a newline may start with the odd one).
    std::size_t nul = 0, printable = 0;
    for (unsigned char c : line) {
        if (c == 0) {
            ++nul;
        } else if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == 0xff || c == 0xfe) {
            ++printable;
        }
    }
    return line.size() >= 4 && nul * 5 >= line.size() * 2 && (nul + printable) * 10 >= line.size() * 9;
}

}  // namespace nettool::ikelog::text
