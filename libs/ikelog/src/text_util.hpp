#pragma once
// Small pure helpers the vendor parsers share: prefix/word matching on string_views, addresses, time stamps.
#include <string>
#include <string_view>

namespace nettool::ikelog::text {

inline bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
inline bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
inline bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }
// Removes `prefix` from the front of `s` when present.
inline bool consume(std::string_view& s, std::string_view prefix) {
    if (!starts_with(s, prefix)) return false;
    s.remove_prefix(prefix.size());
    return true;
}
std::string_view trim(std::string_view s);
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The text after `marker` up to (not including) the first of `stops` (or the end); npos-safe.
std::string_view after(std::string_view s, std::string_view marker, std::string_view stops = " ");

// A valid IPv4/IPv6 address at the start of `s` (stopping at '[', ':' + port for IPv4, ']', ',', ' ', ...),
// canonicalised; empty when there is none.
std::string leading_address(std::string_view s);
// The first valid IPv4 address anywhere in `s`, canonicalised; empty when none.
std::string first_ipv4(std::string_view s);

struct Stamp {
    std::string_view text;  // as printed (a view into the line), empty when none
    double seconds = -1;   // seconds since an arbitrary origin (year ignored when absent), < 0 unknown
};
// Recognises a leading time stamp in the common forms ("Nov 28 08:36:24", "Nov 28 08:41:49.491597:",
// "2024-05-19 12:00:00.123", "2015/04/17 14:41:29:", "*Mar  1 00:13:31.891:", ISO 8601 with 'T'), removes it
// (and the separator after it) from `line` and returns it; returns an empty Stamp and leaves `line` alone otherwise.
Stamp take_timestamp(std::string_view& line);

// Cheap check that a line is text: no NUL and no control bytes other than tab and ESC... (binary data).
bool looks_binary(std::string_view line);

}  // namespace nettool::ikelog::text
