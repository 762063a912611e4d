#pragma once
// `nettool ike-log`: read IKE/IPsec logs (many vendors), group events into negotiation attempts per peer, follow
// each attempt's state machine, and say per peer why the tunnel does (not) come up.
#include "nettool/core/diagnosis.hpp"
#include "nettool/core/error.hpp"
#include "nettool/core/style.hpp"
#include "nettool/ikelog/event.hpp"
#include "nettool/ikelog/format.hpp"
#include "nettool/wire/dns_server.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace nettool::ikelog {

// ---- results ------------------------------------------------------------------------------------------------

struct FileSummary {
    std::string path;
    std::string format;     // detected or forced format name; "unknown" when nothing was recognised
    double confidence = 0;  // 0..1 (1 when forced)
    bool forced = false;
    std::size_t lines = 0;
    std::size_t skipped = 0;  // binary + too_long + unrecognised
    std::size_t skipped_binary = 0;
    std::size_t skipped_too_long = 0;
    std::size_t skipped_unrecognised = 0;
    std::size_t skipped_utf16 = 0;  // of the binary ones, lines that look like UTF-16 text
    std::size_t events = 0;
    std::map<std::string, std::size_t> other_formats;  // lines parsed by another format (mixed files)
    // The lines' time stamps ran backwards (a GUI export or `show log reverse`, newest first): the file was read
    // in reverse so the analysis sees the events in the order they happened.
    bool newest_first = false;
};

struct FailureCount {
    std::string code;
    std::size_t count = 0;  // attempts that ended with / showed this failure
    std::vector<Evidence> evidence;
};

struct AttemptSummary {
    std::size_t number = 0;  // 1-based within the peer
    Role role = Role::unknown;
    int ike_version = 0;
    std::string outcome;  // established, phase1_only, failed, incomplete
    std::string code;     // the attempt's failure code or empty
    std::string last_state;
    std::string start_time;
    double start_seconds = -1;
    std::size_t first_line = 0;
    std::string spi;
    std::string notes;  // what happened, short (for side-by-side correlation)
};

// The finding that explains a peer's others: shown first, with the highest severity; the findings it explains
// (`explains`) are marked as following from it.
struct RootCause {
    std::string code;
    std::string summary;
    std::vector<std::string> explains;
    std::string proved_by;  // the other end's log, when pairing both ends proved it; empty: this log alone
};

struct PeerReport {
    std::string peer;  // remote address, or the connection name when the log never prints the address
    bool peer_is_address = false;
    std::string connection;
    std::string file;
    std::string local;  // local address when the log prints it
    Role role = Role::unknown;
    int ike_version = 0;
    std::size_t attempts = 0;
    std::size_t phase1_established = 0;
    std::size_t established = 0;
    bool established_counts_phase1 = false;  // the log never shows phase 2: `established` counts phase 1
    std::size_t failed = 0;
    std::optional<double> time_to_establish_s;  // mean, when time stamps allow
    std::string last_state;
    bool last_attempt_established = false;
    std::size_t flaps = 0;  // established tunnels later lost (DPD / no answer)
    std::string failure;    // the failure code a reader should act on, or "none"
    std::optional<RootCause> root_cause;  // empty when nothing at warning or worse was found
    std::vector<FailureCount> failures;
    std::vector<Diagnosis> diagnoses;
    std::vector<AttemptSummary> recent_attempts;  // the last ones (bounded), for correlation and the report
};

struct CorrelatedPair {
    std::optional<AttemptSummary> a;
    std::optional<AttemptSummary> b;
};

// One verdict for a tunnel whose both ends' logs were given: the evidence of both combined.
struct TunnelVerdict {
    Diagnosis diagnosis;
    std::string change_file;  // whose configuration to change: that end's log file ...
    std::string change_role;  // ... and its role; "both" / "path" when no one end is at fault
    std::string change;       // what to change there, in words
};

struct Correlation {
    std::string file_a, peer_a, file_b, peer_b;
    std::string matched_by;  // "addresses", "spi", "only peers"
    std::string paired_by;   // "time", "spi", "order (from the end)"
    std::vector<CorrelatedPair> pairs;
    std::optional<TunnelVerdict> verdict;
};

struct NameCheck {
    std::string name;
    std::vector<std::string> addresses;
    std::string source;  // "given" (--resolve NAME=ADDR) or "dns"
    std::string error;   // lookup error, empty on success
};

