// The pure diagnosis: hand-made probe records in, exact codes out - one case per code, the boundaries between
// neighbouring codes, and records no real run produces (nothing sent, odd rcodes) that must not crash or lie.
#include "nettool/dnscheck/diagnose.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace nettool;
using namespace nettool::dnscheck;

namespace {

QueryProbe answered(QueryKind kind, double rtt_ms, int rcode = 0, std::size_t bytes = 60, bool tc = false) {
    QueryProbe q;
    q.kind = kind;
    q.name = kind == QueryKind::large ? "." : "www.test";
    q.type = kind == QueryKind::large ? 48 : 1;
    q.status = QueryStatus::answered;
    q.rcode = rcode;
    q.rtt_ms = rtt_ms;
    q.answer_bytes = bytes;
    q.truncated = tc;
    return q;
}

QueryProbe failed(QueryKind kind, QueryStatus status) {
    QueryProbe q;
    q.kind = kind;
    q.name = kind == QueryKind::large ? "." : "www.test";
    q.type = kind == QueryKind::large ? 48 : 1;
    q.status = status;
    q.waited_ms = 1900;
    return q;
}

// The CHAOS version.bind probe, answered with `rcode`.
QueryProbe local_answer(int rcode) {
    QueryProbe q = answered(QueryKind::local, 0.5, rcode, 70);
    q.name = "version.bind";
    q.type = 16;
    q.klass = 3;
    return q;
}

EchoProbe echo(EchoOutcome status, double rtt = 0.3) {
    EchoProbe e;
    e.status = status;
    e.rtt_ms = rtt;
    return e;
}

// A healthy resolver: 5/5 UDP in 1 ms, TCP, a 3,000-byte large answer, 2/2 pings.
ResolverProbes healthy() {
    ResolverProbes p;
    p.server = DnsServer::parse("10.204.3.2").value();
    p.source = "/etc/resolv.conf";
    for (int i = 0; i < 5; ++i) p.udp.push_back(answered(QueryKind::udp, 1.0 + i * 0.1));
    p.tcp.push_back(answered(QueryKind::tcp, 2.0));
    p.large.push_back(answered(QueryKind::large, 3.0, 0, 3000));
    p.large.push_back(answered(QueryKind::large, 3.0, 0, 3000));
    p.icmp = {echo(EchoOutcome::reply), echo(EchoOutcome::reply)};
    p.local = {local_answer(0)};
    p.large_tcp = {answered(QueryKind::tcp, 3.0, 0, 3000)};
    p.large_tcp[0].connected = true;
    return p;
}

std::vector<std::string> codes(const std::vector<Diagnosis>& diagnoses) {
    std::vector<std::string> out;
    for (const auto& d : diagnoses) out.push_back(d.code);
    return out;
}

const Diagnosis& find(const std::vector<Diagnosis>& diagnoses, const std::string& code) {
    auto it = std::find_if(diagnoses.begin(), diagnoses.end(), [&](const Diagnosis& d) { return d.code == code; });
    REQUIRE(it != diagnoses.end());
    return *it;
}

bool evidence_mentions(const Diagnosis& d, const std::string& text) {
    return std::any_of(d.evidence.begin(), d.evidence.end(), [&](const Evidence& e) {
        return e.what.find(text) != std::string::npos || e.observed.find(text) != std::string::npos ||
               e.source.find(text) != std::string::npos;
    });
}

// Every small UDP query (the user's names and the CHAOS probe) fails the same way, as they do on the wire.
void set_udp(ResolverProbes& p, QueryStatus status) {
    for (auto& q : p.udp) q = failed(QueryKind::udp, status);
    for (auto& q : p.local) {
        q = failed(QueryKind::local, status);
        q.name = "version.bind";
        q.type = 16;
        q.klass = 3;
    }
}

}  // namespace

TEST_CASE("a healthy resolver is exactly ok, info, with evidence and advice") {
    auto d = diagnose_resolver(healthy(), 500);
    REQUIRE(codes(d) == std::vector<std::string>{"ok"});
    CHECK(d[0].severity == Severity::info);
    CHECK(!d[0].advice.empty());
    CHECK(evidence_mentions(d[0], "5 of 5 answered"));
    CHECK(d[0].summary.find("10.204.3.2:53") != std::string::npos);
}

