// IcmpPinger: ICMP echo on the run's io_context over an unprivileged ICMP datagram socket or a raw socket.
//
// Datagram sockets (SOCK_DGRAM/IPPROTO_ICMP[V6], allowed by net.ipv4.ping_group_range): the kernel rewrites the
// identifier to the socket's port and delivers only our replies; ICMP errors arrive on the error queue
// (IP_RECVERR / IPV6_RECVERR, read with MSG_ERRQUEUE) with the offender address and our quoted request.
// Raw sockets (CAP_NET_RAW): every ICMP message arrives (narrowed by ICMP_FILTER / ICMP6_FILTER); replies are
// ours when identifier, sequence and the payload cookie match; errors are matched on the echo request they quote.
// Pending probes live in a map keyed by (target, sequence) with their monotonic send time and a timeout timer;
// finished ones are remembered (bounded) so duplicates and late replies are counted, not reported twice.
#include "nettool/io/icmp.hpp"

#include "nettool/core/privilege.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <random>
#include <system_error>

namespace nettool {
namespace {

using Clock = std::chrono::steady_clock;
using Key = std::pair<IpAddress, std::uint16_t>;  // target, sequence

constexpr std::size_t cookie_size = 8;
constexpr std::size_t stamped_payload = 16;  // cookie + send time, when the payload has room
constexpr std::size_t finished_memory = 8192;
constexpr int max_messages_per_wakeup = 512;

std::string errno_text(int error_number) { return std::generic_category().message(error_number); }

std::string ping_group_range_text() {
    std::ifstream in("/proc/sys/net/ipv4/ping_group_range");
    std::string low;
    std::string high;
    if (in >> low >> high) return low + " " + high;
    return "unknown";
}

IpAddress address_from_sockaddr(const sockaddr_storage& storage, socklen_t length) {
    if (storage.ss_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage);
        return IpAddress::v4(ntohl(sin->sin_addr.s_addr));
    }
    if (storage.ss_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
        return IpAddress::from_v6_bytes(std::span<const std::uint8_t>(sin6->sin6_addr.s6_addr, 16));
    }
    return {};
}

IpAddress address_from_sockaddr(const sockaddr* address) {
    if (address == nullptr) return {};
    if (address->sa_family == AF_INET) {
        sockaddr_in sin{};
        std::memcpy(&sin, address, sizeof sin);
        return IpAddress::v4(ntohl(sin.sin_addr.s_addr));
    }
    if (address->sa_family == AF_INET6) {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, address, sizeof sin6);
        return IpAddress::from_v6_bytes(std::span<const std::uint8_t>(sin6.sin6_addr.s6_addr, 16));
    }
    return {};
}

