// DnsClient against real DNS servers on loopback: our scripted server (every outcome on purpose) and dnsmasq.
#include "dns_test_helpers.hpp"
#include "test_support.hpp"

#include "nettool/io/dns_client.hpp"

#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sched.h>
#include <thread>
#include <unistd.h>
#include <memory>
#include <optional>
#include <set>

using namespace nettool;
using namespace nettool::test;
using namespace std::chrono_literals;

namespace {

// One scripted server per address for the whole test binary (started on first use, stopped at exit).
const FakeDnsServer* fake_server(const std::string& address, std::string& why_not) {
    static std::map<std::string, std::pair<std::optional<FakeDnsServer>, std::string>> servers;
    auto found = servers.find(address);
    if (found == servers.end()) {
        std::string reason;
        auto server = FakeDnsServer::start(address, reason);
        found = servers.emplace(address, std::make_pair(std::move(server), reason)).first;
    }
    why_not = found->second.second;
    return found->second.first ? &*found->second.first : nullptr;
}

#define REQUIRE_FAKE_SERVER(var, address)                             \
    std::string why_not_##var;                                        \
    const FakeDnsServer* var = fake_server(address, why_not_##var);   \
    if (var == nullptr) NETTOOL_SKIP(why_not_##var)

std::vector<std::string> addresses_of(const DnsResult& result) {
    std::vector<std::string> out;
    for (const auto* record : result.records()) {
        if (record->address) out.push_back(record->address->to_string());
    }
    return out;
}

std::string first_text(const DnsResult& result) {
    auto records = result.records();
    if (records.empty() || records[0]->texts.empty()) return "<none>";
    std::string all;
    for (const auto& text : records[0]->texts) all += text;
    return all;
}

}  // namespace

TEST_CASE("DnsClient: addresses, CNAME chains and the answer outcome") {
    REQUIRE_FAKE_SERVER(fake, "127.0.0.1");
    auto options = options_for(fake->server());

    auto a = query_now("a.test", dns_type::a, options);
    REQUIRE(a.outcome == DnsOutcome::answer);
    CHECK(addresses_of(a) == std::vector<std::string>{"192.0.2.1"});
    CHECK(a.message->aa);
    CHECK(a.message->qr);
    CHECK(a.timeouts == 0);
    CHECK(a.elapsed > 0us);
    CHECK(a.elapsed < 1s);
    CHECK_FALSE(a.raw.empty());

    auto aaaa = query_now("A.Test.", dns_type::aaaa, options);  // case and trailing dot do not matter
    REQUIRE(aaaa.outcome == DnsOutcome::answer);
    CHECK(addresses_of(aaaa) == std::vector<std::string>{"2001:db8::1"});

    auto multi = query_now("multi.test", dns_type::a, options);
    CHECK(addresses_of(multi) == std::vector<std::string>{"192.0.2.1", "192.0.2.2", "192.0.2.3"});

    auto cname = query_now("cname.test", dns_type::a, options);
    REQUIRE(cname.outcome == DnsOutcome::answer);
    CHECK(cname.message->answers.size() == 2);
    CHECK(addresses_of(cname) == std::vector<std::string>{"192.0.2.1"});
    auto cname_itself = query_now("cname.test", dns_type::cname, options);
    REQUIRE(cname_itself.records().size() == 1);
    CHECK(cname_itself.records()[0]->target == "a.test");

    // A CNAME loop is an answer with no address: nodata, not a hang.
    auto loop = query_now("loop.test", dns_type::a, options);
    CHECK(loop.outcome == DnsOutcome::nodata);
}

TEST_CASE("DnsClient: typed records of every kind the tools use") {
    REQUIRE_FAKE_SERVER(fake, "127.0.0.1");
    auto options = options_for(fake->server());

    auto txt = query_now("txt.test", dns_type::txt, options);
    REQUIRE(txt.outcome == DnsOutcome::answer);
    REQUIRE(txt.records().size() == 1);
    const auto& texts = txt.records()[0]->texts;
    REQUIRE(texts.size() == 3);
    CHECK(texts[0] == "v=spf1 ");
    CHECK(texts[1] == "include:_spf.test ");
    CHECK(texts[2] == std::string("\xff\0raw -all", 10));  // raw bytes kept, NUL included

    auto spf = query_now("spf.test", dns_type::spf, options);
    REQUIRE(spf.outcome == DnsOutcome::answer);
    CHECK(spf.records()[0]->type == dns_type::spf);
    CHECK(first_text(spf) == "v=spf1 -all");

    auto mx = query_now("mx.test", dns_type::mx, options);
    REQUIRE(mx.records().size() == 1);
    CHECK(mx.records()[0]->preference == 10);
    CHECK(mx.records()[0]->target == "mail.test");

    auto ns = query_now("ns.test", dns_type::ns, options);
    REQUIRE(ns.records().size() == 1);
    CHECK(ns.records()[0]->target == "ns1.test");

    auto soa = query_now("soa.test", dns_type::soa, options);
    REQUIRE(soa.outcome == DnsOutcome::answer);
    REQUIRE(soa.message->answers.size() == 1);
    REQUIRE(soa.message->answers[0].soa);
    CHECK(soa.message->answers[0].soa->mname == "ns1.test");
    CHECK(soa.message->answers[0].soa->rname == "hostmaster.test");
    CHECK(soa.message->answers[0].soa->serial == 2026112801u);
    CHECK(soa.message->answers[0].soa->minimum == 60u);

    auto ptr = query_now("1.2.0.192.in-addr.arpa", dns_type::ptr, options);
    REQUIRE(ptr.records().size() == 1);
    CHECK(ptr.records()[0]->target == "a.test");
}

TEST_CASE("DnsClient: NOERROR-no-data, NXDOMAIN and every error rcode stay apart") {
    REQUIRE_FAKE_SERVER(fake, "127.0.0.1");
    auto options = options_for(fake->server());

    auto nodata = query_now("nodata.test", dns_type::a, options);
    CHECK(nodata.outcome == DnsOutcome::nodata);
    REQUIRE(nodata.message);
    CHECK(nodata.message->rcode == dns_rcode::noerror);
    CHECK(nodata.message->authority.size() == 1);
    CHECK(query_now("a.test", dns_type::mx, options).outcome == DnsOutcome::nodata);

    auto nx = query_now("no-such-name.test", dns_type::a, options);
    CHECK(nx.outcome == DnsOutcome::nxdomain);
    REQUIRE(nx.message);
    REQUIRE(nx.message->authority.size() == 1);
    CHECK(nx.message->authority[0].type == dns_type::soa);

    struct Case {
        const char* name;
        DnsOutcome outcome;
        int rcode;
    };
    for (const Case& c : {Case{"servfail.test", DnsOutcome::servfail, 2}, Case{"refused.test", DnsOutcome::refused, 5},
                          Case{"formerr.test", DnsOutcome::formerr, 1}, Case{"notimp.test", DnsOutcome::notimp, 4},
                          Case{"yxdomain.test", DnsOutcome::other_rcode, 6}}) {
        INFO(c.name);
        auto result = query_now(c.name, dns_type::a, options);
        CHECK(result.outcome == c.outcome);
        REQUIRE(result.message);  // the answer itself comes back (ARES_FLAG_NOCHECKRESP)
        CHECK(result.message->rcode == c.rcode);
        CHECK(result.timeouts == 0);
    }

    auto garbage = query_now("garbage.test", dns_type::a, options);
    CHECK(garbage.outcome == DnsOutcome::bad_response);
    CHECK_FALSE(garbage.answered());
    CHECK_FALSE(garbage.raw.empty());
    CHECK(garbage.error_text.find("runs past the end") != std::string::npos);
}

TEST_CASE("DnsClient: TCP transport, TC handling and the EDNS size and DO bit") {
    REQUIRE_FAKE_SERVER(fake, "127.0.0.1");
    auto udp = options_for(fake->server());
    auto tcp = udp;
    tcp.transport = DnsTransport::tcp;

    CHECK(first_text(query_now("transport.test", dns_type::txt, udp)) == "udp");
    CHECK(first_text(query_now("transport.test", dns_type::txt, tcp)) == "tcp");
    auto over_tcp = query_now("a.test", dns_type::a, tcp);
    CHECK(addresses_of(over_tcp) == std::vector<std::string>{"192.0.2.1"});

    // TC over UDP: c-ares retries over TCP unless accept_truncated asks for the truncated answer itself.
    auto retried = query_now("tc.test", dns_type::a, udp);
    REQUIRE(retried.outcome == DnsOutcome::answer);
    CHECK_FALSE(retried.message->tc);
    CHECK(addresses_of(retried) == std::vector<std::string>{"192.0.2.10", "192.0.2.11"});
    auto truncated_options = udp;
    truncated_options.accept_truncated = true;
    auto truncated = query_now("tc.test", dns_type::a, truncated_options);
    REQUIRE(truncated.message);
    CHECK(truncated.message->tc);
    CHECK(addresses_of(truncated) == std::vector<std::string>{"192.0.2.10"});

    CHECK(first_text(query_now("edns.test", dns_type::txt, udp)) == "size=none");
    auto edns = udp;
    edns.edns_udp_size = 1232;
    edns.dnssec_ok = true;
    CHECK(first_text(query_now("edns.test", dns_type::txt, edns)) == "size=1232 do=1");
    edns.dnssec_ok = false;
    edns.edns_udp_size = 4096;
    CHECK(first_text(query_now("edns.test", dns_type::txt, edns)) == "size=4096 do=0");

    // A 3 kB answer: fits the advertised 4096 over UDP; without EDNS it is truncated (TC), then fetched over TCP.
    auto big_edns = query_now("big.test", dns_type::txt, edns);
    REQUIRE(big_edns.outcome == DnsOutcome::answer);
    CHECK(big_edns.raw.size() > 3000);
    CHECK(big_edns.records()[0]->texts.size() == 12);
    // The same over UDP only (accept_truncated: no TCP fallback): the whole 3 kB answer, not 512 bytes of it.
    auto edns_udp_only = edns;
    edns_udp_only.accept_truncated = true;
    auto big_udp = query_now("big.test", dns_type::txt, edns_udp_only);
    REQUIRE(big_udp.outcome == DnsOutcome::answer);
    REQUIRE(big_udp.message);
    CHECK_FALSE(big_udp.message->tc);
    CHECK(big_udp.raw.size() > 3000);
    CHECK(big_udp.records()[0]->texts.size() == 12);
    auto small = truncated_options;
    auto big_truncated = query_now("big.test", dns_type::txt, small);
    REQUIRE(big_truncated.message);
    CHECK(big_truncated.message->tc);
    CHECK(big_truncated.outcome == DnsOutcome::nodata);
    auto big_fallback = query_now("big.test", dns_type::txt, udp);
    REQUIRE(big_fallback.outcome == DnsOutcome::answer);
    CHECK(big_fallback.records()[0]->texts.size() == 12);
}

TEST_CASE("DnsClient: an IPv6 server on ::1, over UDP and TCP") {
    REQUIRE_FAKE_SERVER(fake, "::1");
    auto options = options_for(fake->server());
    CHECK(fake->server().to_string().rfind("[::1]:", 0) == 0);
    CHECK(addresses_of(query_now("a.test", dns_type::aaaa, options)) == std::vector<std::string>{"2001:db8::1"});
    options.transport = DnsTransport::tcp;
    CHECK(first_text(query_now("transport.test", dns_type::txt, options)) == "tcp");
}

TEST_CASE("DnsClient: a server that never answers times out on time") {
    SilentDnsServer silent;
    auto options = options_for(silent.server());
    options.timeout = 400ms;
    auto result = query_now("a.test", dns_type::a, options);
    CHECK(result.outcome == DnsOutcome::timeout);
    CHECK_FALSE(result.answered());
    CHECK(result.timeouts == 1);
    CHECK(result.elapsed >= 380ms);
    CHECK(result.elapsed <= 440ms + 60ms);  // 10 % plus scheduling slack on a loaded machine

    // Two tries: c-ares 1.18.1 doubles the per-try timeout on the second round with one server (150 + 300 ms).
    options.timeout = 150ms;
    options.tries = 2;
    auto twice = query_now("a.test", dns_type::a, options);
    CHECK(twice.outcome == DnsOutcome::timeout);
    CHECK(twice.timeouts == 2);
    CHECK(twice.elapsed >= 430ms);
    CHECK(twice.elapsed <= 500ms + 60ms);
}

TEST_CASE("DnsClient: TCP to a server that drops SYNs times out on time and never blocks the loop") {
    // c-ares leaves sockets opened through its socket functions blocking; a blocking connect here would stall the
    // io_context for the kernel's SYN retries (about two minutes) instead of the query's 300 ms.
    SilentDnsServer dropping(true);
    auto options = options_for(dropping.server());
    options.transport = DnsTransport::tcp;
    options.timeout = 300ms;
    IoContext io;
    DnsClient client(io, {});
    std::optional<DnsResult> result;
    REQUIRE(client.query("a.test", dns_type::a, options, [&](DnsResult r) { result = std::move(r); }));
    const auto started = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::duration> tick_at;
    boost::asio::steady_timer tick(io, 50ms);
    tick.async_wait([&](const boost::system::error_code&) { tick_at = std::chrono::steady_clock::now() - started; });
    io.run();
    REQUIRE(result);
    CHECK(result->outcome == DnsOutcome::timeout);
    CHECK(result->elapsed >= 280ms);
    CHECK(result->elapsed <= 1000ms);
    REQUIRE(tick_at);
    CHECK(*tick_at < 250ms);  // the loop kept running while the connect was pending
}

TEST_CASE("DnsClient: the scripted server's silent name times out as well") {
    REQUIRE_FAKE_SERVER(fake, "127.0.0.1");
    auto options = options_for(fake->server());
    options.timeout = 200ms;
    auto result = query_now("silent.test", dns_type::a, options);
    CHECK(result.outcome == DnsOutcome::timeout);
    CHECK(result.elapsed >= 190ms);
    CHECK(result.elapsed <= 280ms);
}

TEST_CASE("DnsClient: nothing listening is connection_refused, quickly, over UDP and TCP") {
    DnsServer closed;
    closed.address = IpAddress::v4(0x7F000001);
    closed.port = unused_port();
    auto options = options_for(closed);
    options.timeout = 2000ms;
    auto udp = query_now("a.test", dns_type::a, options);
    CHECK(udp.outcome == DnsOutcome::connection_refused);
    CHECK(udp.elapsed < 1000ms);
    options.transport = DnsTransport::tcp;
    auto tcp = query_now("a.test", dns_type::a, options);
    CHECK(tcp.outcome == DnsOutcome::connection_refused);
    CHECK(tcp.elapsed < 1000ms);

    // Several queries at once share c-ares' UDP socket: every one of them is refused, none is left to time out.
    for (auto transport : {DnsTransport::udp, DnsTransport::tcp}) {
        options.transport = transport;
        IoContext io;
        DnsClient client(io, {});
        std::vector<DnsResult> results;
        for (int i = 0; i < 8; ++i) {
            REQUIRE(client.query(i % 2 ? "a.test" : "b.test", i % 3 ? dns_type::a : dns_type::aaaa, options,
                                 [&](DnsResult result) { results.push_back(std::move(result)); }));
        }
        const auto started = std::chrono::steady_clock::now();
        io.run();
        CHECK(std::chrono::steady_clock::now() - started < 1000ms);
        REQUIRE(results.size() == 8);
        for (const auto& result : results) CHECK(result.outcome == DnsOutcome::connection_refused);
    }
}

TEST_CASE("DnsClient: no route to the server is network_error, not connection_refused") {
    if (!running_as_root()) NETTOOL_SKIP("needs root to create the network namespace ntdns-noroute-*");
    if (!have_program("ip")) NETTOOL_SKIP("ip not installed (apt-get install iproute2)");
    const std::string ns = "ntdns-noroute-" + std::to_string(::getpid());
    if (run_command("ip netns add " + ns).exit_status != 0) NETTOOL_SKIP("cannot create network namespace " + ns);
    struct Remove {
        std::string ns;
        ~Remove() { run_command("ip netns delete " + ns); }
    } remove{ns};
    REQUIRE(run_command("ip netns exec " + ns + " ip link set lo up").exit_status == 0);

    // Only this thread enters the namespace (setns is per thread): it has loopback and no route anywhere else,
    // so connecting to 10.203.0.53 fails locally and no packet leaves.
    std::vector<DnsResult> results;
    std::string setns_error;
    std::thread inside([&] {
        const int fd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
            setns_error = std::strerror(errno);
            if (fd >= 0) ::close(fd);
            return;
        }
        ::close(fd);
        auto options = options_for(DnsServer{*IpAddress::parse("10.203.0.53"), 53});
        results.push_back(query_now("a.test", dns_type::a, options));
        options.transport = DnsTransport::tcp;
        results.push_back(query_now("a.test", dns_type::a, options));
    });
    inside.join();
    REQUIRE(setns_error.empty());
    REQUIRE(results.size() == 2);
    for (const auto& result : results) {
        CHECK(result.outcome == DnsOutcome::network_error);
        CHECK(result.error_text == std::strerror(ENETUNREACH));
        CHECK(result.elapsed < 500ms);
    }
}

TEST_CASE("DnsClient: 100 queries in flight at once, mixed servers and transports") {
    REQUIRE_FAKE_SERVER(fake, "127.0.0.1");
    IoContext io;
    DnsClient client(io, {fake->server()});
    SilentDnsServer silent;
    std::map<std::string, int> outcomes;
    std::set<std::uint16_t> ids;
    int callbacks = 0;
    DnsQueryOptions defaults;  // the client's default server
    defaults.timeout = 1000ms;
    auto tcp = defaults;
    tcp.transport = DnsTransport::tcp;
    auto to_silent = options_for(silent.server());
    to_silent.timeout = 300ms;
    const char* names[] = {"a.test", "multi.test", "no-such.test", "servfail.test", "slow.test"};
    const auto started_at = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) {
        const auto& options = i % 10 == 9 ? to_silent : i % 3 == 0 ? tcp : defaults;
        auto started = client.query(names[i % 5], dns_type::a, options, [&, i](DnsResult result) {
            ++callbacks;
            ++outcomes[to_string(result.outcome)];
            if (result.message) ids.insert(result.message->id);
            if (i % 10 != 9 && result.outcome == DnsOutcome::answer) {
                CHECK_FALSE(result.records().empty());
            }
        });
        REQUIRE(started.ok());
    }
    CHECK(client.in_flight() == 100);
    io.run();
    const auto took = std::chrono::steady_clock::now() - started_at;
    CHECK(callbacks == 100);
    CHECK(client.in_flight() == 0);
    CHECK(outcomes["timeout"] == 10);
    // i % 10 == 9 are the slow.test ones sent to the silent server; the other 10 slow.test ones answer late.
    CHECK(outcomes["nxdomain"] == 20);
    CHECK(outcomes["servfail"] == 20);
    CHECK(outcomes["answer"] == 50);
    CHECK(ids.size() == 90);  // every query in flight had its own id
    CHECK(took < 2s);  // concurrently, not one after the other (slow.test alone takes 300 ms, 20 of them)
}