TEST_CASE("udp_blocked: UDP unanswered while ping and TCP work (the field case)") {
    auto p = healthy();
    set_udp(p, QueryStatus::timeout);
    for (auto& q : p.large) q = failed(QueryKind::large, QueryStatus::timeout);
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"udp_blocked"});
    CHECK(d[0].severity == Severity::critical);
    CHECK(d[0].summary.find("answers ping and answers DNS over TCP, but 0 of 5") != std::string::npos);
    CHECK(d[0].advice.find("firewall") != std::string::npos);
    CHECK(d[0].advice.find("NAT/router bug") != std::string::npos);
    CHECK(d[0].advice.find("nettool link") != std::string::npos);
    CHECK(evidence_mentions(d[0], "0 of 5 answered (100% lost)"));
    CHECK(evidence_mentions(d[0], "2 of 2 replies"));
}

TEST_CASE("udp_blocked: only ping works, TCP is dropped too") {
    auto p = healthy();
    set_udp(p, QueryStatus::timeout);
    p.tcp = {failed(QueryKind::tcp, QueryStatus::timeout)};
    p.large = {failed(QueryKind::large, QueryStatus::timeout)};
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"udp_blocked"});
    CHECK(d[0].summary.find("TCP got no answer either") != std::string::npos);
}

TEST_CASE("udp_blocked: TCP works and ping could not be tested") {
    auto p = healthy();
    set_udp(p, QueryStatus::timeout);
    p.large = {failed(QueryKind::large, QueryStatus::timeout)};
    p.icmp.clear();
    p.icmp_unavailable = "ICMP needs CAP_NET_RAW";
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"udp_blocked"});
    CHECK(evidence_mentions(d[0], "not tested: ICMP needs CAP_NET_RAW"));
}

TEST_CASE("server_unreachable: no ping reply and no DNS answer at all") {
    auto p = healthy();
    set_udp(p, QueryStatus::timeout);
    p.tcp = {failed(QueryKind::tcp, QueryStatus::timeout)};
    p.large = {failed(QueryKind::large, QueryStatus::timeout), failed(QueryKind::large, QueryStatus::timeout)};
    p.icmp = {echo(EchoOutcome::timeout), echo(EchoOutcome::timeout)};
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"server_unreachable"});
    CHECK(d[0].severity == Severity::critical);
    CHECK(!d[0].confidence.has_value());

    SECTION("without ICMP the finding is a judgement") {
        p.icmp.clear();
        p.icmp_unavailable = "no permission";
        auto d2 = diagnose_resolver(p, 500);
        REQUIRE(codes(d2) == std::vector<std::string>{"server_unreachable"});
        REQUIRE(d2[0].confidence.has_value());
        CHECK(*d2[0].confidence < 1.0);
    }
    SECTION("network errors (no route) count as no answer") {
        set_udp(p, QueryStatus::network_error);
        p.icmp = {echo(EchoOutcome::unreachable)};
        auto d3 = diagnose_resolver(p, 500);
        CHECK(codes(d3) == std::vector<std::string>{"server_unreachable"});
    }
}

TEST_CASE("port_closed: ICMP port unreachable and TCP RST") {
    auto p = healthy();
    set_udp(p, QueryStatus::connection_refused);
    p.tcp = {failed(QueryKind::tcp, QueryStatus::connection_refused)};
    p.large = {failed(QueryKind::large, QueryStatus::connection_refused)};
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"port_closed"});
    CHECK(d[0].summary.find("8 queries refused") != std::string::npos);
    CHECK(evidence_mentions(d[0], "5 port unreachable"));

    SECTION("even when the host does not answer ping, a refusal proves it is up") {
        p.icmp = {echo(EchoOutcome::timeout)};
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"port_closed"});
    }
    SECTION("UDP refused while TCP answers: nothing listens on UDP") {
        p.tcp = {answered(QueryKind::tcp, 1.0)};
        auto d2 = diagnose_resolver(p, 500);
        REQUIRE(codes(d2) == std::vector<std::string>{"port_closed"});
        CHECK(d2[0].summary.find("over UDP") != std::string::npos);
    }
}

