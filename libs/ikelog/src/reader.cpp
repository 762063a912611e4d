// Lines in: detection, parsing (main format plus others for mixed files), skip counting; files and gzip.
#include "nettool/ikelog/ike_log.hpp"

#include "line_splitter.hpp"
#include "text_util.hpp"

#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nettool::ikelog {

LogFeeder::LogFeeder(Analyzer& analyzer, std::size_t file_index, const FormatInfo* forced)
    : analyzer_(analyzer), file_(file_index), summary_(analyzer.file(file_index)), format_(forced) {
    if (forced) {
        parser_ = forced->create();
        decided_ = true;
        analyzer_.set_file_format(file_, forced, 1.0, true);
    }
}

LogFeeder::~LogFeeder() = default;

void LogFeeder::line(std::string_view text, bool truncated) {
    ++line_number_;
    FileSummary& f = summary_;
    ++f.lines;
    if (truncated) {
        ++f.skipped;
        ++f.skipped_too_long;
        if (!decided_) pending_.emplace_back();  // keep numbering: a placeholder that is skipped again below
        return;
    }
    if (!decided_) {
        if (pending_.empty()) pending_first_line_ = line_number_;
        pending_.emplace_back(text);
        if (pending_.size() >= detection_lines) flush(true);
        return;
    }
    process(text);
}

void LogFeeder::flush(bool end_of_input) {
    if (decided_ || pending_.empty()) return;
    Detection d = detect_format(pending_);
    // Nothing recognised yet: while following, wait for more lines before giving up on the format.
    if (!d.format && !end_of_input && pending_.size() < detection_lines) return;
    format_ = d.format;
    if (format_) parser_ = format_->create();
    analyzer_.set_file_format(file_, format_, d.confidence, false);
    decided_ = true;
    std::vector<std::string> lines = std::move(pending_);
    pending_.clear();
    std::size_t saved = line_number_;
    line_number_ = pending_first_line_ - 1;
    for (const auto& l : lines) {
        ++line_number_;
        process(l);
    }
    line_number_ = saved;
}

void LogFeeder::process(std::string_view text) {
    FileSummary& f = summary_;
    bool blank = text.empty() || ((text.front() == ' ' || text.front() == '\t' || text.front() == '\r') && text::trim(text).empty());
    if (blank) return;
    events_.clear();
    bool known = parser_ && parser_->parse(text, events_);
    if (!known) {
        // Mixed files: another format may claim the line.
        for (const FormatInfo* other : all_formats()) {
            if (other == format_ || other->sniff(text) < 2) continue;
            auto& p = others_[other->name];
            if (!p) p = other->create();
            if (p->parse(text, events_)) {
                known = true;
                ++f.other_formats[std::string(other->name)];
                break;
            }
        }
    }
    if (!known) {
        ++f.skipped;
        if (text::looks_binary(text)) {
            ++f.skipped_binary;
        } else {
            ++f.skipped_unrecognised;
        }
        return;
    }
    for (auto& e : events_) {
        e.file = file_;
        e.line = line_number_;
        analyzer_.on_event(e);
    }
}


namespace {

// Big enough for many lines per read() and always for one whole line of max_line_bytes.
constexpr std::size_t kReadBuffer = 1 << 20;
static_assert(kReadBuffer > 2 * max_line_bytes);

bool starts_gzip(int fd, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) return false;
    off_t at = lseek(fd, 0, SEEK_CUR);  // standard input may be a file opened part-way
    unsigned char magic[2] = {0, 0};
    return at >= 0 && pread(fd, magic, 2, at) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

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
    while (const void* hit = std::memchr(from, '\n', static_cast<std::size_t>(to - from))) {
        on_newline(static_cast<const char*>(hit));
        from = static_cast<const char*>(hit) + 1;
    }
}

// Plain text: read() into one reused buffer and hand each line on as a view into it. Only an unfinished line at
// the end of a read is moved (to the front, before the next read); same line and truncation rules as LineSplitter.
Status read_plain(int fd, const std::string& path, LogFeeder& feeder) {
    std::vector<char> buffer(kReadBuffer);
    std::size_t kept = 0;   // bytes of an unfinished line at the front of the buffer
    bool dropping = false;  // inside a line longer than max_line_bytes: its bytes are discarded
    auto emit = [&feeder](const char* begin, const char* end) {
        std::size_t size = static_cast<std::size_t>(end - begin);
        if (size > max_line_bytes) {
            feeder.line({}, true);
            return;
        }
        if (size > 0 && end[-1] == '\r') --size;
        feeder.line(std::string_view(begin, size), false);
    };
    for (;;) {
        ssize_t n = ::read(fd, buffer.data() + kept, buffer.size() - kept);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            return input_error(std::string("read failed: ") + std::strerror(err), path);
        }
        if (n == 0) break;
        const char* line = buffer.data();
        const char* end = buffer.data() + kept + n;
        // The kept bytes hold no newline.
        for_each_newline(buffer.data() + kept, end, [&](const char* nl) {
            if (dropping) {
                feeder.line({}, true);
                dropping = false;
            } else {
                emit(line, nl);
            }
            line = nl + 1;
        });
        std::size_t tail = static_cast<std::size_t>(end - line);
        if (!dropping && tail > max_line_bytes) dropping = true;
        kept = dropping ? 0 : tail;
        if (kept > 0) std::memmove(buffer.data(), line, kept);
    }
    if (dropping) {
        feeder.line({}, true);
    } else if (kept > 0) {
        emit(buffer.data(), buffer.data() + kept);
    }
    return Ok{};
}

// Gzip-compressed or not seekable (a pipe): zlib reads both, recognising gzip by content.
Status read_stream(int fd, const std::string& path, LogFeeder& feeder) {
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return internal_error("cannot start reading (zlib)", path);
    }
    gzbuffer(gz, 1 << 20);
    LineSplitter splitter(feeder);
    std::vector<char> buffer(1 << 20);
    Status status = Ok{};
    for (;;) {
        int n = gzread(gz, buffer.data(), static_cast<unsigned>(buffer.size()));
        if (n < 0) {
            int errnum = 0;
            const char* message = gzerror(gz, &errnum);
            status = input_error(std::string("read failed: ") +
                                     (errnum == Z_ERRNO ? std::strerror(errno) : (message ? message : "?")),
                                 path);
            break;
        }
        if (n == 0) break;
        splitter.feed(buffer.data(), static_cast<std::size_t>(n));
    }
    // A truncated gzip stream: zlib reports it at the end; keep what was read and say so.
    int errnum = 0;
    const char* message = gzerror(gz, &errnum);
    if (status.ok() && errnum != Z_OK && errnum != Z_STREAM_END) {
        status = input_error(std::string("compressed data is damaged: ") + (message ? message : "?"), path);
    }
    gzclose(gz);
    splitter.finish();
    return status;
}

}  // namespace

Status read_log(const std::string& path, Analyzer& analyzer, const FormatInfo* forced) {
    int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        return input_error(std::string("cannot open: ") + std::strerror(err), path);
    }
    struct stat st {};
    bool plain = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !starts_gzip(fd, st);
    std::size_t index = analyzer.add_file(path == "-" ? "(stdin)" : path);
    LogFeeder feeder(analyzer, index, forced);
    Status status = Ok{};
    if (plain) {
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        status = read_plain(fd, path, feeder);
        close(fd);
    } else {
        status = read_stream(fd, path, feeder);  // closes fd
    }
    feeder.flush(true);  // input ended before detection had enough lines: decide with what there is
    return status;
}

}  // namespace nettool::ikelog
