#pragma once
// ICMP echo over IPv4 and IPv6 on the run's io_context. Uses an unprivileged ICMP datagram socket where
// net.ipv4.ping_group_range allows, else a raw socket (CAP_NET_RAW); a missing privilege comes back as an
// environment Error that names the capability and the setcap line. Replies are matched by identifier and
// sequence; RTT uses a monotonic clock; ICMP errors (unreachable, time exceeded) are recognised.
#include "nettool/core/error.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/wire/ip_address.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace nettool {

enum class EchoStatus {
    reply,          // echo reply from the target
    timeout,        // nothing within the timeout
    unreachable,    // destination/host/net/port/admin unreachable (see icmp_type/icmp_code)
    time_exceeded,  // TTL / hop limit exceeded in transit
    send_error,     // the kernel refused to send (no route, ...): detail says why
};
const char* to_string(EchoStatus status);

struct EchoOptions {
    std::size_t payload_size = 56;
    std::chrono::milliseconds timeout{1000};
    int ttl = 0;  // 0: system default
    std::uint32_t scope_id = 0;  // IPv6 link-local targets: the interface index (fe80::1%eth0); 0: none
};

struct EchoResult {
    EchoStatus status = EchoStatus::timeout;
    std::uint16_t sequence = 0;
    IpAddress target;
    IpAddress from;                  // who answered (the target, or a router for errors)
    std::chrono::microseconds rtt{0};
    int ttl = -1;                    // of the reply, when known
    std::size_t bytes = 0;           // ICMP bytes received
    int icmp_type = -1;
    int icmp_code = -1;
    std::string detail;              // "port unreachable", "no route to host", ...
    int error_number = 0;            // send_error: the errno the kernel gave (EACCES, EPERM, ENETUNREACH, ...)
    // Set (with status timeout and detail "cancelled") when cancel_all() ended the probe before any answer or
    // its timeout: it was neither answered nor lost, callers should not count it as loss.
    bool cancelled = false;
};

using EchoCallback = std::function<void(const EchoResult&)>;

// Replies that come after their probe was already finished: `duplicate` true when the probe had been answered
// (a second copy: a loop, a bridge seen twice), false for a late reply to a probe that had timed out. `rtt` is
// measured from that probe's send time.
using LateReplyCallback = std::function<void(const EchoResult& result, bool duplicate)>;

// Which ICMP socket to open: the automatic choice tries the unprivileged datagram socket, then the raw one.
enum class IcmpSocketKind { automatic, datagram, raw };
const char* to_string(IcmpSocketKind kind);

class IcmpPinger {
public:
    // Opens a socket for the family: datagram first, raw as fallback.
    static Result<std::unique_ptr<IcmpPinger>> open(IoContext& io, IpFamily family);
    // Same, with the socket kind forced (datagram or raw) or automatic. A forced kind does not fall back.
    static Result<std::unique_ptr<IcmpPinger>> open(IoContext& io, IpFamily family, IcmpSocketKind kind);
    virtual ~IcmpPinger() = default;

    // Sends one echo request; `callback` runs exactly once on the io_context with the outcome. Late duplicate
    // replies after the first are counted in duplicates() and not reported again.
    virtual void send_echo(const IpAddress& target, std::uint16_t sequence, const EchoOptions& options,
                           EchoCallback callback) = 0;
    virtual void cancel_all() = 0;
    virtual bool uses_raw_socket() const = 0;
    virtual std::uint64_t duplicates() const = 0;