TEST_CASE("tcp_blocked: UDP fine, TCP times out or is reset") {
    auto p = healthy();
    p.tcp = {failed(QueryKind::tcp, QueryStatus::timeout)};
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"tcp_blocked"});
    CHECK(d[0].severity == Severity::warning);
    CHECK(d[0].summary.find("DNSSEC") != std::string::npos);
    CHECK(evidence_mentions(d[0], "no answer to 1 query (waited up to 1900 ms)"));

    p.tcp = {failed(QueryKind::tcp, QueryStatus::connection_refused)};
    CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"tcp_blocked"});
}

TEST_CASE("large_response_dropped: small answers arrive, the large one never does") {
    auto p = healthy();
    p.large = {failed(QueryKind::large, QueryStatus::timeout), failed(QueryKind::large, QueryStatus::timeout)};
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"large_response_dropped"});
    CHECK(d[0].advice.find("fragments") != std::string::npos);

    SECTION("one of two large answers arriving is not a drop") {
        p.large[1] = answered(QueryKind::large, 4.0, 0, 3000);
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"ok"});
    }
    SECTION("a truncated large answer (TC) is the server's choice, not a drop") {
        p.large = {answered(QueryKind::large, 1.0, 0, 500, true)};
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"ok"});
    }
    SECTION("while small queries are lost too, a lost large answer is loss, not a fragment filter") {
        p.udp[0] = failed(QueryKind::udp, QueryStatus::timeout);
        auto d2 = diagnose_resolver(p, 500);
        REQUIRE(codes(d2) == std::vector<std::string>{"packet_loss"});
        CHECK(evidence_mentions(d2[0], "large answer probe"));
    }
}

TEST_CASE("packet_loss: some UDP queries unanswered, with the percentage") {
    auto p = healthy();
    p.udp[1] = failed(QueryKind::udp, QueryStatus::timeout);
    p.udp[3] = failed(QueryKind::udp, QueryStatus::timeout);
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"packet_loss"});
    CHECK(d[0].severity == Severity::warning);
    CHECK(d[0].summary.find("40%") != std::string::npos);
    CHECK(d[0].summary.find("2 of 5") != std::string::npos);

    SECTION("losing half or more is critical") {
        p.udp[0] = failed(QueryKind::udp, QueryStatus::timeout);
        auto d2 = diagnose_resolver(p, 500);
        REQUIRE(codes(d2) == std::vector<std::string>{"packet_loss"});
        CHECK(d2[0].severity == Severity::critical);
        CHECK(d2[0].summary.find("60%") != std::string::npos);
    }
    SECTION("queries the deadline stopped before sending are not counted as lost") {
        p.udp[1] = QueryProbe{};
        p.udp[3] = QueryProbe{};
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"ok"});
    }
}

TEST_CASE("high_latency: median UDP RTT over the threshold") {
    auto p = healthy();
    for (auto& q : p.udp) q.rtt_ms = 700;
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"high_latency"});
    CHECK(d[0].summary.find("700 ms") != std::string::npos);
    CHECK(find(d, "high_latency").evidence[0].expected == "<= 500 ms");

    SECTION("one slow answer does not move the median") {
        auto q = healthy();
        q.udp[0].rtt_ms = 1500;
        CHECK(codes(diagnose_resolver(q, 500)) == std::vector<std::string>{"ok"});
    }
    SECTION("exactly at the threshold is fine") {
        for (auto& q : p.udp) q.rtt_ms = 500;
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"ok"});
    }
    SECTION("loss and latency together give both codes") {
        p.udp[4] = failed(QueryKind::udp, QueryStatus::timeout);
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"packet_loss", "high_latency"});
    }
}

TEST_CASE("servfail and refused from the response codes") {
    auto p = healthy();
    for (auto& q : p.udp) q.rcode = 2;
    p.tcp[0].rcode = 2;
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"servfail"});
    CHECK(d[0].severity == Severity::critical);
    CHECK(evidence_mentions(d[0], "6 SERVFAIL"));

    for (auto& q : p.udp) q.rcode = 5;
    p.tcp[0].rcode = 5;
    auto r = diagnose_resolver(p, 500);
    REQUIRE(codes(r) == std::vector<std::string>{"refused"});
    CHECK(r[0].severity == Severity::critical);
    CHECK(r[0].advice.find("ACL") != std::string::npos);

    SECTION("some SERVFAIL among good answers is a warning") {
        auto q = healthy();
        q.udp[2].rcode = 2;
        auto w = diagnose_resolver(q, 500);
        REQUIRE(codes(w) == std::vector<std::string>{"servfail"});
        CHECK(w[0].severity == Severity::warning);
    }
    SECTION("NXDOMAIN is a working answer") {
        auto q = healthy();
        for (auto& u : q.udp) u.rcode = 3;
        CHECK(codes(diagnose_resolver(q, 500)) == std::vector<std::string>{"ok"});
    }
    SECTION("the large probe's rcode does not count (it asks another name)") {
        auto q = healthy();
        for (auto& l : q.large) l.rcode = 5;
        CHECK(codes(diagnose_resolver(q, 500)) == std::vector<std::string>{"ok"});
    }
}

