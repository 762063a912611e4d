// Offline packet source: pcap and pcapng files (or "-" for stdin). The framing is nettool's own pure
// CaptureFileParser (so a pcapng with interfaces of different link types reads fine, which libpcap 1.10 refuses);
// libpcap compiles the BPF filter, once per link type met, and runs it with pcap_offline_filter.
#include "capture_pcap.hpp"

#include "nettool/wire/packet.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <vector>

namespace nettool {

namespace {

// The DLT libpcap (and the live source) uses for a file's LINKTYPE_ value; only LINKTYPE_RAW differs among the
// link types we decode.
int dlt_for_linktype(int linktype) { return linktype == link_type::raw ? link_type::raw_dlt12 : linktype; }

// Reads a descriptor through one growing buffer: the parser sees contiguous bytes, records need no copy.
// Reads the file in large chunks. A gzip-compressed capture (.pcap.gz, .pcapng.gz, or gzip on stdin) is
// recognised by its magic bytes and inflated on the way, so callers see the capture's bytes either way.
class StreamBuffer {
public:
    StreamBuffer(int fd, std::size_t initial_size) : fd_(fd), buffer_(initial_size) {}
    ~StreamBuffer() {
        if (gzip_) inflateEnd(&z_);
    }
    StreamBuffer(const StreamBuffer&) = delete;
    StreamBuffer& operator=(const StreamBuffer&) = delete;

    std::span<const std::uint8_t> available() const { return {buffer_.data() + start_, end_ - start_}; }
    void consume(std::size_t bytes) { start_ += bytes; }
    bool at_eof() const { return eof_; }
    bool compressed() const { return gzip_; }

    // Makes at least `wanted` bytes available unless the stream ends first. Returns false on a read error.
    bool fill(std::size_t wanted) {
        if (end_ - start_ >= wanted || eof_) return true;
        if (start_ > 0) {  // move the unconsumed tail to the front
            std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
            end_ -= start_;
            start_ = 0;
        }
        if (wanted > buffer_.size()) buffer_.resize(wanted);
        while (end_ < wanted) {
            const ssize_t got = gzip_ ? inflate_more() : read_raw(buffer_.data() + end_, buffer_.size() - end_);
            if (got < 0) return false;
            if (got == 0) {
                eof_ = true;
                break;
            }
            if (!decided_) {
                decided_ = true;
                if (got >= 2 && buffer_[end_] == 0x1f && buffer_[end_ + 1] == 0x8b && !start_gzip(static_cast<std::size_t>(got))) {
                    return false;
                }
                if (gzip_) continue;
            }
            end_ += static_cast<std::size_t>(got);
        }
        return true;
    }
    const std::string& error() const { return error_; }

private:
    ssize_t read_raw(std::uint8_t* into, std::size_t size) {
        for (;;) {
            const ssize_t got = ::read(fd_, into, size);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) error_ = std::strerror(errno);
            return got;
        }
    }

    // The first read turned out to be gzip: those bytes become the inflater's input.
    bool start_gzip(std::size_t first_bytes) {
        raw_.assign(buffer_.begin() + static_cast<std::ptrdiff_t>(end_),
                    buffer_.begin() + static_cast<std::ptrdiff_t>(end_ + first_bytes));
        raw_.resize(std::max<std::size_t>(raw_.size(), 1 << 16));
        z_ = {};
        if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) {
            error_ = "cannot start gzip decompression";
            return false;
        }
        z_.next_in = raw_.data();
        z_.avail_in = static_cast<uInt>(first_bytes);
        gzip_ = true;
        return true;
    }

    // Inflates into the free part of buffer_; returns the bytes produced, 0 at the end, -1 on an error.
    ssize_t inflate_more() {
        for (;;) {
            if (z_.avail_in == 0 && !raw_eof_) {
                const ssize_t got = read_raw(raw_.data(), raw_.size());
                if (got < 0) return -1;
                if (got == 0) raw_eof_ = true;
                z_.next_in = raw_.data();
                z_.avail_in = static_cast<uInt>(got);
            }
            if (z_.avail_in == 0 && raw_eof_) {
                if (!stream_ended_) error_ = "the gzip stream ends early";
                return stream_ended_ ? 0 : -1;
            }
            z_.next_out = buffer_.data() + end_;
            z_.avail_out = static_cast<uInt>(std::min<std::size_t>(buffer_.size() - end_, 1u << 30));
            const int rc = inflate(&z_, Z_NO_FLUSH);
            const auto produced = static_cast<ssize_t>(buffer_.size() - end_ - z_.avail_out);
            if (rc == Z_STREAM_END) {
                stream_ended_ = true;
                inflateReset(&z_);  // concatenated gzip members continue the file
            } else if (rc == Z_OK) {
                stream_ended_ = false;  // inside a member
            } else if (rc != Z_BUF_ERROR) {
                error_ = std::string("gzip data error: ") + (z_.msg ? z_.msg : "corrupt");
                return -1;
            }
            if (produced > 0) return produced;
        }
    }

    int fd_;
    std::vector<std::uint8_t> buffer_;
    std::size_t start_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
    bool decided_ = false;
    bool gzip_ = false;
    bool raw_eof_ = false;
    bool stream_ended_ = false;
    z_stream z_{};
    std::vector<std::uint8_t> raw_;
    std::string error_;
};

