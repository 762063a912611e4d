// LiveCapture on a veth inside network namespaces this test creates (ntcap-<pid>-a/b, 10.202.<n>.0/24), removed
// again on exit. The test thread enters namespace a; traffic comes from a UDP socket on the same io_context and
// from ping run inside namespace b. Root only: skips with the reason otherwise.
#include "test_support.hpp"

#include "nettool/io/capture.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/wire/packet.hpp"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace nettool;
using namespace nettool::test;
using namespace std::chrono_literals;

namespace {

// Two namespaces joined by a veth; the calling thread moves into the first until destruction.
class NamespacePair {
public:
    NamespacePair() {
        static int serial = 0;
        const std::string id = std::to_string(::getpid()) + "-" + std::to_string(++serial);
        a_ = "ntcap-" + id + "-a";
        b_ = "ntcap-" + id + "-b";
        const int subnet = 10 + (::getpid() + serial) % 200;
        local_ = "10.202." + std::to_string(subnet) + ".1";
        peer_ = "10.202." + std::to_string(subnet) + ".2";
        const std::string script = "set -e; ip netns add " + a_ + "; ip netns add " + b_ + "; ip -n " + a_ +
                                   " link add ca type veth peer name cb netns " + b_ + "; ip -n " + a_ +
                                   " addr add " + local_ + "/24 dev ca; ip -n " + b_ + " addr add " + peer_ +
                                   "/24 dev cb; ip -n " + a_ + " link set ca up; ip -n " + b_ +
                                   " link set cb up; ip -n " + a_ + " link set lo up";
        const auto made = run_command(script);
        if (made.exit_status != 0) {
            remove();
            FAIL("cannot create namespaces: " << made.err);
        }
        original_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        const int target = ::open(("/run/netns/" + a_).c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(original_ >= 0);
        REQUIRE(target >= 0);
        REQUIRE(::setns(target, CLONE_NEWNET) == 0);
        ::close(target);
    }
    ~NamespacePair() {
        if (original_ >= 0) {
            (void)::setns(original_, CLONE_NEWNET);
            ::close(original_);
        }
        remove();
    }
    NamespacePair(const NamespacePair&) = delete;
    NamespacePair& operator=(const NamespacePair&) = delete;

    const std::string& peer_namespace() const { return b_; }
    const std::string& local_address() const { return local_; }
    const std::string& peer_address() const { return peer_; }

private:
    void remove() { run_command("ip netns del " + a_ + " 2>/dev/null; ip netns del " + b_ + " 2>/dev/null"); }
    std::string a_, b_, local_, peer_;
    int original_ = -1;
};

// Sends one UDP datagram to the peer every `interval` until stopped (from namespace a, on the io_context).
class UdpTicker {
public:
    UdpTicker(IoContext& io, const std::string& peer, unsigned short port, std::chrono::milliseconds interval)
        : socket_(io, boost::asio::ip::udp::v4()),
          timer_(io),
          target_(boost::asio::ip::make_address(peer), port),
          interval_(interval) {
        tick();
    }
    void stop() {
        stopped_ = true;
        timer_.cancel();
    }
    int sent() const { return sent_; }

private:
    void tick() {
        if (stopped_) return;
        static const char message[] = "nettool-live-test";
        boost::system::error_code ignored;
        socket_.send_to(boost::asio::buffer(message, sizeof message - 1), target_, 0, ignored);
        ++sent_;
        timer_.expires_after(interval_);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) tick();
        });
    }
    boost::asio::ip::udp::socket socket_;
    boost::asio::steady_timer timer_;
    boost::asio::ip::udp::endpoint target_;
    std::chrono::milliseconds interval_;
    int sent_ = 0;
    bool stopped_ = false;
};

LiveCaptureOptions options_for(std::string interface, std::string filter = {}, int snaplen = 262144) {
    LiveCaptureOptions options;
    options.interface = std::move(interface);
    options.filter = std::move(filter);
    options.snaplen = snaplen;
    return options;
}