TEST_CASE("odd records never crash and never claim ok without answers") {
    ResolverProbes empty;
    empty.server = DnsServer::parse("192.0.2.1").value();
    auto d = diagnose_resolver(empty, 500);
    REQUIRE(d.size() == 1);
    CHECK(d[0].code == "server_unreachable");  // nothing was answered: never "ok"

    auto p = healthy();
    for (auto& q : p.udp) q.rcode = 200;  // an rcode no table knows
    auto odd = diagnose_resolver(p, 500);
    CHECK(codes(odd) == std::vector<std::string>{"ok"});
    CHECK(evidence_mentions(odd[0], "RCODE200"));

    auto bad = healthy();
    set_udp(bad, QueryStatus::bad_response);
    auto b = diagnose_resolver(bad, 500);
    // The server talks (TCP, large) but its small UDP answers do not parse: malformed, never "dropped".
    CHECK(codes(b) == std::vector<std::string>{"malformed_answer"});
    CHECK(b[0].severity == Severity::warning);
}

TEST_CASE("a small large-answer is inconclusive, never ok") {
    auto p = healthy();
    p.large = {answered(QueryKind::large, 1.0, 0, 300)};
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"ok"});
    CHECK(evidence_mentions(d[0], "inconclusive"));
    CHECK(d[0].summary.find("large answers arrive") == std::string::npos);
    CHECK(d[0].summary.find("large answers not tested (largest 300 bytes)") != std::string::npos);
    const LargeCheck c = assess_large(p);
    CHECK(c.status == LargeStatus::inconclusive);
    CHECK(c.largest_bytes == 300);
    CHECK(std::string(to_string(c.status)) == "inconclusive");
}

TEST_CASE("summaries: counts, median and loss") {
    auto p = healthy();
    p.udp[0] = failed(QueryKind::udp, QueryStatus::timeout);
    p.udp.push_back(QueryProbe{});  // not sent
    QuerySummary s = summarize(p.udp);
    CHECK(s.sent == 5);
    CHECK(s.answered == 4);
    CHECK(s.timeouts == 1);
    CHECK(s.loss_fraction() == Approx(0.2));
    REQUIRE(s.median_rtt_ms.has_value());
    CHECK(*s.median_rtt_ms == Approx(1.25));
    CHECK(*s.min_rtt_ms == Approx(1.1));
    CHECK(*s.max_rtt_ms == Approx(1.4));
    CHECK(summarize({}).loss_fraction() == 0.0);
    CHECK(!median({}).has_value());
    CHECK(*median({3.0, 1.0, 2.0}) == 2.0);
    CHECK(describe_udp(p.udp) == "4 of 5 answered (20% lost), median RTT 1.25 ms; rcodes: 4 NOERROR");
    CHECK(describe_single(p.tcp) == "NOERROR, 60 bytes in 2.00 ms");
    CHECK(describe_single({}) == "not sent before the deadline");
    CHECK(describe_echoes({}, "") == "not tested: no echo sent");
}

// ---- the overall verdict ------------------------------------------------------------------------------------

namespace {

DnsCheckResult result_with(std::vector<ResolverProbes> probes) {
    DnsCheckResult r;
    r.names = {"www.test"};
    r.timeout_ms = 2000;
    r.resolver_files = {"/etc/resolv.conf"};
    for (auto& p : probes) {
        ResolverReport report;
        report.probes = p;
        report.diagnoses = diagnose_resolver(report.probes, 500);
        r.servers.push_back(std::move(report));
    }
    r.system.name = "www.test";
    return r;
}

ResolverProbes udp_dropped() {
    auto p = healthy();
    set_udp(p, QueryStatus::timeout);
    p.large = {failed(QueryKind::large, QueryStatus::timeout)};
    return p;
}

void reach_ok(DnsCheckResult& r) {
    r.reach.attempted = true;
    r.reach.target = *IpAddress::parse("10.204.1.1");
    r.reach.target_source = "--reach";
    r.reach.echoes = {echo(EchoOutcome::reply)};
}

}  // namespace

