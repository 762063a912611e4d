// IcmpPinger on real sockets, inside a private network namespace this test process creates (so nothing leaves it):
// raw and datagram sockets, IPv4 and IPv6, replies, timeouts, cancel_all, ICMP errors from an nft reject rule,
// local send errors from an unreachable route, the privilege error. Root only; skips with the reason otherwise.
#include "nettool/io/icmp.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <sched.h>

#include <fstream>
#include <optional>

using namespace nettool;
using namespace nettool::test;

namespace {

void set_ping_group_range(const std::string& range) {
    std::ofstream out("/proc/sys/net/ipv4/ping_group_range");
    out << range << '\n';
}

// Moves this test process into a fresh network namespace with only `lo` (up, with ::1). Once per process.
std::optional<std::string> private_netns() {
    static std::optional<std::string> failure = [] () -> std::optional<std::string> {
        if (!running_as_root()) return std::string("needs root to create a network namespace");
        if (::unshare(CLONE_NEWNET) != 0) return std::string("unshare(CLONE_NEWNET) failed");
        auto up = run_command("ip link set lo up");
        if (up.exit_status != 0) return "ip link set lo up failed: " + up.err;
        return std::nullopt;
    }();
    // A new namespace starts with ping_group_range "1 0" (no datagram ICMP). CTest runs each case in its own
    // process, so every case starts from the same allowing range rather than from what an earlier case left.
    if (!failure) set_ping_group_range("0 2147483647");
    return failure;
}

bool have_nft() { return run_command("command -v nft").exit_status == 0; }

// Runs `io` until `done` or a 10 s guard (so a bug cannot hang the suite).
void run_until(IoContext& io, const bool& done) {
    io.restart();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(50));
        io.restart();
    }
}

std::vector<EchoResult> ping_n(IcmpPinger& pinger, IoContext& io, const std::string& target, int n,
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) {
    std::vector<EchoResult> results;
    int calls = 0;
    bool done = false;
    EchoOptions options;
    options.timeout = timeout;
    for (int i = 1; i <= n; ++i) {
        pinger.send_echo(*IpAddress::parse(target), static_cast<std::uint16_t>(i), options,
                         [&](const EchoResult& r) {
                             results.push_back(r);
                             if (++calls == n) done = true;
                         });
    }
    run_until(io, done);
    CHECK(calls == n);
    return results;
}

}  // namespace

TEST_CASE("raw and datagram sockets ping loopback over IPv4 and IPv6", "[netns]") {
    if (auto why = private_netns()) NETTOOL_SKIP(*why);
    set_ping_group_range("0 2147483647");
    for (auto kind : {IcmpSocketKind::raw, IcmpSocketKind::datagram}) {
        for (std::string target : {"127.0.0.1", "::1"}) {
            INFO(to_string(kind) << " " << target);
            IoContext io;
            auto family = IpAddress::parse(target)->family;
            auto pinger = IcmpPinger::open(io, family, kind);
            REQUIRE(pinger.ok());
            CHECK((*pinger)->uses_raw_socket() == (kind == IcmpSocketKind::raw));
            auto results = ping_n(**pinger, io, target, 3);
            REQUIRE(results.size() == 3);
            for (const auto& r : results) {
                CHECK(r.status == EchoStatus::reply);
                CHECK(r.target.to_string() == target);
                CHECK(r.from.to_string() == target);
                CHECK(r.rtt.count() >= 0);
                CHECK(r.rtt < std::chrono::milliseconds(500));
                CHECK(r.ttl == 64);
                CHECK(r.bytes == 64);
                CHECK_FALSE(r.cancelled);
            }
            CHECK((*pinger)->duplicates() == 0);
            CHECK((*pinger)->identifier() != 0);
        }
    }
}