socklen_t sockaddr_for(const IpAddress& address, sockaddr_storage& storage, std::uint32_t scope_id = 0) {
    std::memset(&storage, 0, sizeof storage);
    if (address.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = htonl(address.v4_host_order());
        return sizeof(sockaddr_in);
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    std::memcpy(sin6->sin6_addr.s6_addr, address.bytes.data(), 16);
    sin6->sin6_scope_id = scope_id;
    return sizeof(sockaddr_in6);
}

struct Pending {
    EchoCallback callback;
    Clock::time_point sent;
    std::size_t payload_size = 0;
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::uint64_t token = 0;
};

struct Finished {
    Clock::time_point sent;
    bool answered = false;
    std::uint64_t token = 0;
    std::size_t payload_size = 0;
};

// One received datagram with what the control messages said.
struct Received {
    std::span<const std::uint8_t> bytes;
    IpAddress from;
    int ttl = -1;
    Clock::time_point at;
};

class PingerCore : public std::enable_shared_from_this<PingerCore> {
public:
    PingerCore(IoContext& io, int fd, IpFamily family, bool raw)
        : io_(io), descriptor_(io, fd), family_(family), raw_(raw), buffer_(70000) {
        std::random_device seed;
        std::mt19937_64 generator(seed());
        cookie_ = generator();
        identifier_ = raw ? static_cast<std::uint16_t>(generator() & 0xFFFF) : 0;
    }

    void send_echo(const IpAddress& target, std::uint16_t sequence, const EchoOptions& options,
                   EchoCallback callback) {
        EchoResult result;
        result.sequence = sequence;
        result.target = target;
        result.from = target;
        auto fail_later = [&](std::string detail, int error_number = 0) {
            result.status = EchoStatus::send_error;
            result.detail = std::move(detail);
            result.error_number = error_number;
            boost::asio::post(io_, [callback = std::move(callback), result]() {
                if (callback) callback(result);
            });
        };
        if (closed_) return fail_later("the ICMP socket is closed");
        if (target.family != family_) {
            return fail_later(std::string("address family of ") + target.to_string() +
                              " does not match the ICMP socket (" + (family_ == IpFamily::v4 ? "IPv4" : "IPv6") +
                              ")");
        }
        if (options.payload_size > 65527) return fail_later("payload of " + std::to_string(options.payload_size) +
                                                             " bytes does not fit in one IP packet");
        Key key{target, sequence};
        if (pending_.count(key) != 0) {
            return fail_later("sequence " + std::to_string(sequence) + " to " + target.to_string() +
                              " is already in flight");
        }
        if (options.ttl != current_ttl_) {
            int value = options.ttl > 0 ? options.ttl : -1;  // -1: back to the system default
            int level = family_ == IpFamily::v4 ? static_cast<int>(IPPROTO_IP) : static_cast<int>(IPPROTO_IPV6);
            int name = family_ == IpFamily::v4 ? IP_TTL : IPV6_UNICAST_HOPS;
            if (::setsockopt(descriptor_.native_handle(), level, name, &value, sizeof value) != 0) {
                return fail_later("cannot set TTL " + std::to_string(options.ttl) + ": " + errno_text(errno));
            }
            current_ttl_ = options.ttl;
        }

        auto sent = Clock::now();
        std::vector<std::uint8_t> payload(options.payload_size);
        for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i & 0xFF);
        if (payload.size() >= stamped_payload) {
            auto nanos = static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(sent.time_since_epoch()).count());
            for (std::size_t i = 0; i < 8; ++i) {
                payload[i] = static_cast<std::uint8_t>(cookie_ >> (56 - 8 * i));
                payload[8 + i] = static_cast<std::uint8_t>(nanos >> (56 - 8 * i));
            }
        }
        auto packet = build_echo_request(family_, identifier_, sequence, payload);
        sockaddr_storage address{};
        socklen_t address_length = sockaddr_for(target, address, options.scope_id);
        auto send = [&] {
            return ::sendto(descriptor_.native_handle(), packet.data(), packet.size(), 0,
                            reinterpret_cast<const sockaddr*>(&address), address_length);
        };
        ssize_t n = send();
        // On datagram sockets an ICMP error for an earlier probe leaves a pending socket error that the next
        // sendto reports (and clears) without sending: that error belongs to the earlier probe and is read from
        // the error queue. Send once more; a failure that is really this packet's repeats.
        if (n < 0 && !raw_ && errno != EAGAIN && errno != EWOULDBLOCK) n = send();
        if (n < 0) {
            // Why (a broadcast address without SO_BROADCAST, a firewall rule, no route) is for the caller to find
            // out: EACCES and EPERM alone do not say which.
            int error_number = errno;
            return fail_later("sendto: " + errno_text(error_number), error_number);
        }
        ++sent_count_;
        if (!raw_ && identifier_ == 0) {
            sockaddr_storage local{};
            socklen_t local_length = sizeof local;
            if (::getsockname(descriptor_.native_handle(), reinterpret_cast<sockaddr*>(&local), &local_length) ==
                0) {
                if (local.ss_family == AF_INET) {
                    identifier_ = ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
                } else if (local.ss_family == AF_INET6) {
                    identifier_ = ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port);
                }
            }
        }

        forget_finished(key);
        Pending pending;
        pending.callback = std::move(callback);
        pending.sent = sent;
        pending.payload_size = options.payload_size;
        pending.token = ++next_token_;
        pending.timer = std::make_unique<boost::asio::steady_timer>(io_);
        pending.timer->expires_at(sent + options.timeout);
        std::weak_ptr<PingerCore> weak = shared_from_this();
        pending.timer->async_wait([weak, key, token = pending.token](const boost::system::error_code& ec) {
            if (ec) return;
            if (auto self = weak.lock()) self->on_timeout(key, token);
        });
        pending_.emplace(key, std::move(pending));
        ensure_reading();
    }

    void cancel_all() {
        auto pending = std::move(pending_);
        pending_.clear();
        stop_reading_if_idle();
        for (auto& [key, probe] : pending) {
            if (probe.timer) probe.timer->cancel();
            EchoResult result;
            result.status = EchoStatus::timeout;
            result.cancelled = true;
            result.sequence = key.second;
            result.target = key.first;
            result.from = key.first;
            result.detail = "cancelled";
            if (probe.callback) probe.callback(result);
        }
    }

    void shutdown() {
        closed_ = true;
        for (auto& [key, probe] : pending_) {
            if (probe.timer) probe.timer->cancel();
        }
        pending_.clear();
        late_handler_ = nullptr;
        boost::system::error_code ignored;
        descriptor_.cancel(ignored);
        descriptor_.close(ignored);
    }

    Status set_socket_option(int level, int name, const void* value, socklen_t length, const std::string& what) {
        if (::setsockopt(descriptor_.native_handle(), level, name, value, length) == 0) return Ok{};
        int error_number = errno;
        if (error_number == ENODEV) return usage_error("no such interface", what);
        if (is_permission_errno(error_number)) {
            return missing_privilege(Capability::net_raw, "binding the ICMP socket to an interface", what);
        }
        return environment_error("cannot set " + what + " on the ICMP socket: " + errno_text(error_number));
    }

    bool raw() const { return raw_; }
    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t late_replies() const { return late_; }
    std::uint64_t ignored() const { return ignored_; }
    std::uint64_t corrupted() const { return corrupted_; }
    std::uint16_t identifier() const { return identifier_; }
    void set_late_reply_handler(LateReplyCallback handler) { late_handler_ = std::move(handler); }

