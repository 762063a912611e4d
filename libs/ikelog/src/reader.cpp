// Lines in: detection, parsing (main format plus others for mixed files), skip counting; files and gzip.
#include "nettool/ikelog/ike_log.hpp"

#include "line_splitter.hpp"
#include "text_util.hpp"

#include <zlib.h>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nettool::ikelog {

LogFeeder::LogFeeder(Analyzer& analyzer, std::size_t file_index, const FormatInfo* forced)
    : analyzer_(analyzer), file_(file_index), summary_(analyzer.file(file_index)), format_(forced) {
    if (forced) {
        forced_ = forced;
        parser_ = forced->create();
        decided_ = true;
        analyzer_.set_file_format(file_, forced, 1.0, true);
    }
}

void LogFeeder::allow_reordering() {
    may_reorder_ = true;
    // A forced format needs no detection, but the first lines are still held to tell a newest-first file.
    if (forced_ && line_number_ == 0) decided_ = false;
}

LogFeeder::~LogFeeder() = default;

bool LogFeeder::only_spaces(std::string_view text) { return text::trim(text).empty(); }

void LogFeeder::line_before_parsing(std::string_view text, bool truncated) {
    ++line_number_;
    FileSummary& f = summary_;
    ++f.lines;
    if (truncated) {
        ++f.skipped;
        ++f.skipped_too_long;
        if (!decided_) pending_.emplace_back();  // keep numbering: a placeholder that is skipped again below
        return;
    }
    if (pending_.empty()) pending_first_line_ = line_number_;
    pending_.emplace_back(text);
    if (pending_.size() >= detection_lines) flush(true);
}

void LogFeeder::flush(bool end_of_input) {
    if (decided_ || pending_.empty()) return;
    if (forced_) {
        format_ = forced_;  // parser_ and the file's format were set when the feeder was made
    } else {
        Detection d = detect_format(pending_);
        // Nothing recognised yet: while following, wait for more lines before giving up on the format.
        if (!d.format && !end_of_input && pending_.size() < detection_lines) return;
        format_ = d.format;
        if (format_) parser_ = format_->create();
        analyzer_.set_file_format(file_, format_, d.confidence, false);
    }
    decided_ = true;
    std::vector<std::string> lines = std::move(pending_);
    pending_.clear();
    if (may_reorder_ && format_ && runs_backwards(lines)) {
        reverse_ = true;
        summary_.newest_first = true;
    }
    std::size_t saved = line_number_;
    line_number_ = pending_first_line_ - 1;
    for (const auto& l : lines) {
        ++line_number_;
        process(l);
    }
    line_number_ = saved;
}

// Newest first: the time stamps the format's own parser reads off the sampled lines mostly go down. Lines with
// the same stamp count neither way; a single step back (midnight, a clock set) does not turn a file around.
bool LogFeeder::runs_backwards(const std::vector<std::string>& lines) const {
    std::unique_ptr<LineParser> scratch = format_->create();
    std::vector<Event> events;
    double previous = -1;
    std::size_t up = 0, down = 0;
    for (const auto& line : lines) {
        events.clear();
        if (is_blank(line) || !scratch->parse(line, events)) continue;
        for (const Event& e : events) {
            if (e.seconds < 0) continue;
            if (previous >= 0 && e.seconds > previous) ++up;
            if (previous >= 0 && e.seconds < previous) ++down;
            previous = e.seconds;
            break;  // one stamp per line
        }
    }
    return down >= 2 && down > 3 * up;
}

namespace {
constexpr std::size_t kMaxHeldBytes = 256u << 20;  // newest-first exports are GUI-sized; beyond this, file order
}

void LogFeeder::hold(std::string_view text) {
    held_.emplace_back(line_number_, std::string(text));
    held_bytes_ += text.size() + sizeof(held_.back());
    if (held_bytes_ <= kMaxHeldBytes) return;
    // Too large to turn around in memory: read it in file order after all, and do not claim otherwise.
    reverse_ = false;
    summary_.newest_first = false;
    std::size_t saved = line_number_;
    for (auto& [number, line] : held_) {
        line_number_ = number;
        process(line);
    }
    line_number_ = saved;
    held_.clear();
    held_bytes_ = 0;
}

void LogFeeder::finish() {
    flush(true);
    if (!reverse_) return;
    reverse_ = false;
    std::size_t saved = line_number_;
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
        line_number_ = it->first;
        process(it->second);
    }
    line_number_ = saved;
    held_.clear();
    held_bytes_ = 0;
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
        if (text::looks_utf16(text)) ++f.skipped_utf16;
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
constexpr std::size_t kReadAheadFrom = 8 << 20;  // files from this size are read on a second thread

