#pragma once
// Packet sources over libpcap: live capture on the run's io_context (non-blocking selectable fd, the required
// select timeout honoured with a timer, bounded pcap_dispatch batches) and offline reading of pcap/pcapng files
// (or "-" for stdin) with a plain loop into the same handler, so analysis code does not care which it gets.
#include "nettool/core/error.hpp"
#include "nettool/io/event_loop.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nettool {

struct CapturedPacket {
    std::uint64_t number = 0;  // 1-based, as Wireshark numbers frames
    std::chrono::nanoseconds timestamp{0};  // since the epoch
    std::uint32_t captured_length = 0;
    std::uint32_t wire_length = 0;
    int link_type = 0;  // DLT value; see nettool/wire/packet.hpp
    std::span<const std::uint8_t> data;  // valid only during the handler call
};

using PacketHandler = std::function<void(const CapturedPacket&)>;

struct CaptureStats {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;  // wire bytes
    std::uint64_t kernel_dropped = 0;  // live only (pcap_stats)
    std::uint64_t interface_dropped = 0;
    bool file_truncated = false;  // offline: the file ended inside a record
    std::string file_error;       // offline: libpcap's message when reading stopped early
    std::string capture_error;    // live: libpcap's message when capture stopped early (interface went down, ...)
    std::uint64_t filtered_out = 0;  // offline: records the BPF filter rejected (packet numbers still count them)
    int link_type = -1;           // DLT of the source (offline: of the file's first interface)
    bool timestamps_nanosecond = false;  // the source delivered nanosecond timestamps
};

inline constexpr int default_capture_buffer_bytes = 128 * 1024 * 1024;

struct LiveCaptureOptions {
    std::string interface;
    int snaplen = 262144;
    std::string filter;  // BPF
    bool promiscuous = true;
    std::optional<std::chrono::milliseconds> duration;
    std::optional<std::uint64_t> max_packets;
    // The kernel ring (TPACKET_V3) in bytes. libpcap's default of 2 MB holds only four blocks at the default
    // snapshot length, a few milliseconds of a busy LAN; 128 MiB holds about a second at gigabit rates.
    int buffer_size = default_capture_buffer_bytes;
    // How long the kernel may hold a partly filled block before handing it over. Not libpcap's immediate mode,
    // which hands over a block per wake-up and so fills the ring with nearly empty blocks under load.
    std::chrono::milliseconds block_timeout{100};
    int batch_size = 4096;  // packets handled per pcap_dispatch before other work on the io_context gets a turn
};

class LiveCapture {
public:
    // Opens and activates the device. Errors: no such interface (environment), permission (names CAP_NET_RAW
    // and the setcap line), a bad filter (usage). Once open() has returned, capturing needs no privilege any
    // more: callers should drop capabilities / switch user right after it (the descriptor stays usable).
    static Result<std::unique_ptr<LiveCapture>> open(IoContext& io, const LiveCaptureOptions& options);
    virtual ~LiveCapture() = default;

    // Delivers packets to `handler` until the duration/count limit or stop(); then `on_finished` runs once (from
    // inside stop() when stop() ends a running capture). If the handler throws, capture ends, on_finished is not
    // called and the exception leaves io_context::run(). Destroying the object ends capture without on_finished.
    virtual void start(PacketHandler handler, std::function<void(const CaptureStats&)> on_finished) = 0;
    // Ends capture (idempotent; safe from a signal handler callback on the io_context and from the packet handler).
    virtual void stop() = 0;
    virtual int link_type() const = 0;
    virtual CaptureStats stats() const = 0;
};

struct OfflineReadOptions {
    std::string filter;  // BPF
    std::optional<std::uint64_t> max_packets;
};

// Reads a whole pcap or pcapng file ("-" = stdin) into `handler`. A file that cannot be opened or is not a capture
// is an input error; a file truncated mid-record returns the stats with file_truncated set (not an error).
Result<CaptureStats> read_capture_file(const std::string& path, const OfflineReadOptions& options,
                                       const PacketHandler& handler);

// Name of the interface that carries the IPv4 default route (from /proc/net/route), if any.
std::optional<std::string> default_route_interface();
// The pure part: /proc/net/route text in, the up default route with the lowest metric out. Malformed lines are
// skipped.
std::optional<std::string> parse_default_route_interface(std::string_view proc_net_route);

}  // namespace nettool
