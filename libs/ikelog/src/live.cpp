// --follow (inotify on the file's directory, survives rotation and truncation) and --listen (syslog over UDP),
// both on one io_context, both stopped by SIGINT/SIGTERM; and the pure syslog datagram parser.
#include "nettool/ikelog/ike_log.hpp"

#include "line_splitter.hpp"
#include "text_util.hpp"

#include "nettool/io/event_loop.hpp"
#include "nettool/wire/ip_address.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nettool::ikelog {

// ---- syslog -------------------------------------------------------------------------------------------------

namespace {

// Next space-separated field of an RFC 5424 header; false when the header ends early.
bool next_field(std::string_view& s, std::string_view& field) {
    if (s.empty()) return false;
    auto sp = s.find(' ');
    field = s.substr(0, sp);
    s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
    return !field.empty();
}

}  // namespace

Result<SyslogMessage> parse_syslog_datagram(std::string_view d) {
    while (!d.empty() && (d.back() == '\n' || d.back() == '\r' || d.back() == '\0')) d.remove_suffix(1);
    if (d.empty()) return input_error("empty syslog datagram");
    SyslogMessage m;
    if (d.front() != '<') {
        m.message = std::string(d);
        m.line = m.message;
        return m;
    }
    std::size_t close = d.find('>');
    if (close == std::string_view::npos || close < 2 || close > 4) return input_error("syslog PRI not closed by '>'");
    int pri = 0;
    for (std::size_t i = 1; i < close; ++i) {
        if (!text::is_digit(d[i])) return input_error("syslog PRI is not a number");
        pri = pri * 10 + (d[i] - '0');
    }
    if (pri > 191) return input_error("syslog PRI out of range (0-191)");
    m.facility = pri / 8;
    m.severity = pri % 8;
    std::string_view rest = d.substr(close + 1);
    if (rest.size() >= 2 && text::is_digit(rest[0]) && (rest[1] == ' ' || (text::is_digit(rest[1]) && rest.size() > 2 && rest[2] == ' '))) {
        // RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
        m.rfc5424 = true;
        rest.remove_prefix(rest.find(' ') + 1);
        std::string_view ts, host, app, procid, msgid;
        if (!next_field(rest, ts) || !next_field(rest, host) || !next_field(rest, app) || !next_field(rest, procid) ||
            !next_field(rest, msgid)) {
            return input_error("RFC 5424 header is incomplete");
        }
        if (rest.empty()) return input_error("RFC 5424 structured data missing");
        if (rest.front() == '-') {
            rest.remove_prefix(1);
        } else if (rest.front() == '[') {
            // One or more [id param="value"...] elements; values may escape '"', '\' and ']'.
            while (!rest.empty() && rest.front() == '[') {
                bool quoted = false;
                std::size_t i = 1;
                for (; i < rest.size(); ++i) {
                    char c = rest[i];
                    if (quoted && c == '\\') {
                        ++i;
                        continue;
                    }
                    if (c == '"') quoted = !quoted;
                    if (!quoted && c == ']') break;
                }
                if (i >= rest.size()) return input_error("RFC 5424 structured data not closed");
                rest.remove_prefix(i + 1);
            }
        } else {
            return input_error("RFC 5424 structured data malformed");
        }
        if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        if (text::starts_with(rest, "\xEF\xBB\xBF")) rest.remove_prefix(3);
        m.timestamp = ts == "-" ? "" : std::string(ts);
        m.hostname = host == "-" ? "" : std::string(host);
        m.app = app == "-" ? "" : std::string(app);
        m.message = std::string(rest);
        std::string line;
        if (!m.timestamp.empty()) line += m.timestamp + " ";
        if (!m.hostname.empty()) line += m.hostname + " ";
        if (!m.app.empty()) {
            line += m.app;
            if (procid != "-") line += "[" + std::string(procid) + "]";
            line += ": ";
        }
        m.line = line + m.message;
        return m;
    }
    // RFC 3164: TIMESTAMP HOSTNAME TAG: MSG (all optional in practice); keep the body as a file would hold it.
    m.line = std::string(rest);
    std::string_view body = rest;
    text::Stamp stamp = text::take_timestamp(body);
    m.timestamp = std::string(stamp.text);
    if (!stamp.text.empty()) {
        std::string_view host;
        std::string_view probe = body;
        if (next_field(probe, host) && host.find(':') == std::string_view::npos && host.find('[') == std::string_view::npos) {
            m.hostname = std::string(host);
            body = probe;
        }
    }
    auto colon = body.find(": ");
    std::string_view tag = colon == std::string_view::npos ? std::string_view{} : body.substr(0, colon);
    if (!tag.empty() && tag.size() <= 48 && tag.find(' ') == std::string_view::npos) {
        m.app = std::string(tag.substr(0, tag.find('[')));
        m.message = std::string(body.substr(colon + 2));
    } else {
        m.message = std::string(body);
    }
    return m;
}

// ---- follow -------------------------------------------------------------------------------------------------