private:
    void ensure_reading() {
        if (reading_ || closed_) return;
        reading_ = true;
        descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               [self = shared_from_this()](const boost::system::error_code& ec) {
                                   self->reading_ = false;
                                   if (self->closed_) return;
                                   if (!ec) self->drain();
                                   if (!self->pending_.empty()) self->ensure_reading();
                               });
    }

    // With nothing pending the read wait is dropped, so the io_context can run out of work. Replies that arrive
    // meanwhile wait in the socket buffer and are read (and counted) with the next probe.
    void stop_reading_if_idle() {
        if (pending_.empty() && reading_) {
            boost::system::error_code ignored;
            descriptor_.cancel(ignored);
        }
    }

    void on_timeout(const Key& key, std::uint64_t token) {
        // A reply may be waiting unread in the socket: read first, so it is not called a timeout.
        drain();
        auto it = pending_.find(key);
        if (it == pending_.end() || it->second.token != token) return;
        EchoResult result;
        result.status = EchoStatus::timeout;
        result.sequence = key.second;
        result.target = key.first;
        result.from = key.first;
        complete(it, std::move(result), false);
    }

    void complete(std::map<Key, Pending>::iterator it, EchoResult result, bool answered) {
        Key key = it->first;
        auto callback = std::move(it->second.callback);
        if (it->second.timer) it->second.timer->cancel();
        remember_finished(key, Finished{it->second.sent, answered, it->second.token, it->second.payload_size});
        pending_.erase(it);
        stop_reading_if_idle();
        if (callback) callback(result);
    }

    void remember_finished(const Key& key, const Finished& finished) {
        finished_[key] = finished;
        finished_order_.emplace_back(key, finished.token);
        while (finished_order_.size() > finished_memory) {
            auto [old_key, old_token] = finished_order_.front();
            finished_order_.pop_front();
            auto it = finished_.find(old_key);
            if (it != finished_.end() && it->second.token == old_token) finished_.erase(it);
        }
    }

    void forget_finished(const Key& key) { finished_.erase(key); }

    // Reads everything queued (errors first, then data), bounded per wakeup.
    void drain() {
        if (closed_) return;
        auto self = shared_from_this();  // callbacks may drop the last outside reference
        for (int i = 0; i < max_messages_per_wakeup && !closed_; ++i) {
            bool got = false;
            if (!raw_) got = read_error_queue();
            if (closed_) return;
            got = read_message() || got;
            if (!got) return;
        }
    }

    Clock::time_point receive_time(const msghdr& message) {
        auto now = Clock::now();
        for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&message), c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
                timespec stamp{};
                std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
                // The kernel stamps with the wall clock: turn "how long ago" into monotonic time.
                auto wall_now = std::chrono::system_clock::now().time_since_epoch();
                auto wall_then = std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec);
                auto ago = std::chrono::duration_cast<Clock::duration>(wall_now - wall_then);
                if (ago >= Clock::duration::zero() && ago < std::chrono::seconds(60)) return now - ago;
            }
        }
        return now;
    }

    bool read_message() {
        sockaddr_storage from{};
        alignas(cmsghdr) std::array<char, 512> control{};
        iovec io{buffer_.data(), buffer_.size()};
        msghdr message{};
        message.msg_name = &from;
        message.msg_namelen = sizeof from;
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        ssize_t n = ::recvmsg(descriptor_.native_handle(), &message, MSG_DONTWAIT);
        if (n < 0) {
            // EAGAIN: nothing more. Anything else (a pending ICMP error reported as errno on datagram sockets)
            // has its detail on the error queue, read separately.
            return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR ? true : false;
        }
        Received received;
        received.bytes = std::span<const std::uint8_t>(buffer_.data(), static_cast<std::size_t>(n));
        received.from = address_from_sockaddr(from, message.msg_namelen);
        received.at = receive_time(message);
        for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
            if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
                int value = 0;
                std::memcpy(&value, CMSG_DATA(c), sizeof value);
                received.ttl = value;
            }
        }
        handle_message(received);
        return true;
    }

    void handle_message(const Received& received) {
        IcmpParseOptions options;
        options.with_ip_header = raw_ && family_ == IpFamily::v4;
        options.verify_checksum = raw_ && family_ == IpFamily::v4;
        IcmpMessage m = parse_icmp_message(received.bytes, family_, options);
        if (m.status == IcmpParseStatus::bad_checksum) {
            ++corrupted_;
            return;
        }
        if (m.status != IcmpParseStatus::ok) {
            ++ignored_;
            return;
        }
        IpAddress from = received.from.valid() ? received.from : m.source;
        int ttl = m.ttl >= 0 ? m.ttl : received.ttl;
        if (m.kind == IcmpMessageKind::echo_reply) {
            if (raw_ && m.identifier != identifier_) {
                ++ignored_;
                return;
            }
            on_reply(m, from, ttl, received.at);
            return;
        }
        auto status = echo_status_for(family_, m.type, m.code);
        if (!status || !m.quoted_echo || (raw_ && m.quoted_echo->identifier != identifier_)) {
            ++ignored_;
            return;
        }
        on_error(*status, m.quoted_echo->destination, m.quoted_echo->sequence, from, m.type, m.code, m.mtu,
                 received.at);
    }

    bool cookie_matches(const IcmpMessage& m, std::size_t sent_payload) const {
        if (sent_payload < stamped_payload) return true;
        if (m.echo_data.size() < cookie_size) return false;
        for (std::size_t i = 0; i < cookie_size; ++i) {
            if (m.echo_data[i] != static_cast<std::uint8_t>(cookie_ >> (56 - 8 * i))) return false;
        }
        return true;
    }

    // The pending probe this reply answers: exact (source, sequence), else the only probe with that sequence
    // (a reply from another address of the target; `from` then shows who answered).
    std::map<Key, Pending>::iterator find_pending(const IpAddress& from, std::uint16_t sequence) {
        auto it = pending_.find(Key{from, sequence});
        if (it != pending_.end()) return it;
        auto found = pending_.end();
        for (auto i = pending_.begin(); i != pending_.end(); ++i) {
            if (i->first.second != sequence) continue;
            if (found != pending_.end()) return pending_.end();  // ambiguous
            found = i;
        }
        return found;
    }

    // A finished probe a late or duplicate reply belongs to: exact (source, sequence), else the only finished probe
    // with that sequence (a second host answering, e.g. two devices with the target's address).
    std::map<Key, Finished>::iterator find_finished(const IpAddress& from, std::uint16_t sequence) {
        auto it = finished_.find(Key{from, sequence});
        if (it != finished_.end()) return it;
        auto found = finished_.end();
        for (auto i = finished_.begin(); i != finished_.end(); ++i) {
            if (i->first.second != sequence) continue;
            if (found != finished_.end()) return finished_.end();  // ambiguous
            found = i;
        }
        return found;
    }

    void on_reply(const IcmpMessage& m, const IpAddress& from, int ttl, Clock::time_point at) {
        EchoResult result;
        result.status = EchoStatus::reply;
        result.sequence = m.sequence;
        result.from = from;
        result.ttl = ttl;
        result.bytes = m.icmp_length;
        result.icmp_type = m.type;
        result.icmp_code = m.code;
        auto it = find_pending(from, m.sequence);
        if (it != pending_.end()) {
            if (!cookie_matches(m, it->second.payload_size)) {
                ++ignored_;
                return;
            }
            result.target = it->first.first;
            result.rtt = std::chrono::duration_cast<std::chrono::microseconds>(at - it->second.sent);
            if (result.rtt.count() < 0) result.rtt = std::chrono::microseconds(0);
            complete(it, std::move(result), true);
            return;
        }
        auto done = find_finished(from, m.sequence);
        if (done == finished_.end() || !cookie_matches(m, done->second.payload_size)) {
            ++ignored_;
            return;
        }
        result.target = done->first.first;
        result.rtt = std::chrono::duration_cast<std::chrono::microseconds>(at - done->second.sent);
        bool duplicate = done->second.answered;
        if (duplicate) {
            ++duplicates_;
        } else {
            ++late_;
            done->second.answered = true;  // further copies are duplicates
        }
        if (late_handler_) {
            auto handler = late_handler_;
            handler(result, duplicate);
        }
    }

    void on_error(EchoStatus status, const IpAddress& target, std::uint16_t sequence, const IpAddress& from,
                  int type, int code, std::uint32_t mtu, Clock::time_point at) {
        auto it = pending_.find(Key{target, sequence});
        if (it == pending_.end()) {
            ++ignored_;
            return;
        }
        EchoResult result;
        result.status = status;
        result.sequence = sequence;
        result.target = target;
        result.from = from.valid() ? from : target;
        result.icmp_type = type;
        result.icmp_code = code;
        result.detail = describe_icmp(family_, type, code);
        if (mtu != 0) result.detail += " (mtu = " + std::to_string(mtu) + ")";
        result.rtt = std::chrono::duration_cast<std::chrono::microseconds>(at - it->second.sent);
        complete(it, std::move(result), false);
    }

    // Datagram sockets: ICMP errors and local errors for our requests, with the offender and the quoted request.
    bool read_error_queue() {
        sockaddr_storage original{};
        alignas(cmsghdr) std::array<char, 512> control{};
        std::array<std::uint8_t, 2048> data{};
        iovec io{data.data(), data.size()};
        msghdr message{};
        message.msg_name = &original;
        message.msg_namelen = sizeof original;
        message.msg_iov = &io;
        message.msg_iovlen = 1;
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        ssize_t n = ::recvmsg(descriptor_.native_handle(), &message, MSG_ERRQUEUE | MSG_DONTWAIT);
        if (n < 0) return false;
        auto at = receive_time(message);
        IpAddress target = address_from_sockaddr(original, message.msg_namelen);
        for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
            bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
            bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
            if (!v4 && !v6) continue;
            sock_extended_err error{};
            std::memcpy(&error, CMSG_DATA(c), sizeof error);
            // The quoted request: our echo header (the kernel's identifier), possibly cut short.
            IcmpParseOptions options;
            options.verify_checksum = false;
            auto quoted = parse_icmp_message(std::span<const std::uint8_t>(data.data(), static_cast<std::size_t>(n)),
                                             family_, options);
            if (quoted.status != IcmpParseStatus::ok || quoted.kind != IcmpMessageKind::echo_request) {
                ++ignored_;
                continue;
            }
            if (error.ee_origin == SO_EE_ORIGIN_ICMP || error.ee_origin == SO_EE_ORIGIN_ICMP6) {
                auto status = echo_status_for(family_, error.ee_type, error.ee_code);
                if (!status) {
                    ++ignored_;
                    continue;
                }
                // SO_EE_OFFENDER: the address right after the extended error in the control data.
                const auto* offender = reinterpret_cast<const sockaddr*>(
                    reinterpret_cast<const unsigned char*>(CMSG_DATA(c)) + sizeof(sock_extended_err));
                IpAddress from = address_from_sockaddr(offender);
                std::uint32_t mtu = (error.ee_type == 2 && family_ == IpFamily::v6) ||
                                            (error.ee_type == 3 && error.ee_code == 4 && family_ == IpFamily::v4)
                                        ? error.ee_info
                                        : 0;
                on_error(*status, target, quoted.sequence, from, error.ee_type, error.ee_code, mtu, at);
            } else if (error.ee_origin == SO_EE_ORIGIN_LOCAL) {
                auto it = pending_.find(Key{target, quoted.sequence});
                if (it == pending_.end()) {
                    ++ignored_;
                    continue;
                }
                EchoResult result;
                result.status = EchoStatus::send_error;
                result.sequence = quoted.sequence;
                result.target = target;
                result.from = target;
                result.detail = "local error: " + errno_text(static_cast<int>(error.ee_errno));
                result.error_number = static_cast<int>(error.ee_errno);
                if (error.ee_errno == EMSGSIZE) result.detail += " (mtu = " + std::to_string(error.ee_info) + ")";
                complete(it, std::move(result), false);
            } else {
                ++ignored_;
            }
        }
        return true;
    }

    IoContext& io_;
    boost::asio::posix::stream_descriptor descriptor_;
    IpFamily family_;
    bool raw_;
    bool closed_ = false;
    bool reading_ = false;
    std::vector<std::uint8_t> buffer_;
    std::uint64_t cookie_ = 0;
    std::uint16_t identifier_ = 0;
    int current_ttl_ = 0;
    std::uint64_t next_token_ = 0;
    std::map<Key, Pending> pending_;
    std::map<Key, Finished> finished_;
    std::deque<std::pair<Key, std::uint64_t>> finished_order_;
    std::uint64_t sent_count_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t late_ = 0;
    std::uint64_t ignored_ = 0;
    std::uint64_t corrupted_ = 0;
    LateReplyCallback late_handler_;
};