TEST_CASE("DnsClient: cancel_all completes every pending query once with cancelled") {
    SilentDnsServer silent;
    IoContext io;
    DnsClient client(io, {silent.server()});
    DnsQueryOptions options;
    options.timeout = 5000ms;
    int cancelled = 0;
    int calls = 0;
    for (int i = 0; i < 20; ++i) {
        auto started = client.query("a.test", dns_type::a, options, [&](DnsResult result) {
            ++calls;
            if (result.outcome == DnsOutcome::cancelled) ++cancelled;
        });
        REQUIRE(started.ok());
    }
    boost::asio::steady_timer later(io, 50ms);
    later.async_wait([&](const boost::system::error_code&) {
        client.cancel_all();
        CHECK(client.in_flight() == 0);
    });
    const auto started_at = std::chrono::steady_clock::now();
    io.run();
    CHECK(std::chrono::steady_clock::now() - started_at < 1s);
    CHECK(calls == 20);
    CHECK(cancelled == 20);
    // The client still works afterwards.
    std::string why_not;
    if (const auto* fake = fake_server("127.0.0.1", why_not)) {
        std::optional<DnsResult> after;
        REQUIRE(client.query("a.test", dns_type::a, options_for(fake->server()), [&](DnsResult r) { after = r; }));
        io.restart();
        io.run();
        REQUIRE(after);
        CHECK(after->outcome == DnsOutcome::answer);
    }
}

