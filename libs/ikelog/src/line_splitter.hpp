#pragma once
// Splits a byte stream into lines for a LogFeeder; lines over max_line_bytes are passed on as truncated (their
// text dropped), so a huge line costs no memory.
#include "nettool/ikelog/ike_log.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nettool::ikelog {

// Calls on_newline(p) for each '\n' in [from, to), in order. Lines are short (~80 bytes), so memchr per line
// would pay its call and setup on every line; with SSE2 (every x86-64) a 64-byte block is compared at once and
// its newlines are taken from the resulting bit mask.
template <class OnNewline>
void for_each_newline(const char* from, const char* to, OnNewline&& on_newline) {
#if defined(__SSE2__)
    const __m128i newline = _mm_set1_epi8('\n');
    auto mask16 = [&](const char* p) {
        __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        return static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, newline))));
    };
    for (; to - from >= 64; from += 64) {
        std::uint64_t mask = mask16(from) | mask16(from + 16) << 16 | mask16(from + 32) << 32 | mask16(from + 48) << 48;
        for (; mask != 0; mask &= mask - 1) on_newline(from + std::countr_zero(mask));
    }
#endif
    while (from < to) {
        const void* hit = std::memchr(from, '\n', static_cast<std::size_t>(to - from));
        if (!hit) break;
        on_newline(static_cast<const char*>(hit));
        from = static_cast<const char*>(hit) + 1;
    }
}

// Splits a byte stream into lines for `Sink::line(text, truncated)` (a LogFeeder, or the read-ahead thread's
// batches); lines over max_line_bytes are reported truncated (and their rest dropped). Complete lines are handed
// on as views into the fed data; only a line split between two feeds is copied.
template <class Sink>
class BasicLineSplitter {
public:
    explicit BasicLineSplitter(Sink& feeder) : feeder_(feeder) {}
    void feed(const char* data, std::size_t size) {
        const char* line = data;
        for_each_newline(data, data + size, [&](const char* newline) {
            piece(std::string_view(line, static_cast<std::size_t>(newline - line)), true);
            line = newline + 1;
        });
        if (line < data + size) piece(std::string_view(line, static_cast<std::size_t>(data + size - line)), false);
    }
    void finish() {
        if (dropping_) {
            emit({}, true);
        } else if (!carry_.empty()) {
            emit(carry_, false);
        }
        carry_.clear();
        dropping_ = false;
    }

private:
    // Part of a line; `complete` when a newline ends it there.
    void piece(std::string_view text, bool complete) {
        if (!dropping_) {
            if (carry_.empty() && complete && text.size() <= max_line_bytes) {
                emit(text, false);
            } else if (carry_.size() + text.size() > max_line_bytes) {
                dropping_ = true;
                carry_.clear();
            } else {
                carry_.append(text);
                if (complete) {
                    emit(carry_, false);
                    carry_.clear();
                }
            }
        }
        if (complete && dropping_) {
            emit({}, true);
            dropping_ = false;
        }
    }

    void emit(std::string_view line, bool truncated) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        feeder_.line(line, truncated);
    }
    Sink& feeder_;
    std::string carry_;
    bool dropping_ = false;
};

using LineSplitter = BasicLineSplitter<LogFeeder>;

}  // namespace nettool::ikelog