bool starts_gzip(int fd, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) return false;
    off_t at = lseek(fd, 0, SEEK_CUR);  // standard input may be a file opened part-way
    unsigned char magic[2] = {0, 0};
    return at >= 0 && pread(fd, magic, 2, at) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

// A large plain file is read, split into lines and sifted on a second thread, ahead of the parsing: once the
// format is known, that thread counts the lines its LineFilter dismisses (most of them) and blank ones, and
// passes on only the others, with how many were counted before each. The parsing thread then sees a fraction of
// the lines, and the kernel's copying of the data is off it as well. Memory is fixed: kSlots batches of at most
// one read buffer's lines each.
struct Batch {
    struct Line {
        std::size_t offset = 0, size = 0;  // in `data`, or in `carried`
        std::size_t counted_before = 0;    // lines dismissed just before this one
        bool in_carried = false;           // a line that began in the previous batch's data
        bool truncated = false;
    };
    std::vector<char> data;  // what one read() brought; the lines passed on are views into it
    std::string carried;     // copies of the lines split between two reads
    std::vector<Line> lines;
    std::size_t counted_after = 0;  // lines dismissed after the last one passed on

    void clear() {
        carried.clear();
        lines.clear();
        counted_after = 0;
    }
    void add(std::string_view text, bool truncated, std::size_t counted_before) {
        Line line{0, text.size(), counted_before, false, truncated};
        if (!text.empty() && text.data() >= data.data() && text.data() < data.data() + data.size()) {
            line.offset = static_cast<std::size_t>(text.data() - data.data());
        } else {  // the splitter's carry-over (or an empty line): copied
            line.offset = carried.size();
            line.in_carried = true;
            carried.append(text);
        }
        lines.push_back(line);
    }
    std::string_view line_text(const Line& line) const {
        const char* base = line.in_carried ? carried.data() : data.data();
        return std::string_view(base + line.offset, line.size);
    }
};

class ReadAhead {
public:
    // `format`: the format, when it is already decided (forced).
    ReadAhead(int fd, bool decided, const FormatInfo* format) : fd_(fd) {
        if (decided) tell_format(format);
        reader_ = std::thread([this] { run(); });
    }
    ~ReadAhead() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        reader_.join();
    }
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // The parser has decided the file's format (nullptr: none recognised): sifting may start.
    void tell_format(const FormatInfo* format) {
        std::lock_guard lock(mutex_);
        format_ = format;
        format_known_ = true;
    }

    // The next batch, valid until the next call; nullptr at the end of the file (or after a failed read: error()).
    const Batch* next() {
        std::unique_lock lock(mutex_);
        if (holding_) {  // the caller is done with the previous batch: it may be filled again
            ++consumed_;
            holding_ = false;
            changed_.notify_all();
        }
        if (produced_ == consumed_ && !done_) {
            waiting_ = true;
            changed_.wait(lock, [&] { return produced_ > consumed_ || done_; });
            waiting_ = false;
        }
        if (failure_) std::rethrow_exception(failure_);
        if (produced_ == consumed_) return nullptr;
        holding_ = true;
        return &slots_[consumed_ % kSlots];
    }
    int error() const {
        std::lock_guard lock(mutex_);
        return error_;
    }

    // BasicLineSplitter's sink, on the reading thread.
    void line(std::string_view text, bool truncated) {
        if (!truncated && sift_batch_ && (LogFeeder::is_blank(text) || (filter_ && filter_->dismisses(text)))) {
            ++counted_;
            return;
        }
        filling_->add(text, truncated, counted_);
        counted_ = 0;
    }