struct IkeReport {
    std::vector<FileSummary> files;
    std::vector<PeerReport> peers;
    std::vector<Correlation> correlations;
    std::vector<NameCheck> name_checks;
    std::vector<Diagnosis> diagnoses;  // file-level findings (unknown format, skipped lines)
    bool all_established() const;      // every peer's last attempt established
    bool problem_found() const;        // any finding at warning or worse (exit status 1)
};

// Keeps only the peers named in `wanted` (address or connection name) and their correlations. An input error
// listing the peers that exist when none matches (a typo must not hide a failing tunnel).
Status keep_peers(IkeReport& report, const std::vector<std::string>& wanted);

void to_json(nlohmann::json& j, const IkeReport& report);
void render_human(std::ostream& out, const IkeReport& report, const Style& style);

// ---- analysis -----------------------------------------------------------------------------------------------

// A notable moment while following a log: printed as it happens by --follow / --listen.
struct LiveUpdate {
    std::string source;  // file:line
    std::string peer;
    std::string text;
    std::optional<Diagnosis> diagnosis;  // set when an attempt just ended with a failure
};
using LiveCallback = std::function<void(const LiveUpdate&)>;

// Consumes events (from any number of files) and builds the report. Memory stays bounded: attempts are folded
// into per-peer counters once they end; only the last few per peer are kept.
class Analyzer {
public:
    Analyzer();
    ~Analyzer();
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    // Registers a file (or stream); returns its index for Event::file.
    std::size_t add_file(const std::string& path);
    // The reference stays valid for the Analyzer's lifetime (adding files moves none).
    FileSummary& file(std::size_t index);
    void set_file_format(std::size_t index, const FormatInfo* format, double confidence, bool forced);
    void set_live_callback(LiveCallback callback);
    void set_name_checks(std::vector<NameCheck> checks);