TEST_CASE("DnsClient: destroying the client runs pending callbacks once, and leaves nothing behind") {
    SilentDnsServer silent;
    IoContext io;
    int calls = 0;
    int cancelled = 0;
    {
        DnsClient client(io, {silent.server()});
        for (int i = 0; i < 5; ++i) {
            auto options = DnsQueryOptions{};
            options.transport = i % 2 == 0 ? DnsTransport::udp : DnsTransport::tcp;
            REQUIRE(client.query("a.test", dns_type::a, options, [&](DnsResult result) {
                ++calls;
                if (result.outcome == DnsOutcome::cancelled) ++cancelled;
            }));
        }
        io.run_for(20ms);  // let the sockets open and the waits start
        CHECK(calls == 0);
    }
    CHECK(calls == 5);
    CHECK(cancelled == 5);
    io.restart();
    io.run();  // stale waits and timers finish harmlessly
    CHECK(calls == 5);
}

TEST_CASE("DnsClient: a callback may start new queries or destroy the client") {
    REQUIRE_FAKE_SERVER(fake, "127.0.0.1");
    IoContext io;
    auto client = std::make_unique<DnsClient>(io, std::vector<DnsServer>{fake->server()});
    std::vector<std::string> seen;
    REQUIRE(client->query("cname.test", dns_type::cname, {}, [&](DnsResult first) {
        seen.push_back(to_string(first.outcome));
        REQUIRE(first.records().size() == 1);
        auto chained = client->query(first.records()[0]->target, dns_type::a, {}, [&](DnsResult second) {
            seen.push_back(addresses_of(second).at(0));
            // Two more in flight, then the client goes away from inside its own callback.
            SilentDnsServer silent;
            auto options = options_for(silent.server());
            for (int i = 0; i < 2; ++i) {
                REQUIRE(client->query("a.test", dns_type::a, options,
                                      [&](DnsResult third) { seen.push_back(to_string(third.outcome)); }));
            }
            client.reset();
        });
        REQUIRE(chained.ok());
    }));
    io.run();
    CHECK(seen == std::vector<std::string>{"answer", "192.0.2.1", "cancelled", "cancelled"});
}

