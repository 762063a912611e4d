#include "nettool/dnscheck/wire_probe.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace nettool::dnscheck {
namespace {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;

asio::ip::address to_asio(const IpAddress& address) {
    if (address.is_v4()) {
        asio::ip::address_v4::bytes_type b{};
        std::copy(address.bytes.begin(), address.bytes.begin() + 4, b.begin());
        return asio::ip::address_v4(b);
    }
    asio::ip::address_v6::bytes_type b{};
    std::copy(address.bytes.begin(), address.bytes.end(), b.begin());
    return asio::ip::address_v6(b);
}


std::uint16_t message_id(const std::uint8_t* data) { return static_cast<std::uint16_t>((data[0] << 8) | data[1]); }

}  // namespace

struct WireProber::Exchange : std::enable_shared_from_this<WireProber::Exchange> {
    Exchange(IoContext& io, bool tcp)
        : udp(io), tcp_socket(io), timer(io), use_tcp(tcp), buffer(tcp ? 65535 : 65536) {}

    asio::ip::udp::socket udp;
    asio::ip::tcp::socket tcp_socket;
    asio::steady_timer timer;
    bool use_tcp;
    std::vector<std::uint8_t> query;
    std::vector<std::uint8_t> buffer;
    std::array<std::uint8_t, 2> length_prefix{};
    std::uint16_t id = 0;
    Clock::time_point start{};
    std::function<void(WireOutcome)> done;
    WireOutcome outcome;
    bool finished = false;

    void start_exchange(const DnsServer& server, std::chrono::milliseconds timeout) {
        start = Clock::now();
        timer.expires_after(timeout);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) self->finish(WireStatus::timeout);
        });
        if (use_tcp) {
            start_tcp(server);
        } else {
            start_udp(server);
        }
    }

    void start_udp(const DnsServer& server) {
        asio::ip::udp::endpoint endpoint(to_asio(server.address), server.port);
        boost::system::error_code ec;
        udp.open(endpoint.protocol(), ec);
        // connect(): the kernel then delivers only datagrams from the server's address and port, and reports an
        // ICMP port unreachable for it as ECONNREFUSED on the next receive.
        if (!ec) udp.connect(endpoint, ec);
        if (ec) return fail(ec);
        udp.async_send(asio::buffer(query), [self = shared_from_this()](const boost::system::error_code& e, std::size_t) {
            if (e) return self->fail(e);
            self->receive_udp();
        });
    }

    void receive_udp() {
        udp.async_receive(asio::buffer(buffer), [self = shared_from_this()](const boost::system::error_code& e,
                                                                             std::size_t n) {
            if (self->finished) return;
            if (e) return self->fail(e);
            // Another id (a late answer to an earlier socket's query cannot reach this one, so this is noise or a
            // spoofing attempt) or a query: ignore it and keep listening.
            if (n < 2 || message_id(self->buffer.data()) != self->id || (n >= 3 && (self->buffer[2] & 0x80) == 0)) {
                ++self->outcome.stray_datagrams;
                return self->receive_udp();
            }
            self->complete(n);
        });
    }

    void start_tcp(const DnsServer& server) {
        asio::ip::tcp::endpoint endpoint(to_asio(server.address), server.port);
        tcp_socket.async_connect(endpoint, [self = shared_from_this()](const boost::system::error_code& e) {
            if (self->finished) return;
            if (e) return self->fail(e);
            self->outcome.connected = true;
            self->length_prefix = {static_cast<std::uint8_t>(self->query.size() >> 8),
                                   static_cast<std::uint8_t>(self->query.size() & 0xFF)};
            std::array<asio::const_buffer, 2> parts{asio::buffer(self->length_prefix), asio::buffer(self->query)};
            asio::async_write(self->tcp_socket, parts, [self](const boost::system::error_code& we, std::size_t) {
                if (self->finished) return;
                if (we) return self->fail(we);
                self->read_tcp_length();
            });
        });
    }

    void read_tcp_length() {
        asio::async_read(tcp_socket, asio::buffer(length_prefix),
                         [self = shared_from_this()](const boost::system::error_code& e, std::size_t) {
                             if (self->finished) return;
                             if (e) return self->fail(e);
                             const std::size_t length =
                                 (static_cast<std::size_t>(self->length_prefix[0]) << 8) | self->length_prefix[1];
                             if (length == 0) {
                                 self->outcome.detail = "the server sent a zero-length TCP message";
                                 return self->finish(WireStatus::malformed);
                             }
                             asio::async_read(self->tcp_socket, asio::buffer(self->buffer.data(), length),
                                              [self](const boost::system::error_code& re, std::size_t n) {
                                                  if (self->finished) return;
                                                  if (re) return self->fail(re);
                                                  self->complete(n);
                                              });
                         });
    }

    // A message with our id (UDP) or the one TCP answer: parse it with the project's codec.
    void complete(std::size_t n) {
        outcome.bytes = n;
        auto parsed = parse_dns_message(std::span<const std::uint8_t>(buffer.data(), n));
        if (!parsed) {
            outcome.detail = parsed.error().message;
            return finish(WireStatus::malformed);
        }
        if (use_tcp && parsed->id != id) {
            outcome.detail = "answer over TCP carries id " + std::to_string(parsed->id) + ", the query " +
                             std::to_string(id);
            return finish(WireStatus::malformed);
        }
        outcome.message = std::move(*parsed);
        finish(WireStatus::answered);
    }

    void fail(const boost::system::error_code& ec) {
        if (ec == asio::error::operation_aborted) return;  // cancelled: finish() already ran or will
        if (ec == asio::error::connection_refused) return finish(WireStatus::refused);
        if (ec == asio::error::eof || ec == asio::error::connection_reset) {
            outcome.detail = outcome.connected ? "the server closed the TCP connection without an answer"
                                               : "connection reset";
            return finish(outcome.connected ? WireStatus::network_error : WireStatus::refused);
        }
        outcome.detail = ec.message();
        finish(WireStatus::network_error);
    }

    void finish(WireStatus status) {
        if (finished) return;
        finished = true;
        outcome.status = status;
        outcome.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        boost::system::error_code ignored;
        timer.cancel();
        udp.close(ignored);
        tcp_socket.close(ignored);
        auto callback = std::move(done);
        done = nullptr;
        // Posted, so a callback never runs inside query() or cancel_all().
        asio::post(timer.get_executor(), [callback = std::move(callback), outcome = std::move(outcome)]() mutable {
            if (callback) callback(std::move(outcome));
        });
    }
};