    void on_event(const Event& event);
    // The lines read so far from file `index` now live in `generation` (the log was rotated: charon.log ->
    // charon.log.1): evidence taken from them names that file from now on.
    void relabel_lines(std::size_t index, const std::string& generation);
    // Builds the report from everything so far (can be called repeatedly; folds a copy of the open attempts).
    IkeReport report() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

// ---- reading ------------------------------------------------------------------------------------------------

inline constexpr std::size_t max_line_bytes = 64 * 1024;  // longer lines are skipped (counted)
inline constexpr std::size_t detection_lines = 200;       // lines sampled for auto-detection

// Feeds one log's lines into an Analyzer: detects the format on the first lines (or uses the forced one), parses
// every line, lets other formats claim lines foreign to the main one (mixed files), counts what is skipped.
class LogFeeder {
public:
    LogFeeder(Analyzer& analyzer, std::size_t file_index, const FormatInfo* forced);
    ~LogFeeder();
    LogFeeder(const LogFeeder&) = delete;
    LogFeeder& operator=(const LogFeeder&) = delete;
    // One line without its newline. `truncated` when the reader cut an over-long line.
    void line(std::string_view text, bool truncated = false) {
        if (truncated || !decided_) return line_before_parsing(text, truncated);
        ++line_number_;
        ++summary_.lines;
        process(text);
    }
    // `count` lines that need nothing but counting: blank, or dismissed by the format's LineFilter. Only once the
    // format is decided (decided()).
    void count_lines(std::size_t count) {
        line_number_ += count;
        summary_.lines += count;
    }
    bool decided() const { return decided_; }
    // The file was rotated or truncated: the next line is line 1 of the new generation.
    void restart_numbering() { line_number_ = 0; }
    // Spaces, tabs and carriage returns only: such a line is counted and nothing else.
    static bool is_blank(std::string_view text) {
        return text.empty() || ((text.front() == ' ' || text.front() == '\t' || text.front() == '\r') &&
                                only_spaces(text));
    }
    const FormatInfo* format() const { return format_; }  // nullptr: not decided yet, or nothing recognised
    // Detects the format with what has been buffered so far. At the end of input it always decides (possibly
    // "unknown"); during a pause while following it decides only once some format is recognised.
    void flush(bool end_of_input);
    // For a whole file read once (not a followed one): lets flush() find a newest-first file and hold its lines,
    // and finish() replay them oldest first.
    void allow_reordering();
    void finish();

private:
    void line_before_parsing(std::string_view text, bool truncated);  // over-long lines, lines kept for detection
    static bool only_spaces(std::string_view text);
    // A line of a log whose format is decided. Inline: this is every line's path once the format is known.
    void process(std::string_view text) {
        if (is_blank(text)) return;
        if (reverse_) return hold(text);
        events_.clear();
        if (parser_ && parser_->parse(text, events_)) {
            if (!events_.empty()) deliver();
            return;
        }
        unknown(text);
    }
    void unknown(std::string_view text);  // a line the format does not know: another format's, or skipped
    void hold(std::string_view text);     // a line of a newest-first file, kept for finish()
    bool runs_backwards(const std::vector<std::string>& lines) const;
    void deliver();                       // events_ to the analyzer
    Analyzer& analyzer_;
    std::size_t file_;
    FileSummary& summary_;  // analyzer_.file(file_), looked up once: this is on every line's path
    const FormatInfo* format_ = nullptr;
    std::unique_ptr<LineParser> parser_;
    std::map<std::string_view, std::unique_ptr<LineParser>> others_;
    std::vector<std::string> pending_;
    std::vector<Event> events_;
    std::size_t line_number_ = 0;
    std::size_t pending_first_line_ = 0;
    bool decided_ = false;
    bool may_reorder_ = false;
    const FormatInfo* forced_ = nullptr;  // --format: no detection, but a whole file's order is still checked
    bool reverse_ = false;                                 // holding the lines of a newest-first file
    std::vector<std::pair<std::size_t, std::string>> held_;  // (line number, text)
    std::size_t held_bytes_ = 0;
};

// Reads a whole file ("-" = standard input; gzip-compressed or plain, recognised by content) line by line.
// A plain regular file is read straight into reused buffers and its lines are handed on as views into them; a
// large one is read, split and sifted (the format's LineFilter) on a second thread while this one parses.
// Input that cannot be a log (empty, binary, UTF-16 without a readable line, no known format) is an input error
// with one line saying why.
Status read_log(const std::string& path, Analyzer& analyzer, const FormatInfo* forced);
// Why a whole file read into `summary` cannot be an IKE log, or nullopt when it can.
std::optional<std::string> not_a_log(const FileSummary& summary);

// ---- syslog over UDP ----------------------------------------------------------------------------------------

struct SyslogMessage {
    int facility = -1;
    int severity = -1;
    std::string timestamp;  // as sent
    std::string hostname;
    std::string app;        // TAG / APP-NAME
    std::string message;    // the text after the header
    bool rfc5424 = false;
    // The message rebuilt as a log-file line ("TIMESTAMP HOST APP: MESSAGE" or the RFC 3164 body as sent),
    // so the vendor parsers see what they would see in a file.
    std::string line;
};
// Parses one datagram (RFC 5424 or RFC 3164; a datagram without a <PRI> is taken as a bare message).
// Errors are input errors with a one-line reason; never throws.
Result<SyslogMessage> parse_syslog_datagram(std::string_view datagram);

// ---- live modes ---------------------------------------------------------------------------------------------

struct LiveOptions {
    const FormatInfo* forced = nullptr;
    LiveCallback on_update;
    // Called after each processed batch; tests and the app may use it. May be empty.
    std::function<void()> on_idle;
};
// Follows `path` (like tail -F: from the start, then new lines; reopens on rotation or truncation) until SIGINT /
// SIGTERM, then returns. Uses inotify on the file's directory; no polling loop.
Status follow_log(const std::string& path, Analyzer& analyzer, const LiveOptions& options);
// Receives syslog datagrams on udp://ADDR:PORT until SIGINT / SIGTERM. `bound` (if set) is called with the bound
// port once the socket is ready.
Status listen_syslog(const std::string& endpoint, Analyzer& analyzer, const LiveOptions& options,
                     const std::function<void(unsigned short)>& bound = {});

// ---- names --------------------------------------------------------------------------------------------------

// "NAME=ADDR[,ADDR...]" -> given NameCheck; "NAME" -> needs a lookup (addresses empty, source "dns").
Result<NameCheck> parse_resolve_argument(const std::string& argument);
// Looks NAME up now (A and AAAA, concurrently, through DnsClient) at `servers` (empty: /etc/resolv.conf's).
// Fills `check.addresses`, or `check.error` with a one-line reason (NXDOMAIN, timeout, ...).
void lookup_name(NameCheck& check, const std::vector<DnsServer>& servers);

}  // namespace nettool::ikelog