TEST_CASE("DnsClient: bad requests fail at once and never call back") {
    IoContext io;
    DnsClient client(io, {});
    bool called = false;
    auto callback = [&](DnsResult) { called = true; };
    DnsServer server{IpAddress::v4(0x7F000001), 53};
    auto options = options_for(server);

    auto no_server = client.query("a.test", dns_type::a, {}, callback);
    REQUIRE_FALSE(no_server.ok());
    CHECK(no_server.error().kind == ErrorKind::environment);

    auto long_label = client.query(std::string(64, 'x') + ".test", dns_type::a, options, callback);
    REQUIRE_FALSE(long_label.ok());
    CHECK(long_label.error().kind == ErrorKind::input);
    CHECK_FALSE(client.query("a..test", dns_type::a, options, callback).ok());
    CHECK_FALSE(client.query("", dns_type::a, options, callback).ok());

    auto zero_tries = options;
    zero_tries.tries = 0;
    CHECK(client.query("a.test", dns_type::a, zero_tries, callback).error().kind == ErrorKind::usage);
    auto zero_timeout = options;
    zero_timeout.timeout = 0ms;
    CHECK(client.query("a.test", dns_type::a, zero_timeout, callback).error().kind == ErrorKind::usage);

    io.run();
    CHECK_FALSE(called);
    CHECK(client.in_flight() == 0);
}

