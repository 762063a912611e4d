// Lines in: detection, parsing (main format plus others for mixed files), skip counting; files and gzip.
#include "nettool/ikelog/ike_log.hpp"

#include "line_splitter.hpp"
#include "text_util.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

// The path every line takes: kept small (the rare cases are in other functions) so that it inlines into line().
inline void LogFeeder::process(std::string_view text) {
    bool blank = text.empty() || ((text.front() == ' ' || text.front() == '\t' || text.front() == '\r') &&
                                  text::trim(text).empty());
    if (blank) return;
    events_.clear();
    if (parser_ && parser_->parse(text, events_)) {
        if (!events_.empty()) deliver();
        return;
    }
    unknown(text);
}

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

void LogFeeder::unknown(std::string_view text) {
    FileSummary& f = summary_;
    // Mixed files: another format may claim the line.
    for (const FormatInfo* other : all_formats()) {
        if (other == format_ || other->sniff(text) < 2) continue;
        auto& p = others_[other->name];
        if (!p) p = other->create();
        if (p->parse(text, events_)) {
            ++f.other_formats[std::string(other->name)];
            deliver();
            return;
        }
    }
    ++f.skipped;
    if (text::looks_binary(text)) {
        ++f.skipped_binary;
    } else {
        ++f.skipped_unrecognised;
    }
}

void LogFeeder::deliver() {
    for (auto& e : events_) {
        e.file = file_;
        e.line = line_number_;
        analyzer_.on_event(e);
    }
}


namespace {

// Many lines per read(), and small enough that the data is still in the CPU cache when the lines are parsed.
constexpr std::size_t kReadBuffer = 256 * 1024;

bool starts_gzip(int fd, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) return false;
    off_t at = lseek(fd, 0, SEEK_CUR);  // standard input may be a file opened part-way
    unsigned char magic[2] = {0, 0};
    return at >= 0 && pread(fd, magic, 2, at) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

// Plain text: read() into one reused buffer; the splitter hands complete lines on as views into it.
Status read_plain(int fd, const std::string& path, LogFeeder& feeder) {
    LineSplitter splitter(feeder);
    std::vector<char> buffer(kReadBuffer);
    Status status = Ok{};
    for (;;) {
        ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            status = input_error(std::string("read failed: ") + std::strerror(err), path);
            break;
        }
        if (n == 0) break;
        splitter.feed(buffer.data(), static_cast<std::size_t>(n));
    }
    splitter.finish();
    return status;
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