private:
    static constexpr std::size_t kSlots = 4;

    void run() {
        try {
            BasicLineSplitter<ReadAhead> splitter(*this);
            for (auto& slot : slots_) slot.data.resize(kReadBuffer);
            for (bool end = false; !end;) {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [&] { return stop_ || produced_ - consumed_ < kSlots; });
                if (stop_) return;
                // Not the batch being parsed: at most kSlots - 1 are filled.
                filling_ = &slots_[produced_ % kSlots];
                if (format_known_ && !sifting_) {
                    sifting_ = true;
                    if (format_ && format_->create_filter) filter_ = format_->create_filter();
                }
                // Sifting is the bigger share of the work: when the parser is already waiting for lines, this batch
                // goes unsifted (the parser reads all its lines, with the same result), so neither thread idles.
                sift_batch_ = sifting_ && !waiting_;
                lock.unlock();
                filling_->clear();
                ssize_t n;
                do {
                    n = ::read(fd_, filling_->data.data(), filling_->data.size());
                } while (n < 0 && errno == EINTR);
                int err = n < 0 ? errno : 0;
                if (n > 0) {
                    splitter.feed(filling_->data.data(), static_cast<std::size_t>(n));
                } else {
                    splitter.finish();
                    end = true;
                }
                filling_->counted_after = counted_;
                counted_ = 0;
                lock.lock();
                ++produced_;
                if (end) {
                    error_ = err;
                    done_ = true;
                }
                changed_.notify_all();
            }
        } catch (...) {
            std::lock_guard lock(mutex_);
            failure_ = std::current_exception();
            done_ = true;
            changed_.notify_all();
        }
    }

    int fd_;
    std::array<Batch, kSlots> slots_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t produced_ = 0, consumed_ = 0;  // batches filled by the reader / released by the parser
    bool holding_ = false;                     // the parser holds slots_[consumed_ % kSlots]
    bool waiting_ = false;                     // the parser waits for a batch
    bool done_ = false, stop_ = false;
    int error_ = 0;
    std::exception_ptr failure_;
    const FormatInfo* format_ = nullptr;
    bool format_known_ = false;
    std::thread reader_;
    // The reading thread's own:
    Batch* filling_ = nullptr;
    bool sifting_ = false;     // the format is known: lines may be sifted
    bool sift_batch_ = false;  // this batch's lines are
    std::unique_ptr<LineFilter> filter_;
    std::size_t counted_ = 0;  // lines dismissed since the last one passed on
};

// A large plain file: read, split and sifted ahead on a second thread.
Status read_plain_ahead(int fd, const std::string& path, LogFeeder& feeder) {
    ReadAhead reader(fd, feeder.decided(), feeder.format());
    bool told = feeder.decided();
    while (const Batch* batch = reader.next()) {
        for (const Batch::Line& line : batch->lines) {
            if (line.counted_before > 0) feeder.count_lines(line.counted_before);
            feeder.line(batch->line_text(line), line.truncated);
        }
        if (batch->counted_after > 0) feeder.count_lines(batch->counted_after);
        if (!told && feeder.decided()) {
            reader.tell_format(feeder.format());
            told = true;
        }
    }
    if (int err = reader.error(); err != 0) return input_error(std::string("read failed: ") + std::strerror(err), path);
    return Ok{};
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
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return input_error("a directory, not a log file (name the log files in it)", path);
    }
    std::size_t index = analyzer.add_file(path == "-" ? "(stdin)" : path);
    LogFeeder feeder(analyzer, index, forced);
    feeder.allow_reordering();
    Status status = Ok{};
    if (plain) {
        struct Closer {
            int fd;
            ~Closer() { close(fd); }
        } closer{fd};
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        // A second thread pays off only when there is much to read.
        bool large = st.st_size >= static_cast<off_t>(kReadAheadFrom);
        status = large ? read_plain_ahead(fd, path, feeder) : read_plain(fd, path, feeder);
    } else {
        status = read_stream(fd, path, feeder);  // closes fd
    }
    feeder.finish();  // decides the format if the input was short; replays a newest-first file oldest first
    if (!status) return status;
    if (auto why = not_a_log(analyzer.file(index))) return input_error(*why, path == "-" ? "(stdin)" : path);
    return status;
}

std::optional<std::string> not_a_log(const FileSummary& f) {
    if (f.format != "unknown") return std::nullopt;
    std::size_t blank = f.lines - std::min(f.lines, f.skipped);  // lines neither parsed nor skipped
    if (f.lines == 0 || f.skipped == 0) return std::string("empty: no line of text in it") +
                                               (f.lines > 0 ? " (" + std::to_string(blank) + " blank lines)" : "");
    if (f.skipped_utf16 * 2 >= f.skipped) {
        return "UTF-16 text, not a readable line in it: convert it first (iconv -f UTF-16 -t UTF-8)";
    }
    if (f.skipped_binary * 2 >= f.skipped) {
        return "binary data, not a text log (" + std::to_string(f.skipped_binary) + " of " +
               std::to_string(f.lines) + " lines are binary)";
    }
    return "no known IKE log format recognised in " + std::to_string(f.lines) +
           " lines; force one with --format NAME (see --help) if this is the VPN log";
}

}  // namespace nettool::ikelog