TEST_CASE("DnsClient: against dnsmasq, a real DNS server") {
    std::string why_not;
    auto dnsmasq = Dnsmasq::start({"--local=/dnsmasq.test/",
                                   "--address=/addr.dnsmasq.test/192.0.2.77",
                                   "--host-record=host.dnsmasq.test,192.0.2.88,2001:db8::88",
                                   "--cname=alias.dnsmasq.test,host.dnsmasq.test",
                                   "--txt-record=txt.dnsmasq.test,v=spf1 ip4:192.0.2.0/24,-all",
                                   "--mx-host=dnsmasq.test,mail.dnsmasq.test,5"},
                                  why_not);
    if (!dnsmasq) NETTOOL_SKIP(why_not);
    auto options = options_for(dnsmasq->server());

    CHECK(addresses_of(query_now("addr.dnsmasq.test", dns_type::a, options)) ==
          std::vector<std::string>{"192.0.2.77"});
    CHECK(addresses_of(query_now("host.dnsmasq.test", dns_type::aaaa, options)) ==
          std::vector<std::string>{"2001:db8::88"});
    auto alias = query_now("alias.dnsmasq.test", dns_type::a, options);
    CHECK(alias.outcome == DnsOutcome::answer);
    CHECK(addresses_of(alias) == std::vector<std::string>{"192.0.2.88"});
    auto txt = query_now("txt.dnsmasq.test", dns_type::txt, options);
    REQUIRE(txt.records().size() == 1);
    CHECK(txt.records()[0]->texts == std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24", "-all"});
    auto mx = query_now("dnsmasq.test", dns_type::mx, options);
    REQUIRE(mx.records().size() == 1);
    CHECK(mx.records()[0]->preference == 5);
    CHECK(mx.records()[0]->target == "mail.dnsmasq.test");

    CHECK(query_now("nothing.dnsmasq.test", dns_type::a, options).outcome == DnsOutcome::nxdomain);
    CHECK(query_now("host.dnsmasq.test", dns_type::mx, options).outcome == DnsOutcome::nodata);
    // No upstream configured: names outside its local zone are refused.
    CHECK(query_now("example.invalid", dns_type::a, options).outcome == DnsOutcome::refused);

    auto tcp = options;
    tcp.transport = DnsTransport::tcp;
    CHECK(addresses_of(query_now("addr.dnsmasq.test", dns_type::a, tcp)) == std::vector<std::string>{"192.0.2.77"});
    auto edns = options;
    edns.edns_udp_size = 1232;
    auto with_edns = query_now("addr.dnsmasq.test", dns_type::a, edns);
    REQUIRE(with_edns.message);
    CHECK(with_edns.message->edns_udp_size.has_value());
}

TEST_CASE("read_resolv_conf reads a file and reports an unreadable one") {
    TempDir dir;
    write_file(dir.path() / "resolv.conf", "nameserver 127.0.0.53\nsearch lan\n");
    auto conf = read_resolv_conf((dir.path() / "resolv.conf").string());
    REQUIRE(conf.ok());
    REQUIRE(conf->nameservers.size() == 1);
    CHECK(conf->nameservers[0].to_string() == "127.0.0.53:53");
    auto missing = read_resolv_conf((dir.path() / "nope").string());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::environment);
}