TEST_CASE("verdict: everything works -> ok, exit 0") {
    auto r = result_with({healthy()});
    r.system.status = LookupStatus::resolved;
    r.system.addresses = {"10.204.9.9"};
    reach_ok(r);
    diagnose_overall(r);
    CHECK(r.verdict.status == "ok");
    CHECK(r.verdict.most_likely_fault == "ok");
    CHECK(r.verdict.applications_can_resolve == true);
    CHECK(r.verdict.working_resolvers == std::vector<std::string>{"10.204.3.2:53"});
    REQUIRE(codes(r.diagnoses) == std::vector<std::string>{"ok"});
    CHECK(dnscheck_exit_status(r) == ExitStatus::ok);
}

TEST_CASE("verdict: the field case - IP works, names do not, UDP blocked") {
    auto second = udp_dropped();
    second.server = DnsServer::parse("10.204.4.2").value();
    auto r = result_with({udp_dropped(), second});
    r.system.status = LookupStatus::no_answer;
    reach_ok(r);
    diagnose_overall(r);
    CHECK(r.verdict.status == "failing");
    CHECK(r.verdict.most_likely_fault == "udp_blocked");
    CHECK(r.verdict.applications_can_resolve == false);
    CHECK(r.verdict.working_resolvers.empty());
    CHECK(r.verdict.summary.find("0 of 2 resolvers work") != std::string::npos);
    REQUIRE(codes(r.diagnoses) == std::vector<std::string>{"ip_works_names_fail"});
    CHECK(dnscheck_exit_status(r) == ExitStatus::problem);
}

TEST_CASE("verdict: one resolver works, getaddrinfo stalls on the dead first one") {
    auto dead = udp_dropped();
    auto good = healthy();
    good.server = DnsServer::parse("10.204.4.2").value();
    auto r = result_with({dead, good});
    r.system.status = LookupStatus::no_answer;
    diagnose_overall(r);
    // Both from /etc/resolv.conf: getaddrinfo waits the stub timeout on the first, then asks the second.
    CHECK(r.verdict.status == "degraded");
    CHECK(r.verdict.working_resolvers == std::vector<std::string>{"10.204.4.2:53"});
    REQUIRE(codes(r.diagnoses) == std::vector<std::string>{"resolver_failover_delay"});
    CHECK(r.verdict.failover_wait_s == 5);
    CHECK(r.verdict.summary.find("only after the stub resolver's 5 s timeout on the dead first resolver 10.204.3.2") !=
          std::string::npos);

    SECTION("resolv.conf options timeout:2 shortens the wait") {
        r.stub_timeout_s = 2;
        diagnose_overall(r);
        CHECK(r.verdict.failover_wait_s == 2);
        CHECK(r.diagnoses[0].summary.find("wait of 2 s") != std::string::npos);
    }
    SECTION("servers given with --server are not the system's order: getaddrinfo's failure stands") {
        for (auto& s : r.servers) s.probes.source = "--server";
        diagnose_overall(r);
        CHECK(r.verdict.status == "failing");
        CHECK(codes(r.diagnoses) == std::vector<std::string>{"system_resolver_failed"});
    }

    SECTION("when getaddrinfo gets its answer the verdict is degraded") {
        r.system.status = LookupStatus::resolved;
        diagnose_overall(r);
        CHECK(r.verdict.status == "degraded");
        CHECK(r.diagnoses.empty());
        CHECK(dnscheck_exit_status(r) == ExitStatus::problem);
    }
}

TEST_CASE("verdict: no resolver -> no_resolver, exit 3") {
    auto r = result_with({});
    diagnose_overall(r);
    REQUIRE(codes(r.diagnoses) == std::vector<std::string>{"no_resolver"});
    CHECK(r.diagnoses[0].summary.find("/etc/resolv.conf") != std::string::npos);
    CHECK(r.verdict.status == "failing");
    CHECK(dnscheck_exit_status(r) == ExitStatus::cannot_run);
}