TEST_CASE("automatic choice: datagram when ping_group_range allows, raw otherwise", "[netns]") {
    if (auto why = private_netns()) NETTOOL_SKIP(*why);
    IoContext io;
    set_ping_group_range("0 2147483647");
    auto dgram = IcmpPinger::open(io, IpFamily::v4);
    REQUIRE(dgram.ok());
    CHECK_FALSE((*dgram)->uses_raw_socket());
    set_ping_group_range("1 0");
    auto raw = IcmpPinger::open(io, IpFamily::v4);
    REQUIRE(raw.ok());
    CHECK((*raw)->uses_raw_socket());
    // Forcing the datagram socket when the range excludes us is the privilege error, naming both ways out.
    auto refused = IcmpPinger::open(io, IpFamily::v4, IcmpSocketKind::datagram);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::environment);
    CHECK(refused.error().message.find("CAP_NET_RAW") != std::string::npos);
    CHECK(refused.error().message.find("ping_group_range") != std::string::npos);
    CHECK(refused.error().context.find("1 0") != std::string::npos);
    set_ping_group_range("0 2147483647");
}

TEST_CASE("timeouts, exactly one callback, sizes, TTL and cancel_all", "[netns]") {
    if (auto why = private_netns()) NETTOOL_SKIP(*why);
    if (!have_nft()) NETTOOL_SKIP("nft is not installed");
    REQUIRE(run_command("nft add table inet ntping_drop && nft add chain inet ntping_drop in "
                        "'{ type filter hook input priority 0; }' && nft add rule inet ntping_drop in "
                        "ip daddr 127.0.0.9 icmp type echo-request drop")
                .exit_status == 0);
    for (auto kind : {IcmpSocketKind::raw, IcmpSocketKind::datagram}) {
        INFO(to_string(kind));
        IoContext io;
        auto pinger = IcmpPinger::open(io, IpFamily::v4, kind);
        REQUIRE(pinger.ok());
        auto lost = ping_n(**pinger, io, "127.0.0.9", 2, std::chrono::milliseconds(150));
        REQUIRE(lost.size() == 2);
        for (const auto& r : lost) {
            CHECK(r.status == EchoStatus::timeout);
            CHECK_FALSE(r.cancelled);
        }

        // Payload sizes from none at all to a fragmented 3000 bytes, and a TTL.
        for (std::size_t size : {0, 8, 15, 16, 3000}) {
            bool done = false;
            EchoResult got;
            EchoOptions options;
            options.payload_size = size;
            options.ttl = 5;
            (*pinger)->send_echo(*IpAddress::parse("127.0.0.1"), static_cast<std::uint16_t>(100 + size), options,
                                 [&](const EchoResult& r) {
                                     got = r;
                                     done = true;
                                 });
            run_until(io, done);
            CHECK(got.status == EchoStatus::reply);
            CHECK(got.bytes == size + 8);
        }

        // cancel_all: each pending probe reports once, cancelled; the io_context runs out of work.
        int calls = 0;
        int cancelled = 0;
        EchoOptions slow;
        slow.timeout = std::chrono::milliseconds(5000);
        for (std::uint16_t seq = 1; seq <= 3; ++seq) {
            (*pinger)->send_echo(*IpAddress::parse("127.0.0.9"), seq, slow, [&](const EchoResult& r) {
                ++calls;
                if (r.cancelled) ++cancelled;
            });
        }
        (*pinger)->cancel_all();
        CHECK(calls == 3);
        CHECK(cancelled == 3);
        io.restart();
        auto start = std::chrono::steady_clock::now();
        io.run();
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
        CHECK(calls == 3);

        // The same (target, sequence) twice in flight is refused for the second, via its callback.
        bool first_done = false;
        EchoResult second;
        bool second_done = false;
        (*pinger)->send_echo(*IpAddress::parse("127.0.0.9"), 7, slow, [&](const EchoResult&) { first_done = true; });
        (*pinger)->send_echo(*IpAddress::parse("127.0.0.9"), 7, slow, [&](const EchoResult& r) {
            second = r;
            second_done = true;
        });
        CHECK_FALSE(second_done);  // never inside send_echo
        run_until(io, second_done);
        CHECK(second.status == EchoStatus::send_error);
        CHECK(second.detail.find("already in flight") != std::string::npos);
        (*pinger)->cancel_all();
        CHECK(first_done);
    }
    run_command("nft delete table inet ntping_drop");
}