    // Replies to probes that had already timed out (not reported through the probe's callback).
    virtual std::uint64_t late_replies() const { return 0; }
    // Receives duplicates and late replies as they arrive (optional).
    virtual void set_late_reply_handler(LateReplyCallback handler) { (void)handler; }
    // Echo identifier in use: chosen at random for raw sockets, the kernel's port for datagram sockets (0 until
    // the first request was sent).
    virtual std::uint16_t identifier() const { return 0; }
    // Received ICMP messages that were not for any of our probes (other pings, our own requests on loopback) and
    // malformed or corrupted ones (bad checksum, truncated): counted, never reported as replies.
    virtual std::uint64_t ignored_messages() const { return 0; }
    virtual std::uint64_t corrupted_messages() const { return 0; }
    // Sends only through interface `name` (SO_BINDTODEVICE; ping -I). An environment error names the reason.
    virtual Status bind_to_interface(const std::string& name) {
        return environment_error("binding to an interface is not supported here", name);
    }
    // Allows sending to a broadcast address (SO_BROADCAST; ping -b).
    virtual Status allow_broadcast() { return environment_error("broadcast is not supported here"); }
    // Destroying the pinger drops pending callbacks without running them; call cancel_all() first to have each
    // run once with `cancelled` set.
};

// ---- Pure ICMP / ICMPv6 message parsing and building (no sockets, clocks or globals) -----------------------------

enum class IcmpParseStatus : std::uint8_t {
    ok,
    truncated,     // the bytes end inside a header
    malformed,     // inconsistent fields (bad IP version, IHL < 5, total length < header, wrong protocol, ...)
    bad_checksum,  // the IPv4 ICMP checksum does not add up
};
const char* to_string(IcmpParseStatus status);

enum class IcmpMessageKind : std::uint8_t {
    other,  // any type we do not interpret (redirect, router advertisement, ...)
    echo_reply,
    echo_request,
    destination_unreachable,
    packet_too_big,  // ICMPv6 type 2 (IPv4 reports it as unreachable code 4 "fragmentation needed")
    time_exceeded,
    parameter_problem,
};
const char* to_string(IcmpMessageKind kind);

// The echo request quoted inside an ICMP error: the probe we sent, as the reporting router saw it.
struct IcmpQuotedEcho {
    IpAddress source;
    IpAddress destination;
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
};

struct IcmpMessage {
    IcmpParseStatus status = IcmpParseStatus::malformed;
    std::string error;  // one line, when status != ok
    IpFamily family = IpFamily::none;
    bool has_ip_header = false;  // the input started with an IPv4 header
    IpAddress source;            // from that header
    IpAddress destination;
    int ttl = -1;                // from that header
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    IcmpMessageKind kind = IcmpMessageKind::other;
    std::uint16_t identifier = 0;  // echo request/reply
    std::uint16_t sequence = 0;
    std::size_t icmp_length = 0;  // ICMP header + data, in bytes
    std::span<const std::uint8_t> echo_data;  // echo payload; points into the input
    // For errors (unreachable, too big, time exceeded, parameter problem) that quote an ICMP echo request.
    std::optional<IcmpQuotedEcho> quoted_echo;
    std::uint32_t mtu = 0;  // packet too big / fragmentation needed, when given
};

struct IcmpParseOptions {
    // The bytes start with the IPv4 header (what a raw IPv4 socket delivers). ICMPv6 sockets and ICMP datagram
    // sockets deliver the ICMP message alone.
    bool with_ip_header = false;
    // Verify the IPv4 ICMP checksum (ICMPv6's covers a pseudo header; the kernel checks it). Off for quoted or
    // truncated copies of our own requests.
    bool verify_checksum = true;
};

// Parses one ICMP (family v4) or ICMPv6 (family v6) message. Never throws; every read is bounds-checked.
IcmpMessage parse_icmp_message(std::span<const std::uint8_t> bytes, IpFamily family,
                               const IcmpParseOptions& options = {});

// The EchoStatus an error message means for the probe it quotes (unreachable or time_exceeded), or nullopt for
// messages that do not end a probe (echo, redirect, ...).
std::optional<EchoStatus> echo_status_for(IpFamily family, int type, int code);
// How ping words an ICMP error: "Destination Host Unreachable", "Time to live exceeded", ...
std::string describe_icmp(IpFamily family, int type, int code);

// RFC 1071 Internet checksum.
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);
// Echo request (type 8 / 128) with `payload`; the IPv4 checksum is filled in (the kernel fills ICMPv6's).
std::vector<std::uint8_t> build_echo_request(IpFamily family, std::uint16_t identifier, std::uint16_t sequence,
                                             std::span<const std::uint8_t> payload);

}  // namespace nettool