namespace {

class Follower {
public:
    Follower(IoContext& io, std::string path, Analyzer& analyzer, const LiveOptions& options)
        : io_(io), path_(std::move(path)), analyzer_(analyzer), options_(options), inotify_(io) {}

    ~Follower() {
        if (fd_ >= 0) ::close(fd_);
    }

    Status start() {
        int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (ifd < 0) return environment_error(std::string("inotify: ") + std::strerror(errno), path_);
        inotify_.assign(ifd);
        std::string dir = path_.find('/') == std::string::npos ? "." : path_.substr(0, path_.rfind('/'));
        if (dir.empty()) dir = "/";
        if (inotify_add_watch(ifd, dir.c_str(),
                              IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE |
                                  IN_ATTRIB) < 0) {
            return input_error(std::string("cannot watch directory: ") + std::strerror(errno), dir);
        }
        file_ = analyzer_.add_file(path_);
        feeder_ = std::make_unique<LogFeeder>(analyzer_, file_, options_.forced);
        splitter_ = std::make_unique<LineSplitter>(*feeder_);
        if (!reopen() && errno != ENOENT) {
            return input_error(std::string("cannot open: ") + std::strerror(errno), path_);
        }
        drain();
        arm();
        return Ok{};
    }

    void finish() {
        drain();
        splitter_->finish();
        feeder_->flush(true);
    }

private:
    bool reopen() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        offset_ = 0;
        if (fd_ < 0) return false;
        struct stat st {};
        if (fstat(fd_, &st) == 0) inode_ = st.st_ino, device_ = st.st_dev;
        return true;
    }

    void drain() {
        struct stat st {};
        bool exists = ::stat(path_.c_str(), &st) == 0;
        if (fd_ < 0) {
            if (!exists || !reopen()) return;
        } else if (exists && (st.st_ino != inode_ || st.st_dev != device_)) {
            read_all();  // the rest of the rotated file first
            splitter_->finish();
            new_generation(rotated_name(false));
            reopen();
        } else if (exists && static_cast<std::uint64_t>(st.st_size) < offset_) {
            splitter_->finish();
            new_generation(rotated_name(true));
            lseek(fd_, 0, SEEK_SET);  // truncated in place (copytruncate)
            offset_ = 0;
        }
        read_all();
        feeder_->flush(false);
        if (options_.on_idle) options_.on_idle();
    }

    // Where the lines read so far went: the file in the same directory that now has the old inode (logrotate's
    // charon.log.1, or a dated name); after copytruncate, the copy of the same size.
    std::string rotated_name(bool truncated) const {
        std::string dir = path_.find('/') == std::string::npos ? "." : path_.substr(0, path_.rfind('/'));
        if (dir.empty()) dir = "/";
        std::string base = path_.substr(path_.rfind('/') == std::string::npos ? 0 : path_.rfind('/') + 1);
        std::string prefix = path_.substr(0, path_.size() - base.size());
        std::string found;
        if (DIR* d = ::opendir(dir.c_str())) {
            while (dirent* entry = ::readdir(d)) {
                std::string name = entry->d_name;
                if (name == base || name.compare(0, base.size(), base) != 0) continue;
                struct stat st {};
                if (::stat((prefix + name).c_str(), &st) != 0) continue;
                bool same = truncated ? static_cast<std::uint64_t>(st.st_size) == offset_
                                      : st.st_ino == inode_ && st.st_dev == device_;
                if (same && (found.empty() || name.size() < found.size() - prefix.size())) found = prefix + name;
            }
            ::closedir(d);
        }
        if (!found.empty()) return found;
        return path_ + (truncated ? " (before truncation)" : " (rotated away)");
    }

    void new_generation(const std::string& old_name) {
        analyzer_.relabel_lines(file_, old_name);
        feeder_->restart_numbering();
    }

    void read_all() {
        if (fd_ < 0) return;
        for (;;) {
            ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
            if (n <= 0) break;
            offset_ += static_cast<std::uint64_t>(n);
            splitter_->feed(buffer_.data(), static_cast<std::size_t>(n));
        }
    }

    void arm() {
        inotify_.async_read_some(boost::asio::buffer(events_),
                                 [this](const boost::system::error_code& ec, std::size_t) {
                                     if (ec) return;
                                     drain();
                                     arm();
                                 });
    }

    IoContext& io_;
    std::string path_;
    Analyzer& analyzer_;
    const LiveOptions& options_;
    boost::asio::posix::stream_descriptor inotify_;
    std::array<char, 4096> events_{};
    std::array<char, 1 << 16> buffer_{};
    int fd_ = -1;
    ino_t inode_ = 0;
    dev_t device_ = 0;
    std::uint64_t offset_ = 0;
    std::size_t file_ = 0;
    std::unique_ptr<LogFeeder> feeder_;
    std::unique_ptr<LineSplitter> splitter_;
};

}  // namespace