TEST_CASE("ICMP errors for our probes are recognised on both socket kinds", "[netns]") {
    if (auto why = private_netns()) NETTOOL_SKIP(*why);
    if (!have_nft()) NETTOOL_SKIP("nft is not installed");
    REQUIRE(run_command("nft add table inet ntping_rej && nft add chain inet ntping_rej in "
                        "'{ type filter hook input priority 0; }' && "
                        "nft add rule inet ntping_rej in ip daddr 127.0.0.7 icmp type echo-request "
                        "reject with icmp type host-unreachable && "
                        "nft add rule inet ntping_rej in ip daddr 127.0.0.8 icmp type echo-request "
                        "reject with icmp type admin-prohibited && "
                        "nft add rule inet ntping_rej in ip6 daddr ::1 icmpv6 type echo-request "
                        "reject with icmpv6 type admin-prohibited")
                .exit_status == 0);
    for (auto kind : {IcmpSocketKind::raw, IcmpSocketKind::datagram}) {
        INFO(to_string(kind));
        IoContext io;
        auto pinger = IcmpPinger::open(io, IpFamily::v4, kind);
        REQUIRE(pinger.ok());
        auto host = ping_n(**pinger, io, "127.0.0.7", 2);
        REQUIRE(host.size() == 2);
        for (const auto& r : host) {
            CHECK(r.status == EchoStatus::unreachable);
            CHECK(r.icmp_type == 3);
            CHECK(r.icmp_code == 1);
            CHECK(r.detail == "Destination Host Unreachable");
            CHECK(r.from.valid());
        }
        auto admin = ping_n(**pinger, io, "127.0.0.8", 1);
        REQUIRE(admin.size() == 1);
        CHECK(admin[0].status == EchoStatus::unreachable);
        CHECK(admin[0].icmp_code == 13);

        IoContext io6;
        auto pinger6 = IcmpPinger::open(io6, IpFamily::v6, kind);
        REQUIRE(pinger6.ok());
        auto v6 = ping_n(**pinger6, io6, "::1", 1);
        REQUIRE(v6.size() == 1);
        CHECK(v6[0].status == EchoStatus::unreachable);
        CHECK(v6[0].icmp_type == 1);
        CHECK(v6[0].icmp_code == 1);
        CHECK(v6[0].detail == "Destination unreachable: Administratively prohibited");
    }
    run_command("nft delete table inet ntping_rej");
}

TEST_CASE("local send errors and family mismatches come back through the callback", "[netns]") {
    if (auto why = private_netns()) NETTOOL_SKIP(*why);
    REQUIRE(run_command("ip route add unreachable 10.201.250.0/24").exit_status == 0);
    IoContext io;
    auto pinger = IcmpPinger::open(io, IpFamily::v4, IcmpSocketKind::raw);
    REQUIRE(pinger.ok());
    auto results = ping_n(**pinger, io, "10.201.250.1", 1);
    REQUIRE(results.size() == 1);
    CHECK(results[0].status == EchoStatus::send_error);
    CHECK(results[0].detail.find("sendto") != std::string::npos);
    auto mismatch = ping_n(**pinger, io, "::1", 1);
    REQUIRE(mismatch.size() == 1);
    CHECK(mismatch[0].status == EchoStatus::send_error);
    CHECK(mismatch[0].detail.find("does not match") != std::string::npos);
    run_command("ip route del unreachable 10.201.250.0/24");
}

TEST_CASE("a destroyed pinger leaves no work behind", "[netns]") {
    if (auto why = private_netns()) NETTOOL_SKIP(*why);
    IoContext io;
    bool called = false;
    {
        auto pinger = IcmpPinger::open(io, IpFamily::v4, IcmpSocketKind::raw);
        REQUIRE(pinger.ok());
        EchoOptions options;
        options.timeout = std::chrono::milliseconds(5000);
        (*pinger)->send_echo(*IpAddress::parse("127.0.0.1"), 1, options, [&](const EchoResult&) { called = true; });
    }
    auto start = std::chrono::steady_clock::now();
    io.run();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    CHECK_FALSE(called);  // dropped, as documented
}
