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
#include <string>

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
};

using EchoCallback = std::function<void(const EchoResult&)>;

class IcmpPinger {
public:
    // Opens a socket for the family: datagram first, raw as fallback.
    static Result<std::unique_ptr<IcmpPinger>> open(IoContext& io, IpFamily family);
    virtual ~IcmpPinger() = default;

    // Sends one echo request; `callback` runs exactly once on the io_context with the outcome. Late duplicate
    // replies after the first are counted in duplicates() and not reported again.
    virtual void send_echo(const IpAddress& target, std::uint16_t sequence, const EchoOptions& options,
                           EchoCallback callback) = 0;
    virtual void cancel_all() = 0;
    virtual bool uses_raw_socket() const = 0;
    virtual std::uint64_t duplicates() const = 0;
};

}  // namespace nettool
