// dnscheck's probe transport against servers in this process on 127.0.0.1 (one io_context for both sides): what
// a resolver library throws away must come back as evidence - a REFUSED without a question section, a message
// that does not parse (with the parse error and its size), strays with another id ignored, port unreachable,
// silence, and a TCP connection that was set up but never answered.
#include "nettool/dnscheck/wire_probe.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <optional>

using namespace nettool;
using namespace nettool::dnscheck;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

DnsServer loopback(std::uint16_t port) { return DnsServer{*IpAddress::parse("127.0.0.1"), port}; }

// A header with the query's id, QR set, the given rcode and counts; no question unless `question` is given.
std::vector<std::uint8_t> header(const std::uint8_t* query, int rcode, std::uint16_t qdcount, std::uint16_t ancount) {
    return {query[0], query[1], 0x81, static_cast<std::uint8_t>(0x80 | rcode), 0, static_cast<std::uint8_t>(qdcount),
            0, static_cast<std::uint8_t>(ancount), 0, 0, 0, 0};
}

// A UDP server that answers every query with what `reply` makes of it (several datagrams allowed).
struct UdpServer {
    asio::ip::udp::socket socket;
    std::array<std::uint8_t, 1500> buffer{};
    asio::ip::udp::endpoint peer;
    std::function<std::vector<std::vector<std::uint8_t>>(const std::uint8_t*, std::size_t)> reply;

    explicit UdpServer(IoContext& io) : socket(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
    std::uint16_t port() const { return socket.local_endpoint().port(); }
    void serve() {
        socket.async_receive_from(asio::buffer(buffer), peer, [this](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return;
            if (reply) {
                for (const auto& datagram : reply(buffer.data(), n)) socket.send_to(asio::buffer(datagram), peer);
            }
            serve();
        });
    }
};

WireOutcome run_one(IoContext& io, const DnsServer& server, const WireQuery& query, std::chrono::milliseconds timeout) {
    io.restart();  // an earlier run_one may have run the io_context out of work
    WireProber prober(io);
    std::optional<WireOutcome> got;
    int calls = 0;
    prober.query(server, query, timeout, [&](WireOutcome o) {
        ++calls;
        got = std::move(o);
    });
    while (!got && io.run_one_for(2s) > 0) {
    }
    REQUIRE(got);
    CHECK(calls == 1);
    return *got;
}

WireQuery a_query(bool tcp = false) {
    WireQuery q;
    q.name = "www.example";
    q.tcp = tcp;
    return q;
}

}  // namespace

TEST_CASE("wire probe: a REFUSED without a question section counts, a stray with another id does not") {
    IoContext io;
    UdpServer server(io);
    server.reply = [](const std::uint8_t* q, std::size_t) {
        auto stray = header(q, 0, 0, 0);
        stray[1] = static_cast<std::uint8_t>(stray[1] + 1);
        return std::vector<std::vector<std::uint8_t>>{stray, header(q, 5, 0, 0)};
    };
    server.serve();
    const WireOutcome o = run_one(io, loopback(server.port()), a_query(), 1000ms);
    REQUIRE(o.status == WireStatus::answered);
    CHECK(o.message->rcode == 5);
    CHECK(o.message->questions.empty());
    CHECK(o.stray_datagrams == 1);
    CHECK(o.bytes == 12);
}

TEST_CASE("wire probe: a malformed answer keeps its parse error and size") {
    IoContext io;
    UdpServer server(io);
    server.reply = [](const std::uint8_t* q, std::size_t) {
        auto m = header(q, 0, 0, 1);
        // The answer's owner: two compression pointers pointing at each other.
        m.insert(m.end(), {0xC0, 14, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1});
        return std::vector<std::vector<std::uint8_t>>{m};
    };
    server.serve();
    const WireOutcome o = run_one(io, loopback(server.port()), a_query(), 1000ms);
    REQUIRE(o.status == WireStatus::malformed);
    CHECK(o.bytes == 30);
    CHECK(o.detail.find("compression") != std::string::npos);
}

TEST_CASE("wire probe: port unreachable is refused, silence is a timeout on time") {
    IoContext io;
    std::uint16_t closed_port = 0;
    {
        UdpServer gone(io);
        closed_port = gone.port();
    }
    CHECK(run_one(io, loopback(closed_port), a_query(), 1000ms).status == WireStatus::refused);

    UdpServer silent(io);
    silent.serve();
    const auto start = std::chrono::steady_clock::now();
    const WireOutcome o = run_one(io, loopback(silent.port()), a_query(), 100ms);
    CHECK(o.status == WireStatus::timeout);
    CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("wire probe: TCP that connects and then waits is a timeout marked connected; TCP answers parse") {
    IoContext io;
    asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const std::uint16_t port = acceptor.local_endpoint().port();
    asio::ip::tcp::socket held(io);
    acceptor.async_accept(held, [](const boost::system::error_code&) {});
    WireOutcome waited = run_one(io, loopback(port), a_query(true), 150ms);
    CHECK(waited.status == WireStatus::timeout);
    CHECK(waited.connected);

    // An answer over TCP: REFUSED without a question section.
    asio::ip::tcp::socket answering(io);
    std::array<std::uint8_t, 2> length{};
    std::array<std::uint8_t, 512> query{};
    std::vector<std::uint8_t> reply;
    acceptor.async_accept(answering, [&](const boost::system::error_code& ec) {
        if (ec) return;
        asio::async_read(answering, asio::buffer(length), [&](const boost::system::error_code& e1, std::size_t) {
            if (e1) return;
            const std::size_t n = (static_cast<std::size_t>(length[0]) << 8) | length[1];
            asio::async_read(answering, asio::buffer(query.data(), n), [&](const boost::system::error_code& e2, std::size_t) {
                if (e2) return;
                reply = {0, 12};
                auto h = header(query.data(), 5, 0, 0);
                reply.insert(reply.end(), h.begin(), h.end());
                asio::async_write(answering, asio::buffer(reply), [](const boost::system::error_code&, std::size_t) {});
            });
        });
    });
    WireOutcome answered = run_one(io, loopback(port), a_query(true), 1000ms);
    REQUIRE(answered.status == WireStatus::answered);
    CHECK(answered.connected);
    CHECK(answered.message->rcode == 5);
}

TEST_CASE("wire probe: cancel_all completes every query once; a name that cannot be encoded fails at once") {
    IoContext io;
    UdpServer silent(io);
    silent.serve();
    WireProber prober(io);
    int cancelled = 0, calls = 0;
    for (int i = 0; i < 3; ++i) {
        prober.query(loopback(silent.port()), a_query(), 5000ms, [&](WireOutcome o) {
            ++calls;
            if (o.status == WireStatus::cancelled) ++cancelled;
        });
    }
    WireQuery bad = a_query();
    bad.name = std::string(70, 'a') + ".example";
    std::optional<WireOutcome> bad_outcome;
    prober.query(loopback(silent.port()), bad, 5000ms, [&](WireOutcome o) { bad_outcome = std::move(o); });
    prober.cancel_all();
    io.run_for(200ms);
    CHECK(calls == 3);
    CHECK(cancelled == 3);
    REQUIRE(bad_outcome);
    CHECK(bad_outcome->status == WireStatus::network_error);
    CHECK(bad_outcome->detail.find("63") != std::string::npos);
}