TEST_CASE("verdict: the reach target does not answer either") {
    auto r = result_with({healthy()});
    r.system.status = LookupStatus::no_such_name;
    r.reach.attempted = true;
    r.reach.target = *IpAddress::parse("10.204.1.1");
    r.reach.target_source = "--reach";
    r.reach.echoes = {echo(EchoOutcome::timeout), echo(EchoOutcome::timeout)};
    diagnose_overall(r);
    CHECK(codes(r.diagnoses) == std::vector<std::string>{"reach_failed"});
    // A name the user chose may not exist: that says nothing about resolution in general.
    CHECK(!r.verdict.applications_can_resolve.has_value());
    CHECK(r.verdict.summary.find("www.test does not exist") != std::string::npos);
    CHECK(r.verdict.summary.find("can resolve") == std::string::npos);
    CHECK(r.verdict.status == "degraded");
}

// ---- issue 10: the causes real resolvers showed wrongly ----------------------------------------------------

TEST_CASE("refused: a REFUSED without a question section (unbound's access-control refuse) is refused") {
    auto p = healthy();
    for (auto* group : {&p.udp, &p.tcp, &p.large, &p.local}) {
        for (auto& q : *group) {
            q.rcode = 5;
            q.question_missing = true;
        }
    }
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"refused"});
    CHECK(d[0].severity == Severity::critical);
    CHECK(evidence_mentions(d[0], "without a question section"));
}

TEST_CASE("upstream_failure: CHAOS answered, recursive queries silent, TCP connects and waits") {
    auto p = healthy();
    for (auto& q : p.udp) q = failed(QueryKind::udp, QueryStatus::timeout);
    for (auto& q : p.large) q = failed(QueryKind::large, QueryStatus::timeout);
    p.tcp = {failed(QueryKind::tcp, QueryStatus::timeout)};
    p.tcp[0].connected = true;
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"upstream_failure"});
    CHECK(d[0].severity == Severity::critical);
    CHECK(d[0].summary.find("TCP connects, then waits") != std::string::npos);
    CHECK(d[0].advice.find("upstream") != std::string::npos);
    CHECK(d[0].advice.find("duplex") == std::string::npos);
    CHECK(evidence_mentions(d[0], "CHAOS"));

    SECTION("SERVFAIL for every query for names known to exist is the same finding") {
        for (auto& q : p.udp) {
            q = answered(QueryKind::udp, 1.0, 2);
            q.name = "example.com";
        }
        p.tcp = {answered(QueryKind::tcp, 1.0, 2)};
        p.tcp[0].name = "wikipedia.org";
        for (auto& q : p.large) q = answered(QueryKind::large, 1.0, 2);
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"upstream_failure"});
    }
    SECTION("SERVFAIL for every query for a name the user chose may be that domain's: servfail") {
        for (auto& q : p.udp) q = answered(QueryKind::udp, 1.0, 2);
        p.tcp = {answered(QueryKind::tcp, 1.0, 2)};
        for (auto& q : p.large) q = answered(QueryKind::large, 1.0, 2);
        auto d = diagnose_resolver(p, 500);
        REQUIRE(codes(d) == std::vector<std::string>{"servfail"});
        CHECK(d[0].severity == Severity::critical);
    }
    SECTION("without the CHAOS answer, silence on UDP is still udp_blocked") {
        set_udp(p, QueryStatus::timeout);
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"udp_blocked"});
    }
    SECTION("a server that SERVFAILs everything, CHAOS too, is servfail") {
        for (auto& q : p.udp) q = answered(QueryKind::udp, 1.0, 2);
        p.tcp = {answered(QueryKind::tcp, 1.0, 2)};
        p.local = {local_answer(2)};
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"servfail"});
    }
}

TEST_CASE("servfail for some names only is a warning about those names") {
    auto p = healthy();
    p.udp[1] = answered(QueryKind::udp, 1.0, 2);
    p.udp[3] = answered(QueryKind::udp, 1.0, 2);
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"servfail"});
    CHECK(d[0].severity == Severity::warning);
    CHECK(d[0].summary.find("some names") != std::string::npos);
}