Status follow_log(const std::string& path, Analyzer& analyzer, const LiveOptions& options) {
    IoContext io;
    analyzer.set_live_callback(options.on_update);
    Follower follower(io, path, analyzer, options);
    Status started = follower.start();
    if (!started) return started;
    InterruptHandler interrupt(io, [&io] { io.stop(); });
    io.run();
    follower.finish();
    return Ok{};
}

// ---- listen -------------------------------------------------------------------------------------------------

namespace {

Result<boost::asio::ip::udp::endpoint> parse_udp_endpoint(const std::string& text) {
    std::string s = text;
    if (s.rfind("udp://", 0) != 0) return usage_error("--listen wants udp://ADDR:PORT, got '" + text + "'");
    s = s.substr(6);
    std::string host, port;
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') {
            return usage_error("--listen: bad IPv6 endpoint '" + text + "'");
        }
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
    } else {
        auto colon = s.rfind(':');
        if (colon == std::string::npos) return usage_error("--listen: missing :PORT in '" + text + "'");
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
    }
    auto addr = IpAddress::parse(host);
    if (!addr) return usage_error("--listen: '" + host + "' is not an IP address");
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535) {
        return usage_error("--listen: bad port '" + port + "'");
    }
    boost::system::error_code ec;
    auto asio_addr = boost::asio::ip::make_address(addr->to_string(), ec);
    if (ec) return usage_error("--listen: bad address '" + host + "'");
    return boost::asio::ip::udp::endpoint(asio_addr, static_cast<unsigned short>(std::stoul(port)));
}

class Listener {
public:
    Listener(IoContext& io, Analyzer& analyzer, const LiveOptions& options)
        : socket_(io), analyzer_(analyzer), options_(options) {}

    Status start(const boost::asio::ip::udp::endpoint& endpoint) {
        boost::system::error_code ec;
        socket_.open(endpoint.protocol(), ec);
        if (!ec) socket_.bind(endpoint, ec);
        if (ec) {
            if (ec == boost::asio::error::access_denied) {
                return environment_error("binding UDP port " + std::to_string(endpoint.port()) +
                                         " needs root or CAP_NET_BIND_SERVICE (use a port above 1023)");
            }
            return environment_error("cannot listen: " + ec.message(),
                                     endpoint.address().to_string() + ":" + std::to_string(endpoint.port()));
        }
        arm();
        return Ok{};
    }
    unsigned short port() const { return socket_.local_endpoint().port(); }

    void finish() {
        for (auto& [sender, stream] : streams_) stream->feeder->flush(true);
    }

private:
    struct Stream {
        std::size_t file = 0;
        std::unique_ptr<LogFeeder> feeder;
        LogFeeder& get() { return *feeder; }
    };

    void arm() {
        socket_.async_receive_from(boost::asio::buffer(buffer_), sender_,
                                   [this](const boost::system::error_code& ec, std::size_t n) {
                                       if (ec == boost::asio::error::operation_aborted) return;
                                       if (!ec) handle(std::string_view(buffer_.data(), n));
                                       arm();
                                   });
    }

    void handle(std::string_view datagram) {
        std::string who = "udp://" + sender_.address().to_string();
        auto& stream = streams_[who];
        if (!stream) {
            stream = std::make_unique<Stream>();
            stream->file = analyzer_.add_file(who);
            stream->feeder = std::make_unique<LogFeeder>(analyzer_, stream->file, options_.forced);
        }
        auto message = parse_syslog_datagram(datagram);
        if (!message) {
            FileSummary& f = analyzer_.file(stream->file);
            ++f.lines;
            ++f.skipped;
            ++f.skipped_unrecognised;
            return;
        }
        // One datagram may carry several lines.
        std::string_view text = message->line;
        while (!text.empty()) {
            auto nl = text.find('\n');
            std::string_view line = text.substr(0, nl);
            stream->feeder->line(line, line.size() > max_line_bytes);
            if (nl == std::string_view::npos) break;
            text.remove_prefix(nl + 1);
        }
        stream->feeder->flush(false);
        if (options_.on_idle) options_.on_idle();
    }

    boost::asio::ip::udp::socket socket_;
    Analyzer& analyzer_;
    const LiveOptions& options_;
    boost::asio::ip::udp::endpoint sender_;
    std::array<char, 65536> buffer_{};
    std::map<std::string, std::unique_ptr<Stream>> streams_;
};

}  // namespace

Status listen_syslog(const std::string& endpoint, Analyzer& analyzer, const LiveOptions& options,
                     const std::function<void(unsigned short)>& bound) {
    auto parsed = parse_udp_endpoint(endpoint);
    if (!parsed) return parsed.error();
    IoContext io;
    analyzer.set_live_callback(options.on_update);
    Listener listener(io, analyzer, options);
    Status started = listener.start(*parsed);
    if (!started) return started;
    if (bound) bound(listener.port());
    InterruptHandler interrupt(io, [&io] { io.stop(); });
    io.run();
    listener.finish();
    return Ok{};
}

}  // namespace nettool::ikelog