// Runs the io_context until `done` says so, with a safety limit so a broken capture fails the test instead of
// hanging it; then lets the handlers already queued run.
template <class Done>
bool run_until(IoContext& io, Done done, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        if (io.stopped()) io.restart();
        io.run_one_for(100ms);
    }
    if (io.stopped()) io.restart();
    io.poll();
    return true;
}

}  // namespace

TEST_CASE("live capture on a veth: BPF filter and count limit") {
    if (!running_as_root()) NETTOOL_SKIP("live capture needs root (network namespaces, CAP_NET_RAW)");
    NamespacePair ns;
    IoContext io;
    LiveCaptureOptions options;
    options.interface = "ca";
    options.filter = "udp and dst port 7000";
    options.max_packets = 5;
    auto capture = LiveCapture::open(io, options);
    REQUIRE(capture.ok());
    CHECK((*capture)->link_type() == link_type::ethernet);
    UdpTicker noise(io, ns.peer_address(), 7001, 10ms);  // filtered out
    UdpTicker wanted(io, ns.peer_address(), 7000, 20ms);
    std::vector<PacketView> views;
    std::vector<std::uint64_t> numbers;
    int finished = 0;
    CaptureStats final_stats;
    (*capture)->start(
        [&](const CapturedPacket& packet) {
            PacketView v;
            decode_packet(packet.link_type, packet.data, v);
            views.push_back(v);
            numbers.push_back(packet.number);
            CHECK(packet.captured_length == packet.data.size());
            CHECK(packet.timestamp > std::chrono::seconds(1'600'000'000));
        },
        [&](const CaptureStats& stats) {
            ++finished;
            final_stats = stats;
            noise.stop();
            wanted.stop();
        });
    REQUIRE(run_until(io, [&] { return finished > 0; }, 10s));
    CHECK(finished == 1);
    CHECK(final_stats.packets == 5);
    REQUIRE(views.size() == 5);
    CHECK(numbers == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
    for (const auto& v : views) {
        CHECK(v.status == DecodeStatus::ok);
        CHECK(v.dst_port == 7000);
        CHECK(v.src.to_string() == ns.local_address());
        CHECK(std::string(v.payload.begin(), v.payload.end()) == "nettool-live-test");
    }
}

TEST_CASE("live capture: duration limit ends a quiet capture, incoming traffic from the peer namespace") {
    if (!running_as_root()) NETTOOL_SKIP("live capture needs root (network namespaces, CAP_NET_RAW)");
    NamespacePair ns;
    SECTION("nothing matches: finishes after the duration with zero packets") {
        IoContext io;
        LiveCaptureOptions options;
        options.interface = "ca";
        options.filter = "tcp port 9";
        options.duration = 300ms;
        auto capture = LiveCapture::open(io, options);
        REQUIRE(capture.ok());
        UdpTicker traffic(io, ns.peer_address(), 7000, 10ms);
        int finished = 0;
        CaptureStats final_stats;
        const auto started = std::chrono::steady_clock::now();
        (*capture)->start([](const CapturedPacket&) { FAIL("no packet should match"); },
                          [&](const CaptureStats& stats) {
                              ++finished;
                              final_stats = stats;
                              traffic.stop();
                          });
        REQUIRE(run_until(io, [&] { return finished > 0; }, 10s));
        const auto elapsed = std::chrono::steady_clock::now() - started;
        CHECK(finished == 1);
        CHECK(final_stats.packets == 0);
        CHECK(elapsed >= 300ms);
        CHECK(elapsed < 3s);
        CHECK(traffic.sent() > 5);
    }
    SECTION("echo requests from the peer, captured as they arrive, within a duration") {
        IoContext io;
        LiveCaptureOptions options;
        options.interface = "ca";
        options.filter = "icmp[icmptype] == icmp-echo";
        options.duration = 5s;
        options.max_packets = 3;
        options.promiscuous = false;
        auto capture = LiveCapture::open(io, options);
        REQUIRE(capture.ok());
        std::vector<PacketView> views;
        std::vector<std::vector<std::uint8_t>> copies;
        int finished = 0;
        (*capture)->start(
            [&](const CapturedPacket& packet) {
                copies.emplace_back(packet.data.begin(), packet.data.end());
            },
            [&](const CaptureStats&) { ++finished; });
        const auto ping = run_command("ip netns exec " + ns.peer_namespace() + " ping -c 6 -i 0.1 -W 1 " +
                                      ns.local_address() + " >/dev/null 2>&1 &");
        CHECK(ping.exit_status == 0);
        REQUIRE(run_until(io, [&] { return finished > 0; }, 15s));
        CHECK(finished == 1);
        REQUIRE(copies.size() == 3);
        for (const auto& bytes : copies) {
            PacketView v;
            decode_packet(link_type::ethernet, bytes, v);
            CHECK(v.status == DecodeStatus::ok);
            CHECK(v.icmp_type == 8);
            CHECK(v.src.to_string() == ns.peer_address());
        }
    }
}

TEST_CASE("live capture: stop() ends cleanly once, SIGINT through InterruptHandler, handler may stop") {
    if (!running_as_root()) NETTOOL_SKIP("live capture needs root (network namespaces, CAP_NET_RAW)");
    NamespacePair ns;
    SECTION("stop() from a timer, twice: on_finished once, with pcap stats") {
        IoContext io;
        auto capture = LiveCapture::open(io, options_for("ca", "udp"));
        REQUIRE(capture.ok());
        UdpTicker traffic(io, ns.peer_address(), 7000, 10ms);
        int finished = 0;
        std::uint64_t delivered = 0;
        CaptureStats final_stats;
        (*capture)->start([&](const CapturedPacket&) { ++delivered; },
                          [&](const CaptureStats& stats) {
                              ++finished;
                              final_stats = stats;
                              traffic.stop();
                          });
        boost::asio::steady_timer stopper(io, 400ms);
        stopper.async_wait([&](const boost::system::error_code&) {
            (*capture)->stop();
            (*capture)->stop();
        });
        REQUIRE(run_until(io, [&] { return finished > 0; }, 10s));
        CHECK(finished == 1);
        CHECK(delivered > 3);
        CHECK(final_stats.packets == delivered);
        CHECK(final_stats.kernel_dropped == 0);
        CHECK(final_stats.capture_error.empty());
        (*capture)->stop();  // after the end: nothing happens
        CHECK(finished == 1);
    }
    SECTION("SIGINT: the interrupt handler stops the capture and the final report runs") {
        IoContext io;
        auto capture = LiveCapture::open(io, options_for("ca", "udp"));
        REQUIRE(capture.ok());
        UdpTicker traffic(io, ns.peer_address(), 7000, 10ms);
        int finished = 0;
        InterruptHandler interrupt(io, [&] { (*capture)->stop(); });
        (*capture)->start([](const CapturedPacket&) {},
                          [&](const CaptureStats&) {
                              ++finished;
                              traffic.stop();
                              interrupt.cancel();
                          });
        boost::asio::steady_timer signaller(io, 200ms);
        signaller.async_wait([](const boost::system::error_code&) { ::kill(::getpid(), SIGINT); });
        REQUIRE(run_until(io, [&] { return finished > 0; }, 10s));
        CHECK(finished == 1);
    }
    SECTION("the packet handler calls stop(); a throwing handler leaves io.run()") {
        IoContext io;
        auto capture = LiveCapture::open(io, options_for("ca", "udp"));
        REQUIRE(capture.ok());
        UdpTicker traffic(io, ns.peer_address(), 7000, 5ms);
        std::uint64_t delivered = 0;
        int finished = 0;
        (*capture)->start(
            [&](const CapturedPacket&) {
                if (++delivered == 2) (*capture)->stop();
            },
            [&](const CaptureStats& stats) {
                ++finished;
                CHECK(stats.packets == 2);
                traffic.stop();
            });
        REQUIRE(run_until(io, [&] { return finished > 0; }, 10s));
        CHECK(finished == 1);
        CHECK(delivered == 2);

        IoContext io2;
        auto throwing = LiveCapture::open(io2, options_for("ca", "udp"));
        REQUIRE(throwing.ok());
        UdpTicker traffic2(io2, ns.peer_address(), 7000, 5ms);
        int finished2 = 0;
        (*throwing)->start([](const CapturedPacket&) { throw ErrorException(input_error("analysis failed")); },
                           [&](const CaptureStats&) { ++finished2; });
        CHECK_THROWS_AS(io2.run(), ErrorException);
        CHECK(finished2 == 0);
        traffic2.stop();
    }
    SECTION("destroying the capture while it runs is safe") {
        IoContext io;
        auto capture = LiveCapture::open(io, options_for("ca"));
        REQUIRE(capture.ok());
        UdpTicker traffic(io, ns.peer_address(), 7000, 5ms);
        int finished = 0;
        std::unique_ptr<LiveCapture> owned = std::move(capture).take();
        owned->start([](const CapturedPacket&) {}, [&](const CaptureStats&) { ++finished; });
        boost::asio::steady_timer killer(io, 100ms);
        killer.async_wait([&](const boost::system::error_code&) {
            owned.reset();
            traffic.stop();
        });
        REQUIRE(run_until(io, [&] { return owned == nullptr; }, 10s));
        CHECK(finished == 0);
    }
}

TEST_CASE("live capture errors: no such interface, bad filter, empty options") {
    IoContext io;
    CHECK(LiveCapture::open(io, {}).error().kind == ErrorKind::usage);
    CHECK(LiveCapture::open(io, options_for("lo", "", 0)).error().kind == ErrorKind::usage);
    if (!running_as_root()) NETTOOL_SKIP("opening devices needs root (CAP_NET_RAW)");
    NamespacePair ns;  // so that "lo" below is the test namespace's own loopback
    const auto missing = LiveCapture::open(io, options_for("ntcap-nope0"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::environment);
    CHECK(missing.error().describe().find("ntcap-nope0") != std::string::npos);
    CHECK(missing.error().message.find("no such network interface") != std::string::npos);
    const auto bad = LiveCapture::open(io, options_for("lo", "tcp port"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::usage);
    CHECK(bad.error().message.find("syntax error") != std::string::npos);
}

TEST_CASE("live capture without privilege: CAP_NET_RAW named, with the setcap line") {
    if (!running_as_root()) NETTOOL_SKIP("needs root to drop to an unprivileged user in a child process");
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        int code = 1;
        std::string message;
        if (::setgid(65534) == 0 && ::setuid(65534) == 0) {
            IoContext io;
            const auto result = LiveCapture::open(io, options_for("lo"));
            if (!result.ok()) {
                message = result.error().message;
                code = result.error().kind == ErrorKind::environment ? 0 : 2;
            } else {
                message = "opened without privilege";
                code = 3;
            }
        } else {
            message = "cannot drop privileges";
        }
        (void)!::write(pipe_fds[1], message.data(), message.size());
        ::close(pipe_fds[1]);
        ::_exit(code);
    }
    ::close(pipe_fds[1]);
    std::string message;
    char buffer[512];
    ssize_t got = 0;
    while ((got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) message.append(buffer, static_cast<std::size_t>(got));
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    INFO(message);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(message.find("CAP_NET_RAW") != std::string::npos);
    CHECK(message.find("capturing on lo") != std::string::npos);
    CHECK(message.find("setcap") != std::string::npos);
}
