#pragma once
// Small pure helpers the vendor parsers share: prefix/word matching on string_views, addresses, time stamps.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nettool::ikelog::text {

// memcmp(...) == 0 with the literal's length known lets the compiler compare inline, without a call.
inline bool starts_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && (p.empty() || std::memcmp(s.data(), p.data(), p.size()) == 0);
}
inline bool ends_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
// How common a byte is in log text, roughly (higher = more common).
inline constexpr std::array<unsigned char, 256> byte_commonness = [] {
    std::array<unsigned char, 256> rank{};
    for (int c = '!'; c <= '~'; ++c) rank[c] = 20;  // punctuation
    for (int c = 'A'; c <= 'Z'; ++c) rank[c] = 30;
    for (int c = '0'; c <= '9'; ++c) rank[c] = 40;
    for (char c : std::string_view(".,:-_[]()/=<>|")) rank[static_cast<unsigned char>(c)] = 50;
    std::string_view by_frequency = "zqxjkvbpygfwmucldrhsnioate";  // English letter frequency, rarest first
    for (std::size_t i = 0; i < by_frequency.size(); ++i) {
        rank[static_cast<unsigned char>(by_frequency[i])] = static_cast<unsigned char>(60 + i);
    }
    rank[' '] = 100;
    return rank;
}();

// A substring to look for, with the byte contains() searches first: its rarest (the first byte of a needle is
// often a letter found all over the line). A `static constexpr Needle` works that out once, not on every line.
struct Needle {
    std::string_view text;
    std::size_t anchor = 0;
    constexpr explicit Needle(std::string_view t) : text(t) {
        for (std::size_t i = 1; i < t.size(); ++i) {
            if (byte_commonness[static_cast<unsigned char>(t[i])] <
                byte_commonness[static_cast<unsigned char>(t[anchor])]) {
                anchor = i;
            }
        }
    }
};
// s.find(p.text) != npos, found by memchr on the anchor byte.
bool contains(std::string_view s, const Needle& p);
// For a needle made on the spot a full scan for its rarest byte costs more than it saves: the rarer of its
// first, middle and last byte is anchor enough (any anchor gives the same answer).
inline bool contains(std::string_view s, std::string_view p) {
    Needle needle{std::string_view{}};
    needle.text = p;
    auto rank = [&](std::size_t i) { return byte_commonness[static_cast<unsigned char>(p[i])]; };
    if (p.size() > 1) {
        std::size_t middle = p.size() / 2, last = p.size() - 1;
        needle.anchor = rank(middle) < rank(0) ? middle : 0;
        if (rank(last) < rank(needle.anchor)) needle.anchor = last;
    }
    return contains(s, needle);
}
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
// leading_address for the lines of one log: the same few addresses come back line after line, so the canonical
// forms of the last few are remembered by their raw text instead of being parsed and printed again.
class AddressReader {
public:
    std::string leading(std::string_view s);  // same result as leading_address(s)

private:
    struct Entry {
        std::string raw, canonical;
    };
    std::array<Entry, 8> entries_;
    std::size_t next_ = 0;  // the entry to replace next (round robin)
};
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

// take_timestamp in steps. `parse` reads the date and the whole seconds, the part that decides the form and looks
// at no byte past `size`; the rest works on a line that starts with those same `size` bytes.
struct StampPrefix {
    std::size_t size = 0;  // bytes up to and including the seconds; 0 when there is no time stamp
    double base = 0;       // the date in seconds
    double clock = 0;      // hh:mm:ss in seconds
    bool iso_t = false;    // ISO 8601 with 'T': a zone suffix may follow
    bool parse(std::string_view line);
    // Where the stamp ends (fraction, zone), npos when it is cut short. Inline: it runs on every line.
    std::size_t end_in(std::string_view line) const {
        std::size_t end = size;
        if (end < line.size() && (line[end] == '.' || line[end] == ',')) {
            std::size_t f = end + 1, limit = std::min(line.size(), end + 10);  // up to 9 digits, as seconds_in
            while (f < limit && is_digit(line[f])) ++f;
            end = f;
        }
        if (iso_t) end = zone_end(line, end);
        return end > line.size() ? std::string_view::npos : end;
    }
    double seconds_in(std::string_view line) const;  // Stamp::seconds (adds the fraction)
    static std::size_t zone_end(std::string_view line, std::size_t end);
};

// Removes a stamp ending at `end` and the separator after it (':' and spaces) from `line`.
inline void skip_stamp(std::string_view& line, std::size_t end) {
    if (end < line.size() && line[end] == ':') ++end;
    while (end < line.size() && line[end] == ' ') ++end;
    line.remove_prefix(end);
}

// take_timestamp for the lines of one log: consecutive lines mostly share their date and second, so a line that
// starts with the previous stamp's bytes up to the seconds reuses that parse and reads only the fraction. The
// seconds are worked out only when asked for: most lines are dismissed without them.
class StampReader {
public:
    // Removes the time stamp and its separator from `line` as take_timestamp does; returns Stamp::text.
    std::string_view take(std::string_view& line) {
        if (cached_ && line.size() >= last_.size && same_prefix(line)) return take_rest(line);
        return take_new(line);
    }
    // Stamp::seconds of `text`, the stamp take() has just returned (< 0 when it was empty).
    double seconds(std::string_view text) const;

private:
    std::string_view take_new(std::string_view& line);  // parses the prefix afresh
    std::string_view take_rest(std::string_view& line) {
        std::size_t end = last_.end_in(line);
        if (end == std::string_view::npos) return {};
        std::string_view text = line.substr(0, end);
        skip_stamp(line, end);
        return text;
    }
    // line starts with bytes_ (line has last_.size bytes at least): compared eight at a time, inline.
    bool same_prefix(std::string_view line) const {
        auto same8 = [&](std::size_t at) {
            std::uint64_t x, y;
            std::memcpy(&x, line.data() + at, 8);
            std::memcpy(&y, bytes_.data() + at, 8);
            return x == y;
        };
        std::size_t size = last_.size;
        if (size < 8) return std::memcmp(line.data(), bytes_.data(), size) == 0;
        for (std::size_t at = 0; at + 8 < size; at += 8) {
            if (!same8(at)) return false;
        }
        return same8(size - 8);  // the last eight bytes, overlapping what was compared
    }

    StampPrefix last_;
    std::array<char, 32> bytes_{};  // the first last_.size bytes of the line last_ was parsed from
    bool cached_ = false;
};

// A few key -> value pairs a parser remembers across lines (SA id -> peer, tunnel -> SA id): the same few keys
// come back line after line, so a short list searched from the front; past `limit` the oldest pair goes.
class RecentPairs {
public:
    explicit RecentPairs(std::size_t limit) : limit_(limit) {}
    void set(const std::string& key, const std::string& value) {
        for (auto& [k, v] : pairs_) {
            if (k == key) {
                v = value;
                return;
            }
        }
        pairs_.emplace_back(key, value);
        if (pairs_.size() > limit_) pairs_.erase(pairs_.begin());
    }
    // The value for `key`, empty when there is none.
    std::string get(const std::string& key) const {
        for (const auto& [k, v] : pairs_) {
            if (k == key) return v;
        }
        return {};
    }

private:
    std::vector<std::pair<std::string, std::string>> pairs_;
    std::size_t limit_;
};

// Cheap check that a line is text: no NUL and no control bytes other than tab and ESC... (binary data).
bool looks_binary(std::string_view line);
bool looks_utf16(std::string_view line);  // ASCII text encoded as UTF-16 (every other byte NUL)

}  // namespace nettool::ikelog::text
