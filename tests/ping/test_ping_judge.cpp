// Ping statistics and diagnosis on recorded outcomes: iputils' numbers, the field case "first ping timed out, the
// rest answered", loss, unreachable errors, duplicates, latency; option validation; the renderers' wording.
#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/ping/ping.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <sstream>

using namespace nettool;

namespace {

// A finished run from outcome letters: r = reply (rtt given), t = timeout, u = host unreachable from the router,
// a = admin prohibited, x = time exceeded, s = send error.
PingResult recorded(const std::string& outcomes, std::vector<double> rtts = {}, std::uint64_t duplicates = 0) {
    PingResult r;
    r.host = "router.lan";
    r.address = *IpAddress::parse("192.168.1.1");
    r.resolved = {r.address};
    r.socket = "raw";
    r.count = static_cast<std::uint32_t>(outcomes.size());
    r.interval_ms = 1000;
    r.timeout_ms = 2000;
    PingCounters counters;
    std::size_t next_rtt = 0;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        PingProbe p;
        p.index = static_cast<std::uint32_t>(i + 1);
        p.sequence = static_cast<std::uint16_t>(i + 1);
        p.from = r.address;
        p.sent_ms = static_cast<double>(i) * r.interval_ms;
        counters.transmitted();
        switch (outcomes[i]) {
            case 'r': {
                p.status = EchoStatus::reply;
                p.rtt_ms = next_rtt < rtts.size() ? rtts[next_rtt++] : 1.0;
                p.ttl = 64;
                p.bytes = 64;
                counters.reply(*p.rtt_ms);
                break;
            }
            case 't': p.status = EchoStatus::timeout; break;
            case 'u':
            case 'a':
            case 'x': {
                p.status = outcomes[i] == 'x' ? EchoStatus::time_exceeded : EchoStatus::unreachable;
                p.from = *IpAddress::parse("192.168.1.254");
                p.icmp_type = outcomes[i] == 'x' ? 11 : 3;
                p.icmp_code = outcomes[i] == 'a' ? 13 : outcomes[i] == 'u' ? 1 : 0;
                p.detail = describe_icmp(IpFamily::v4, p.icmp_type, p.icmp_code);
                p.rtt_ms = 3.0;
                counters.error();
                break;
            }
            case 's':
                p.status = EchoStatus::send_error;
                p.detail = "sendto: Network is unreachable";
                counters.error();
                break;
            default: FAIL("bad outcome letter");
        }
        r.probes.push_back(p);
    }
    for (std::uint64_t i = 0; i < duplicates; ++i) counters.duplicate(1.0);
    r.statistics = counters.statistics(static_cast<double>(outcomes.size() - 1) * 1000.0 + 3.0);
    return r;
}

// What the kernel does when the first ARP request goes unanswered: every probe sent before `release_ms` waits in
// the neighbour queue and leaves with the others at `release_ms`; each reply comes `typical_ms` later (plus a
// little spread). Replies past the timeout are late; everything after is answered at `typical_ms`.
PingResult held_run(std::size_t count, double interval_ms, double timeout_ms, double release_ms, double typical_ms = 0.08,
                    double spread_ms = 0.01) {
    PingResult r;
    r.host = "10.0.0.1";
    r.address = *IpAddress::parse("10.0.0.1");
    r.resolved = {r.address};
    r.count = static_cast<std::uint32_t>(count);
    r.interval_ms = interval_ms;
    r.timeout_ms = timeout_ms;
    r.neighbour.interface = "eth0";
    r.neighbour.next_hop = r.address;
    r.neighbour.state_before = "none";
    r.neighbour.state_after = "REACHABLE";
    r.neighbour.retrans_time_ms = 1000;
    PingCounters counters;
    for (std::size_t i = 0; i < count; ++i) {
        PingProbe p;
        p.index = static_cast<std::uint32_t>(i + 1);
        p.sequence = static_cast<std::uint16_t>(i + 1);
        p.from = r.address;
        p.sent_ms = static_cast<double>(i) * interval_ms;
        counters.transmitted();
        const double rtt = p.sent_ms < release_ms ? release_ms - p.sent_ms + typical_ms + spread_ms * static_cast<double>(i)
                                                  : typical_ms;
        if (rtt > timeout_ms) {
            p.status = EchoStatus::timeout;
            p.late_reply_ms = rtt;
            counters.late();
        } else {
            p.status = EchoStatus::reply;
            p.rtt_ms = rtt;
            counters.reply(rtt);
        }
        r.probes.push_back(p);
    }
    r.statistics = counters.statistics(static_cast<double>(count - 1) * interval_ms + timeout_ms);
    return r;
}