WireProber::WireProber(IoContext& io) : io_(io), random_(std::random_device{}()) {}

WireProber::~WireProber() {
    for (auto& weak : exchanges_) {
        if (auto exchange = weak.lock()) {
            exchange->done = nullptr;
            exchange->finish(WireStatus::cancelled);
        }
    }
}

void WireProber::query(const DnsServer& server, const WireQuery& q, std::chrono::milliseconds timeout,
                       std::function<void(WireOutcome)> done) {
    auto exchange = std::make_shared<Exchange>(io_, q.tcp);
    exchange->done = std::move(done);
    exchange->id = static_cast<std::uint16_t>(random_() & 0xFFFF);
    DnsQuerySpec spec;
    spec.id = exchange->id;
    spec.name = q.name;
    spec.type = q.type;
    spec.klass = q.klass;
    spec.recursion_desired = q.recursion_desired;
    spec.edns_udp_size = q.edns_udp_size;
    spec.dnssec_ok = q.dnssec_ok;
    auto wire = build_dns_query(spec);
    if (!wire) {
        exchange->outcome.detail = wire.error().message;
        exchange->finish(WireStatus::network_error);
        return;
    }
    exchange->query = std::move(*wire);
    std::erase_if(exchanges_, [](const std::weak_ptr<Exchange>& w) { return w.expired(); });
    exchanges_.push_back(exchange);
    exchange->start_exchange(server, timeout);
}

void WireProber::cancel_all() {
    for (auto& weak : exchanges_) {
        if (auto exchange = weak.lock()) exchange->finish(WireStatus::cancelled);
    }
    exchanges_.clear();
}

}  // namespace nettool::dnscheck