class SocketPinger final : public IcmpPinger {
public:
    explicit SocketPinger(std::shared_ptr<PingerCore> core) : core_(std::move(core)) {}
    ~SocketPinger() override { core_->shutdown(); }
    SocketPinger(const SocketPinger&) = delete;
    SocketPinger& operator=(const SocketPinger&) = delete;

    void send_echo(const IpAddress& target, std::uint16_t sequence, const EchoOptions& options,
                   EchoCallback callback) override {
        core_->send_echo(target, sequence, options, std::move(callback));
    }
    void cancel_all() override { core_->cancel_all(); }
    bool uses_raw_socket() const override { return core_->raw(); }
    std::uint64_t duplicates() const override { return core_->duplicates(); }
    std::uint64_t late_replies() const override { return core_->late_replies(); }
    void set_late_reply_handler(LateReplyCallback handler) override {
        core_->set_late_reply_handler(std::move(handler));
    }
    std::uint16_t identifier() const override { return core_->identifier(); }
    std::uint64_t ignored_messages() const override { return core_->ignored(); }
    std::uint64_t corrupted_messages() const override { return core_->corrupted(); }
    Status bind_to_interface(const std::string& name) override {
        return core_->set_socket_option(SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                                        static_cast<socklen_t>(name.size()), name);
    }
    Status allow_broadcast() override {
        int on = 1;
        return core_->set_socket_option(SOL_SOCKET, SO_BROADCAST, &on, sizeof on, "SO_BROADCAST");
    }

private:
    std::shared_ptr<PingerCore> core_;
};