class FileDescriptor {
public:
    explicit FileDescriptor(int fd, bool owned) : fd_(fd), owned_(owned) {}
    ~FileDescriptor() {
        if (owned_ && fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
    bool owned_;
};

// One compiled filter per link type, made on first use from a "dead" pcap handle of that type.
class FilterSet {
public:
    FilterSet(std::string expression, std::string context)
        : expression_(std::move(expression)), context_(std::move(context)) {}
    bool empty() const { return expression_.empty(); }

    Result<const capture_detail::CompiledFilter*> for_link_type(int dlt) {
        auto found = filters_.find(dlt);
        if (found != filters_.end()) return found->second.filter.get();
        Entry entry;
        entry.dead.reset(pcap_open_dead(dlt, 262144));
        if (!entry.dead) return internal_error("cannot prepare the capture filter", context_);
        entry.filter = std::make_unique<capture_detail::CompiledFilter>();
        if (auto compiled = entry.filter->compile(entry.dead.get(), expression_, context_); !compiled) {
            Error error = compiled.error();
            const char* name = pcap_datalink_val_to_name(dlt);
            error.message += std::string(" (link type ") + (name != nullptr ? name : std::to_string(dlt)) + ")";
            return error;
        }
        auto* pointer = entry.filter.get();
        filters_.emplace(dlt, std::move(entry));
        return pointer;
    }

private:
    struct Entry {
        capture_detail::PcapHandle dead;
        std::unique_ptr<capture_detail::CompiledFilter> filter;
    };
    std::string expression_;
    std::string context_;
    std::map<int, Entry> filters_;
};

}  // namespace

Result<CaptureStats> read_capture_file(const std::string& path, const OfflineReadOptions& options,
                                       const PacketHandler& handler) {
    const std::string context = path == "-" ? std::string("stdin") : path;
    if (path.empty()) return usage_error("no capture file given");
    int fd = STDIN_FILENO;
    std::size_t buffer_size = 1 << 20;  // large reads; small files get a buffer their size
    if (path != "-") {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return input_error(std::string("cannot open capture file: ") + std::strerror(errno), context);
        struct stat info{};
        if (::fstat(fd, &info) == 0) {
            if (S_ISDIR(info.st_mode)) {
                ::close(fd);
                return input_error("is a directory, not a capture file", context);
            }
            if (S_ISREG(info.st_mode)) {
                buffer_size = std::clamp<std::size_t>(static_cast<std::size_t>(info.st_size) + 1, 4096, buffer_size);
            }
        }
    }
    FileDescriptor file(fd, path != "-");
    StreamBuffer stream(file.get(), buffer_size);
    CaptureFileParser parser;
    FilterSet filters(options.filter, context);
    if (!filters.empty()) {
        // Syntax errors are usage errors before any packet is read, whatever the file holds.
        auto probe = filters.for_link_type(link_type::ethernet);
        if (!probe) return probe.error();
    }

    CaptureStats stats;
    std::uint64_t record_number = 0;
    CapturedPacket packet;
    CaptureRecord record;
    std::size_t wanted = 4;
    while (!options.max_packets || stats.packets < *options.max_packets) {
        if (!stream.fill(wanted)) {
            if (parser.format() == CaptureFileParser::Format::unknown) {
                return input_error("cannot read capture file: " + stream.error(), context);
            }
            stats.file_error = "read error: " + stream.error();
            break;
        }
        const auto input = stream.available();
        if (input.empty() && stream.at_eof()) {
            if (parser.format() == CaptureFileParser::Format::unknown) {
                return input_error("the file is empty, not a capture file", context);
            }
            break;  // clean end between records
        }
        const auto outcome = parser.next(input, record);
        switch (outcome.step) {
            case CaptureFileParser::Step::need_more:
                if (stream.at_eof()) {
                    if (parser.format() == CaptureFileParser::Format::unknown) {
                        return input_error("not a capture file: it ends inside the file header", context);
                    }
                    stats.file_truncated = true;
                    stats.file_error = "truncated capture file: the last record needs " +
                                       std::to_string(outcome.needed) + " bytes, only " +
                                       std::to_string(input.size()) + " remain (the capture was cut short)";
                    wanted = 0;
                    break;
                }
                wanted = outcome.needed;
                continue;
            case CaptureFileParser::Step::error:
                if (parser.format() == CaptureFileParser::Format::unknown ||
                    (record_number == 0 && parser.first_link_type() < 0)) {
                    return input_error(parser.error(), context);
                }
                stats.file_error = parser.error() + " (after record " + std::to_string(record_number) + ")";
                wanted = 0;
                break;
            case CaptureFileParser::Step::skipped:
                stream.consume(outcome.consumed);
                wanted = 4;
                if (stats.link_type < 0 && parser.first_link_type() >= 0) {
                    stats.link_type = dlt_for_linktype(parser.first_link_type());
                    stats.timestamps_nanosecond = parser.nanosecond();
                }
                continue;
            case CaptureFileParser::Step::record: {
                ++record_number;
                stats.timestamps_nanosecond = parser.nanosecond();
                const int dlt = dlt_for_linktype(record.link_type);
                if (!filters.empty()) {
                    auto filter = filters.for_link_type(dlt);
                    if (!filter) return filter.error();
                    pcap_pkthdr header{};
                    header.caplen = record.captured_length;
                    header.len = record.wire_length;
                    if (!(*filter)->matches(header, record.data.data())) {
                        ++stats.filtered_out;
                        stream.consume(outcome.consumed);
                        wanted = 4;
                        continue;
                    }
                }
                ++stats.packets;
                stats.bytes += record.wire_length;
                packet.number = record_number;
                packet.timestamp = std::chrono::nanoseconds(record.timestamp_ns);
                packet.captured_length = record.captured_length;
                packet.wire_length = record.wire_length;
                packet.link_type = dlt;
                packet.data = record.data;
                if (handler) handler(packet);
                stream.consume(outcome.consumed);
                wanted = 4;
                continue;
            }
        }
        break;  // truncated or corrupt: keep what was read
    }
    return stats;
}

}  // namespace nettool