std::vector<std::string> codes(const std::vector<Diagnosis>& diagnoses) {
    std::vector<std::string> out;
    for (const auto& d : diagnoses) out.push_back(d.code);
    return out;
}

const Diagnosis& find(const std::vector<Diagnosis>& diagnoses, const std::string& code) {
    for (const auto& d : diagnoses) {
        if (d.code == code) return d;
    }
    FAIL("no diagnosis " << code);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("counters: min/avg/max/mdev from sum and sum of squares, like iputils") {
    PingCounters c;
    for (double rtt : {1.0, 2.0, 3.0}) {
        c.transmitted();
        c.reply(rtt);
    }
    c.transmitted();
    auto s = c.statistics(3003.0);
    CHECK(s.transmitted == 4);
    CHECK(s.received == 3);
    CHECK(s.loss == Approx(0.25));
    REQUIRE(s.min_ms);
    CHECK(*s.min_ms == Approx(1.0));
    CHECK(*s.avg_ms == Approx(2.0));
    CHECK(*s.max_ms == Approx(3.0));
    CHECK(*s.mdev_ms == Approx(0.816497).epsilon(1e-5));
    CHECK(s.elapsed_ms == Approx(3003.0));
}

TEST_CASE("counters: duplicates enter the RTT figures but not the received count; nothing received") {
    PingCounters c;
    c.transmitted();
    c.reply(2.0);
    c.duplicate(4.0);
    auto s = c.statistics(0.0);
    CHECK(s.received == 1);
    CHECK(s.duplicates == 1);
    CHECK(*s.avg_ms == Approx(3.0));
    CHECK(*s.mdev_ms == Approx(1.0));
    CHECK(s.loss == 0.0);

    PingCounters none;
    none.transmitted();
    none.transmitted();
    auto empty = none.statistics(1000.0);
    CHECK(empty.loss == 1.0);
    CHECK_FALSE(empty.min_ms);
    CHECK_FALSE(empty.mdev_ms);
    CHECK(PingCounters{}.statistics(0.0).loss == 0.0);  // nothing sent: no division by zero
}

TEST_CASE("counters: identical RTTs give mdev 0, never NaN from rounding") {
    PingCounters c;
    for (int i = 0; i < 1000; ++i) {
        c.transmitted();
        c.reply(0.1);
    }
    auto s = c.statistics(0.0);
    CHECK(*s.mdev_ms >= 0.0);
    CHECK(*s.mdev_ms < 1e-6);
}

TEST_CASE("all answered: ok, exit 0") {
    auto r = recorded("rrr", {0.5, 0.6, 0.7});
    auto d = diagnose_ping(r);
    CHECK(codes(d) == std::vector<std::string>{"ok"});
    CHECK(exit_status_for(d) == ExitStatus::ok);
}

TEST_CASE("the field case: first probe timed out, the rest answered -> first_probe_lost (info), not loss") {
    auto r = recorded("trrr", {0.4, 0.5, 0.6});
    auto d = diagnose_ping(r);
    CHECK(codes(d) == std::vector<std::string>{"first_probe_lost"});
    CHECK(exit_status_for(d) == ExitStatus::ok);
    const auto& lost = find(d, "first_probe_lost");
    CHECK(lost.severity == Severity::info);
    REQUIRE(lost.confidence);
    CHECK(*lost.confidence == Approx(0.75));
    CHECK(lost.evidence.front().observed == "no reply");

    // A late reply to probe 1 is the signature of resolution delay: stronger confidence, shown as evidence.
    r.probes.front().late_reply_ms = 1012.0;
    auto late = diagnose_ping(r);
    CHECK(*find(late, "first_probe_lost").confidence == Approx(0.9));
    CHECK(find(late, "first_probe_lost").evidence.front().observed == "reply after 1012 ms, past the timeout (late)");
}

TEST_CASE("first probe lost with too few probes to tell, or other losses too, is packet loss") {
    auto two = diagnose_ping(recorded("tr"));
    CHECK(codes(two) == std::vector<std::string>{"packet_loss"});
    auto more = diagnose_ping(recorded("trtr"));
    CHECK(codes(more) == std::vector<std::string>{"packet_loss"});
    CHECK(exit_status_for(more) == ExitStatus::problem);
}

TEST_CASE("loss in the middle: packet_loss with the percentage and the probes") {
    auto d = diagnose_ping(recorded("rrtr"));
    REQUIRE(codes(d) == std::vector<std::string>{"packet_loss"});
    CHECK(d[0].severity == Severity::warning);
    CHECK(d[0].summary == "1 of 4 probes lost (25%)");
    CHECK(d[0].evidence[1].observed == "icmp_seq 3");
}

TEST_CASE("nothing answered: no_reply, critical") {
    auto d = diagnose_ping(recorded("ttt"));
    REQUIRE(codes(d) == std::vector<std::string>{"no_reply"});
    CHECK(d[0].severity == Severity::critical);
    CHECK(d[0].summary.find("100% packet loss") != std::string::npos);
    CHECK(exit_status_for(d) == ExitStatus::problem);
}

TEST_CASE("only late replies: replies_too_late rather than no_reply") {
    auto r = recorded("tt");
    r.statistics.late = 2;
    auto d = diagnose_ping(r);
    CHECK(codes(d) == std::vector<std::string>{"replies_too_late"});
}

TEST_CASE("ICMP errors: host_unreachable with the router as evidence and matching advice") {
    auto d = diagnose_ping(recorded("uuu"));
    REQUIRE(codes(d) == std::vector<std::string>{"host_unreachable"});
    CHECK(d[0].severity == Severity::critical);
    CHECK(d[0].summary == "3 of 3 probes were answered with \"Destination Host Unreachable\" from 192.168.1.254");
    CHECK(d[0].evidence[0].what == "ICMP error from 192.168.1.254");
    CHECK(d[0].evidence[0].source == "icmp_seq 1-3");
    CHECK(d[0].advice.find("ARP") != std::string::npos);

    auto admin = diagnose_ping(recorded("aaa"));
    CHECK(admin[0].advice.find("firewall") != std::string::npos);

    auto mixed = diagnose_ping(recorded("rur"));
    CHECK(codes(mixed) == std::vector<std::string>{"host_unreachable"});
}

TEST_CASE("time exceeded and local send errors have their own codes") {
    CHECK(codes(diagnose_ping(recorded("xx"))) == std::vector<std::string>{"ttl_exceeded"});
    auto send = diagnose_ping(recorded("ss"));
    REQUIRE(codes(send) == std::vector<std::string>{"send_failed"});
    CHECK(send[0].advice.find("ip route get 192.168.1.1") != std::string::npos);
}

TEST_CASE("duplicates and high latency are reported") {
    auto dup = diagnose_ping(recorded("rrr", {}, 2));
    CHECK(codes(dup) == std::vector<std::string>{"duplicate_replies"});
    auto slow = diagnose_ping(recorded("rrr", {600, 700, 650}));
    CHECK(codes(slow) == std::vector<std::string>{"high_latency"});
    CHECK(exit_status_for(slow) == ExitStatus::problem);
}

TEST_CASE("a slow first reply is noted as address resolution, alongside ok") {
    auto d = diagnose_ping(recorded("rrrr", {950, 0.3, 0.4, 0.3}));
    CHECK(codes(d) == std::vector<std::string>{"ok", "first_probe_slow"});
    CHECK(exit_status_for(d) == ExitStatus::ok);
    auto even = diagnose_ping(recorded("rrrr", {0.5, 0.3, 0.4, 0.3}));
    CHECK(codes(even) == std::vector<std::string>{"ok"});
}

TEST_CASE("an interrupted run that finished no probe says so") {
    PingResult r;
    r.host = "x";
    r.interrupted = true;
    CHECK(codes(diagnose_ping(r)) == std::vector<std::string>{"no_probes_sent"});
}

TEST_CASE("validate_ping_request refuses absurd values with usage errors") {
    PingRequest ok;
    ok.host = "127.0.0.1";
    CHECK(validate_ping_request(ok, false).ok());
    auto bad = [&](auto change, bool privileged = false) {
        PingRequest r = ok;
        change(r);
        auto status = validate_ping_request(r, privileged);
        REQUIRE_FALSE(status.ok());
        CHECK(status.error().kind == ErrorKind::usage);
        return status.error().message;
    };
    CHECK(bad([](PingRequest& r) { r.count = 0; }).find("count") != std::string::npos);
    bad([](PingRequest& r) { r.count = max_ping_count + 1; });
    bad([](PingRequest& r) { r.host.clear(); });
    CHECK(bad([](PingRequest& r) { r.interval = std::chrono::microseconds(1000); }).find("root") !=
          std::string::npos);
    bad([](PingRequest& r) { r.interval = std::chrono::microseconds(-1); }, true);
    bad([](PingRequest& r) { r.timeout = std::chrono::milliseconds(0); });
    bad([](PingRequest& r) { r.timeout = std::chrono::hours(2); });
    bad([](PingRequest& r) { r.payload_size = 65508; });
    bad([](PingRequest& r) { r.ttl = 256; });
    PingRequest fast = ok;
    fast.interval = std::chrono::microseconds(0);
    CHECK(validate_ping_request(fast, true).ok());
    PingRequest biggest = ok;
    biggest.payload_size = max_ping_payload;
    CHECK(validate_ping_request(biggest, false).ok());
}

TEST_CASE("format_ping_ms prints like iputils") {
    CHECK(format_ping_ms(0.045) == "0.045");
    CHECK(format_ping_ms(1.234) == "1.23");
    CHECK(format_ping_ms(12.34) == "12.3");
    CHECK(format_ping_ms(123.4) == "123");
    CHECK(format_ping_ms(2003.6) == "2004");
    CHECK(format_ping_ms(-1.0) == "0.000");
}

TEST_CASE("human summary uses the iputils wording") {
    auto r = recorded("rrt", {0.034, 0.056});
    r.statistics.elapsed_ms = 2003.4;
    r.diagnoses = diagnose_ping(r);
    std::ostringstream out;
    render_ping_summary(out, r, Style(false));
    auto text = out.str();
    CHECK(text.find("--- router.lan ping statistics ---\n") != std::string::npos);
    CHECK(text.find("3 packets transmitted, 2 received, 33.3333% packet loss, time 2003ms\n") != std::string::npos);
    CHECK(text.find("rtt min/avg/max/mdev = 0.034/0.045/0.056/0.011 ms\n") != std::string::npos);
    CHECK(text.find("[warning] packet_loss") != std::string::npos);

    std::ostringstream lines;
    render_ping_start(lines, r, Style(false));
    render_ping_probe(lines, r.probes[0], Style(false));
    render_ping_probe(lines, r.probes[2], Style(false));
    CHECK(lines.str() ==
          "PING router.lan (192.168.1.1) 56(84) bytes of data.\n"
          "64 bytes from 192.168.1.1: icmp_seq=1 ttl=64 time=0.034 ms\n"
          "no answer yet for icmp_seq=3\n");
    std::ostringstream errors;
    render_ping_probe(errors, recorded("u").probes[0], Style(false));
    CHECK(errors.str() == "From 192.168.1.254 icmp_seq=1 Destination Host Unreachable\n");
}

TEST_CASE("the summary shows duplicates and errors only when there are some") {
    auto r = recorded("ru", {1.0}, 1);
    std::ostringstream out;
    render_ping_summary(out, r, Style(false));
    CHECK(out.str().find("2 packets transmitted, 1 received, +1 duplicates, +1 errors, 50% packet loss") !=
          std::string::npos);
}

TEST_CASE("JSON carries the statistics, the probes and the diagnoses") {
    auto r = recorded("trr", {0.5, 0.7});
    r.diagnoses = diagnose_ping(r);
    std::ostringstream out;
    emit_result(r, "ping", OutputOptions{true, true}, render_ping_summary, out);
    auto j = nlohmann::json::parse(out.str());
    CHECK(j["schema_version"] == 1);
    CHECK(j["command"] == "ping");
    CHECK(j["address"] == "192.168.1.1");
    CHECK(j["family"] == "ipv4");
    CHECK(j["statistics"]["transmitted"] == 3);
    CHECK(j["statistics"]["received"] == 2);
    CHECK(j["statistics"]["rtt_avg_ms"].get<double>() == Approx(0.6));
    CHECK(j["statistics"]["loss_percent"].get<double>() == Approx(100.0 / 3.0));
    REQUIRE(j["probes"].size() == 3);
    CHECK(j["probes"][0]["status"] == "timeout");
    CHECK(j["probes"][0]["rtt_ms"].is_null());
    CHECK(j["probes"][1]["status"] == "reply");
    CHECK(j["diagnoses"][0]["code"] == "first_probe_lost");
    CHECK(j["diagnoses"][0]["severity"] == "info");
}

TEST_CASE("interrupted while every probe was still waiting: no_reply as a warning, not 'nothing wrong'") {
    PingResult r;
    r.host = "10.0.0.9";
    r.address = *IpAddress::parse("10.0.0.9");
    r.timeout_ms = 5000;
    r.interrupted = true;
    PingCounters counters;
    counters.cancelled();
    counters.cancelled();
    r.statistics = counters.statistics(700.0);
    auto d = diagnose_ping(r);
    REQUIRE(codes(d) == std::vector<std::string>{"no_reply"});
    CHECK(d[0].severity == Severity::warning);
    CHECK(d[0].summary.find("interrupted") != std::string::npos);
    CHECK(exit_status_for(d) == ExitStatus::problem);
}

TEST_CASE("leading probes held by one ARP resolution: first_probe_lost for 1, 3 and 5 of them, never packet_loss") {
    struct Case {
        std::size_t count;
        double interval;
        double timeout;
        std::size_t held;
        std::size_t timed_out;
    };
    for (const auto& c : {Case{3, 1200, 500, 1, 1}, Case{6, 400, 150, 3, 3}, Case{8, 220, 300, 5, 4},
                          Case{10, 200, 500, 5, 3}}) {
        CAPTURE(c.count, c.interval, c.timeout);
        auto r = held_run(c.count, c.interval, c.timeout, 1004);
        auto held = find_held_probes(r);
        REQUIRE(held);
        CHECK(held->held == c.held);
        CHECK(held->timed_out == c.timed_out);
        CHECK(held->released_after_ms == Approx(1004.08));
        auto d = diagnose_ping(r);
        CHECK(codes(d) == std::vector<std::string>{"first_probe_lost"});
        CHECK(exit_status_for(d) == ExitStatus::ok);
        CHECK(r.statistics.late == c.timed_out);
        const auto& lost = find(d, "first_probe_lost");
        CHECK(lost.confidence == 0.9);
        CHECK(lost.evidence[0].source == (c.held == 1 ? "icmp_seq 1" : "icmp_seq 1-" + std::to_string(c.held)));
        bool retry_named = false;
        bool neighbour_named = false;
        for (const auto& e : lost.evidence) {
            retry_named = retry_named || e.observed.find("1000 ms; the hold lasted 1 retry") != std::string::npos;
            neighbour_named = neighbour_named || e.observed == "before the run: none, after: REACHABLE";
        }
        CHECK(retry_named);
        CHECK(neighbour_named);
    }
}

TEST_CASE("held probes that all made their timeout: ok + first_probe_slow, and no high_latency from them") {
    auto r = held_run(6, 300, 2000, 1004);
    auto d = diagnose_ping(r);
    CHECK(codes(d) == std::vector<std::string>{"ok", "first_probe_slow"});
    CHECK(find(d, "first_probe_slow").summary.find("the first 4 probes") != std::string::npos);
    // The average over all replies is above 500 ms, but the held ones say nothing about the path.
    auto long_hold = held_run(30, 100, 3000, 2500);
    REQUIRE(long_hold.statistics.avg_ms);
    CHECK(*long_hold.statistics.avg_ms > high_latency_ms);
    const auto slow = codes(diagnose_ping(long_hold));
    CHECK(slow == std::vector<std::string>{"ok", "first_probe_slow"});
}

TEST_CASE("not the held pattern: replies not together, loss after the start, too few probes after") {
    // The late replies trickle in 200 ms apart: not one resolution releasing a queue.
    auto spread = held_run(8, 220, 300, 1004, 0.08, 200);
    CHECK_FALSE(find_held_probes(spread));
    CHECK(codes(diagnose_ping(spread)) == std::vector<std::string>{"packet_loss"});
    // A probe after the release lost too: that is loss.
    auto later = held_run(8, 220, 300, 1004);
    later.probes[6].status = EchoStatus::timeout;
    later.probes[6].rtt_ms.reset();
    PingCounters counters;
    for (const auto& p : later.probes) {
        counters.transmitted();
        if (p.status == EchoStatus::reply) counters.reply(*p.rtt_ms);
        if (p.late_reply_ms) counters.late();
    }
    later.statistics = counters.statistics(2000);
    CHECK_FALSE(find_held_probes(later));
    CHECK(codes(diagnose_ping(later)) == std::vector<std::string>{"packet_loss"});
    // Everything sent before the release: nothing after it to show the path is fine.
    CHECK_FALSE(find_held_probes(held_run(4, 200, 500, 1004)));
}

TEST_CASE("send_failed advice names the real reason") {
    auto refused = recorded("ss");
    for (auto& p : refused.probes) {
        p.error_number = EPERM;
        p.detail = "sendto: Operation not permitted";
    }
    refused.output_drop_rules = std::vector<std::string>{"table inet filter chain out: ip daddr 192.168.1.1 drop"};
    auto d = diagnose_ping(refused);
    REQUIRE(codes(d) == std::vector<std::string>{"send_failed"});
    CHECK(d[0].advice.find("ip daddr 192.168.1.1 drop") != std::string::npos);
    CHECK(d[0].evidence.back().source == "nft list ruleset");
    refused.output_drop_rules = std::vector<std::string>{};
    CHECK(diagnose_ping(refused)[0].advice.find("nft lists no output rule") != std::string::npos);
    auto no_route = recorded("ss");
    for (auto& p : no_route.probes) p.error_number = ENETUNREACH;
    CHECK(diagnose_ping(no_route)[0].advice.find("no route to 192.168.1.1") != std::string::npos);
    CHECK(diagnose_ping(no_route)[0].advice.find("firewall") == std::string::npos);
}

TEST_CASE("a broadcast ping lists every host that answered instead of calling them duplicates") {
    auto r = recorded("rr", {}, 2);
    r.broadcast = true;
    r.responders = {{*IpAddress::parse("192.168.1.1"), 2}, {*IpAddress::parse("192.168.1.7"), 2}};
    auto d = diagnose_ping(r);
    CHECK(codes(d) == std::vector<std::string>{"ok", "broadcast_replies"});
    CHECK(find(d, "broadcast_replies").evidence.size() == 2);
    auto silent = recorded("tt");
    silent.broadcast = true;
    auto none = diagnose_ping(silent);
    CHECK(codes(none) == std::vector<std::string>{"no_reply"});
    CHECK(none[0].advice.find("icmp_echo_ignore_broadcasts") != std::string::npos);
}

TEST_CASE("route, neighbour and nft texts are read as the tools print them") {
    auto target = *IpAddress::parse("10.201.2.2");
    auto via = parse_route_get("10.201.2.2 via 10.201.1.2 dev vA src 10.201.1.1 uid 0 \n    cache \n", target);
    REQUIRE(via);
    CHECK(via->first == "vA");
    CHECK(via->second.to_string() == "10.201.1.2");
    auto direct = parse_route_get("10.201.2.2 dev eth0 src 10.201.2.1 uid 0\n", target);
    REQUIRE(direct);
    CHECK(direct->second == target);
    CHECK_FALSE(parse_route_get("", target));
    CHECK_FALSE(parse_route_get("10.201.2.2 dev averyveryverylongname src x\n", target));
    CHECK(parse_neigh_state("10.201.1.2 lladdr 02:00:00:00:00:01 REACHABLE\n") == "REACHABLE");
    CHECK(parse_neigh_state("fe80::1 lladdr 02:00:00:00:00:01 router STALE\n") == "STALE");
    CHECK(parse_neigh_state("10.201.1.2  FAILED\n") == "FAILED");
    CHECK(parse_neigh_state("") == "none");
    const char* ruleset =
        "table inet filter {\n"
        "\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 22 drop\n\t}\n"
        "\tchain output {\n\t\ttype filter hook output priority filter; policy accept;\n"
        "\t\tip daddr 10.0.0.1 icmp type echo-request reject\n\t\tcounter accept\n\t}\n"
        "}\n"
        "table ip strict {\n\tchain out {\n\t\ttype filter hook output priority 0; policy drop;\n\t}\n}\n";
    auto rules = find_output_drop_rules(ruleset);
    REQUIRE(rules.size() == 2);
    CHECK(rules[0] == "table inet filter chain output: ip daddr 10.0.0.1 icmp type echo-request reject");
    CHECK(rules[1] == "table ip strict chain out: policy drop");
    CHECK(find_output_drop_rules("").empty());
}