TEST_CASE("malformed_answer: every answer broken, with the parse error and the size") {
    auto p = healthy();
    for (auto* group : {&p.udp, &p.tcp, &p.large, &p.local}) {
        for (auto& q : *group) {
            q.status = QueryStatus::bad_response;
            q.detail = "answer record 1 at offset 29: compression loop at offset 29";
            q.answer_bytes = 31;
        }
    }
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"malformed_answer"});
    CHECK(d[0].severity == Severity::critical);
    CHECK(evidence_mentions(d[0], "compression loop at offset 29 (31 bytes)"));
    CHECK(describe_single(p.tcp).find("malformed answer (1 query, 31 bytes)") != std::string::npos);
}

TEST_CASE("nxdomain_for_known_names: the default names do not exist at this resolver") {
    auto p = healthy();
    for (auto* group : {&p.udp, &p.tcp}) {
        for (std::size_t i = 0; i < group->size(); ++i) {
            (*group)[i].name = default_names()[i % default_names().size()];
            (*group)[i].rcode = 3;
        }
    }
    auto d = diagnose_resolver(p, 500);
    REQUIRE(codes(d) == std::vector<std::string>{"nxdomain_for_known_names"});
    CHECK(d[0].severity == Severity::critical);

    SECTION("a name the user chose may not exist: ok") {
        for (auto& q : p.udp) q.name = "nosuch.test";
        p.tcp[0].name = "nosuch.test";
        CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"ok"});
    }
    SECTION("the verdict follows: getaddrinfo's NXDOMAIN for example.com is no 'can resolve'") {
        auto r = result_with({p});
        r.names_are_defaults = true;
        r.names = default_names();
        r.system.name = "example.com";
        r.system.status = LookupStatus::no_such_name;
        diagnose_overall(r);
        CHECK(r.verdict.status == "failing");
        CHECK(r.verdict.applications_can_resolve == false);
        CHECK(r.verdict.summary.find("applications get NXDOMAIN (no such name) for example.com") != std::string::npos);
        CHECK(r.verdict.most_likely_fault == "nxdomain_for_known_names");
    }
}

TEST_CASE("large check: several types, the largest answer counts; a lost large query is never hidden") {
    auto p = healthy();
    QueryProbe txt = answered(QueryKind::large, 2.0, 0, 4410);
    txt.name = "large.test";
    txt.type = 16;
    QueryProbe dnskey = answered(QueryKind::large, 2.0, 0, 98);
    dnskey.name = "large.test";
    p.large = {txt, dnskey};
    CHECK(assess_large(p).status == LargeStatus::ok);
    CHECK(assess_large(p).detail.find("TXT answer of 4410 bytes") != std::string::npos);

    p.large[0] = failed(QueryKind::large, QueryStatus::timeout);
    p.large[0].type = 16;
    CHECK(assess_large(p).status == LargeStatus::dropped);
    CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"large_response_dropped"});

    p.large = {dnskey};
    p.large[0].truncated = true;
    const LargeCheck c = assess_large(p);
    CHECK(c.status == LargeStatus::inconclusive);
    CHECK(c.detail.find("truncates (TC) at 98 bytes") != std::string::npos);
}

TEST_CASE("verdict: no resolver configured never says applications can resolve") {
    auto r = result_with({});
    r.system.status = LookupStatus::resolved;
    r.system.addresses = {"127.0.1.1"};
    diagnose_overall(r);
    CHECK(!r.verdict.applications_can_resolve.has_value());
    CHECK(r.verdict.summary.find("applications can resolve") == std::string::npos);
    CHECK(r.verdict.summary.find("not from a resolver") != std::string::npos);
}

TEST_CASE("large check: nothing over UDP and nothing over TCP either is the resolver's, not the path's") {
    auto p = healthy();
    for (auto& q : p.large) q = failed(QueryKind::large, QueryStatus::timeout);
    p.large_tcp[0] = failed(QueryKind::tcp, QueryStatus::timeout);
    p.large_tcp[0].connected = true;
    CHECK(assess_large(p).status == LargeStatus::not_tested);
    CHECK(codes(diagnose_resolver(p, 500)) == std::vector<std::string>{"ok"});

    SECTION("TCP brings it: the path drops large UDP answers") {
        p.large_tcp[0] = answered(QueryKind::tcp, 3.0, 0, 3000);
        CHECK(assess_large(p).status == LargeStatus::dropped);
        CHECK(assess_large(p).detail.find("over TCP the same query got 3000 bytes") != std::string::npos);
    }
}