void set_option(int fd, int level, int name, int value) {
    // Best effort: a kernel without one of these still pings, only with less detail (no TTL, no timestamps).
    (void)::setsockopt(fd, level, name, &value, sizeof value);
}

void configure_socket(int fd, IpFamily family, bool raw) {
    set_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
    if (family == IpFamily::v4) {
        set_option(fd, IPPROTO_IP, IP_RECVTTL, 1);
        if (raw) {
            icmp_filter filter{};
            filter.data = ~((1U << 0) | (1U << 3) | (1U << 11) | (1U << 12));  // pass reply + errors only
            (void)::setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
        } else {
            set_option(fd, IPPROTO_IP, IP_RECVERR, 1);
        }
        return;
    }
    set_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
    if (raw) {
        icmp6_filter filter{};
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filter);
        ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &filter);
        (void)::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
    } else {
        set_option(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
    }
}

Result<int> open_socket(IpFamily family, bool raw) {
    int domain = family == IpFamily::v4 ? AF_INET : AF_INET6;
    int protocol = family == IpFamily::v4 ? static_cast<int>(IPPROTO_ICMP) : static_cast<int>(IPPROTO_ICMPV6);
    int type = (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
    int fd = ::socket(domain, type, protocol);
    if (fd >= 0) return fd;
    int error_number = errno;
    std::string family_name = family == IpFamily::v4 ? "IPv4" : "IPv6";
    if (is_permission_errno(error_number)) {
        std::string context = raw ? "raw ICMP socket"
                                  : "ICMP datagram socket; net.ipv4.ping_group_range is " + ping_group_range_text();
        return missing_privilege(Capability::net_raw, "sending ICMP echo requests", context);
    }
    if (error_number == EAFNOSUPPORT) {
        return environment_error(family_name + " is not available on this system", "ICMP socket");
    }
    return environment_error("cannot open an " + family_name + (raw ? " raw" : " datagram") +
                                 " ICMP socket: " + errno_text(error_number),
                             "ICMP socket");
}

}  // namespace

const char* to_string(EchoStatus status) {
    switch (status) {
        case EchoStatus::reply: return "reply";
        case EchoStatus::timeout: return "timeout";
        case EchoStatus::unreachable: return "unreachable";
        case EchoStatus::time_exceeded: return "time_exceeded";
        case EchoStatus::send_error: return "send_error";
    }
    return "timeout";
}

const char* to_string(IcmpSocketKind kind) {
    switch (kind) {
        case IcmpSocketKind::automatic: return "automatic";
        case IcmpSocketKind::datagram: return "datagram";
        case IcmpSocketKind::raw: return "raw";
    }
    return "automatic";
}

Result<std::unique_ptr<IcmpPinger>> IcmpPinger::open(IoContext& io, IpFamily family) {
    return open(io, family, IcmpSocketKind::automatic);
}

Result<std::unique_ptr<IcmpPinger>> IcmpPinger::open(IoContext& io, IpFamily family, IcmpSocketKind kind) {
    if (family != IpFamily::v4 && family != IpFamily::v6) {
        return internal_error("IcmpPinger::open needs IPv4 or IPv6");
    }
    bool raw = kind == IcmpSocketKind::raw;
    auto fd = open_socket(family, raw);
    if (!fd && kind == IcmpSocketKind::automatic) {
        raw = true;
        auto raw_fd = open_socket(family, true);
        // When both fail, the raw socket's error explains it (and names the ping_group_range alternative).
        if (!raw_fd) return raw_fd.error();
        fd = std::move(raw_fd);
    }
    if (!fd) return fd.error();
    configure_socket(*fd, family, raw);
    auto core = std::make_shared<PingerCore>(io, *fd, family, raw);
    return std::unique_ptr<IcmpPinger>(std::make_unique<SocketPinger>(std::move(core)));
}

}  // namespace nettool
