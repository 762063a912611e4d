// check_host() over table-driven fake DNS: results, limits, void lookups, explanations, and that the concurrent
// driver needs about one round trip per tree level while giving the sequential answer.
#include "nettool/spf/check_host.hpp"
#include "nettool/spf/dns_client_resolver.hpp"
#include "nettool/wire/dns_message.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::spf;

namespace {

CheckResult evaluate(TableResolver& dns, const char* ip, const char* sender, const char* helo = "mail.example.com",
                     DriverStats* stats = nullptr) {
    CheckRequest request;
    request.ip = *IpAddress::parse(ip);
    request.sender = sender;
    request.helo = helo;
    std::function<CheckResult(DnsView&)> compute = [&](DnsView& view) { return check_host(view, request); };
    auto result = run_with_dns(dns, compute, check_host_prefetcher(request), stats);
    REQUIRE(result.ok());
    return *result;
}

}  // namespace

TEST_CASE("the seed's domain: the relay listed passes, others softfail") {
    TableResolver dns;
    dns.txt("nin29.com", {"v=spf1 +ip4:202.224.39.0/24 ~all"});
    auto pass = evaluate(dns, "202.224.39.10", "xxx@nin29.com");
    CHECK(pass.result == SpfResult::pass);
    CHECK(pass.mechanism == "+ip4:202.224.39.0/24");
    CHECK(pass.lookups == 0);
    auto soft = evaluate(dns, "192.0.2.1", "xxx@nin29.com");
    CHECK(soft.result == SpfResult::softfail);
    CHECK(soft.mechanism == "~all");
}

TEST_CASE("include: pass inside matches, the path shows the way, ?all otherwise") {
    TableResolver dns;
    dns.txt("asahi-net.or.jp", {"v=spf1 include:spf-01.asahi-net.or.jp ?all"});
    dns.txt("spf-01.asahi-net.or.jp", {"v=spf1 ip4:202.224.32.0/20 -all"});
    auto r = evaluate(dns, "202.224.39.5", "user@asahi-net.or.jp");
    CHECK(r.result == SpfResult::pass);
    CHECK(r.mechanism == "include:spf-01.asahi-net.or.jp");
    REQUIRE(r.path.size() == 2);
    CHECK(r.path[1].domain == "spf-01.asahi-net.or.jp");
    CHECK(r.path[1].term == "ip4:202.224.32.0/20");
    CHECK(r.lookups == 1);
    auto n = evaluate(dns, "198.51.100.1", "user@asahi-net.or.jp");
    CHECK(n.result == SpfResult::neutral);
    CHECK(n.mechanism == "?all");
}

TEST_CASE("none, temperror and permerror conditions") {
    TableResolver dns;
    dns.txt("plain.example", {"hello world"});
    dns.status("down.example", dns_type::txt, LookupStatus::timeout);
    dns.status("broken.example", dns_type::txt, LookupStatus::error);
    dns.txt("two.example", {"v=spf1 -all", "v=spf1 +all"});
    dns.txt("syntax.example", {"v=spf1 ip4:1.2.3.4 -all moo"});
    dns.txt("inc-none.example", {"v=spf1 include:plain.example -all"});
    dns.txt("inc-temp.example", {"v=spf1 include:down.example -all"});
    CHECK(evaluate(dns, "1.2.3.4", "a@plain.example").result == SpfResult::none);
    CHECK(evaluate(dns, "1.2.3.4", "a@missing.example").result == SpfResult::none);
    CHECK(evaluate(dns, "1.2.3.4", "a@down.example").result == SpfResult::temperror);
    CHECK(evaluate(dns, "1.2.3.4", "a@broken.example").result == SpfResult::temperror);
    CHECK(evaluate(dns, "1.2.3.4", "a@two.example").result == SpfResult::permerror);
    auto syntax = evaluate(dns, "1.2.3.4", "a@syntax.example");
    CHECK(syntax.result == SpfResult::permerror);
    CHECK(syntax.reason.find("column 25") != std::string::npos);
    CHECK(evaluate(dns, "1.2.3.4", "a@inc-none.example").result == SpfResult::permerror);
    CHECK(evaluate(dns, "1.2.3.4", "a@inc-temp.example").result == SpfResult::temperror);
    CHECK(evaluate(dns, "1.2.3.4", "a@[1.2.3.4]").result == SpfResult::none);
    CHECK(evaluate(dns, "1.2.3.4", "", "singlelabel").result == SpfResult::none);
}

TEST_CASE("the 10-lookup limit: 10 passes, 11 is permerror, loops end in permerror") {
    TableResolver dns;
    std::string ten = "v=spf1";
    for (int i = 0; i < 9; ++i) ten += " a:host" + std::to_string(i) + ".example.com";
    dns.txt("ten.example.com", {ten + " a:ok.example.com -all"});
    dns.txt("eleven.example.com", {ten + " a:host9.example.com a:ok.example.com -all"});
    for (int i = 0; i < 10; ++i) dns.address("host" + std::to_string(i) + ".example.com", "10.0.0.1");
    dns.address("ok.example.com", "192.0.2.1");
    auto at = evaluate(dns, "192.0.2.1", "a@ten.example.com");
    CHECK(at.result == SpfResult::pass);
    CHECK(at.lookups == 10);
    auto over = evaluate(dns, "192.0.2.1", "a@eleven.example.com");
    CHECK(over.result == SpfResult::permerror);
    CHECK(over.reason.find("more than 10 DNS lookups") != std::string::npos);

    dns.txt("loop1.example.com", {"v=spf1 include:loop2.example.com -all"});
    dns.txt("loop2.example.com", {"v=spf1 include:loop1.example.com -all"});
    CHECK(evaluate(dns, "192.0.2.1", "a@loop1.example.com").result == SpfResult::permerror);
    dns.txt("self.example.com", {"v=spf1 redirect=self.example.com"});
    CHECK(evaluate(dns, "192.0.2.1", "a@self.example.com").result == SpfResult::permerror);
}

TEST_CASE("void lookups: two are allowed, the third is permerror") {
    TableResolver dns;
    dns.txt("v2.example.com", {"v=spf1 a:err1.example.com a:err2.example.com ?all"});
    dns.txt("v3.example.com", {"v=spf1 a:err1.example.com a:err2.example.com a:err3.example.com ?all"});
    auto two = evaluate(dns, "1.2.3.4", "a@v2.example.com");
    CHECK(two.result == SpfResult::neutral);
    CHECK(two.void_lookups == 2);
    auto three = evaluate(dns, "1.2.3.4", "a@v3.example.com");
    CHECK(three.result == SpfResult::permerror);
    CHECK(three.reason.find("void") != std::string::npos);
}

TEST_CASE("mx over 10 names is permerror; ptr looks at 10 names; exists and IPv6") {
    TableResolver dns;
    std::vector<std::string> eleven;
    for (int i = 0; i < 11; ++i) eleven.push_back("mx" + std::to_string(i) + ".example.com");
    dns.mx("mx.example.com", eleven);
    dns.txt("mx.example.com", {"v=spf1 mx -all"});
    CHECK(evaluate(dns, "1.2.3.4", "a@mx.example.com").result == SpfResult::permerror);

    dns.txt("v6.example.com", {"v=spf1 ip6:2001:db8::/32 a//64 -all"});
    dns.address("v6.example.com", "2001:db8:1:2::1");
    CHECK(evaluate(dns, "2001:db8:ffff::1", "a@v6.example.com").result == SpfResult::pass);
    CHECK(evaluate(dns, "2001:db9:1:2::99", "a@v6.example.com").result == SpfResult::fail);
    CHECK(evaluate(dns, "::ffff:192.0.2.1", "a@v6.example.com").result == SpfResult::fail);

    dns.txt("ex.example.com", {"v=spf1 exists:%{ir}.%{v}.bl.example.com -all"});
    dns.address("1.2.0.192.in-addr.bl.example.com", "127.0.0.2");
    CHECK(evaluate(dns, "192.0.2.1", "a@ex.example.com").result == SpfResult::pass);
    CHECK(evaluate(dns, "192.0.2.9", "a@ex.example.com").result == SpfResult::fail);

    dns.txt("ptr.example.com", {"v=spf1 ptr -all"});
    dns.ptr("4.3.2.1.in-addr.arpa", {"other.example.net", "host.ptr.example.com"});
    dns.address("host.ptr.example.com", "1.2.3.4");
    dns.address("other.example.net", "1.2.3.4");
    CHECK(evaluate(dns, "1.2.3.4", "a@ptr.example.com").result == SpfResult::pass);
}

TEST_CASE("exp= is expanded for fail; redirect replaces it; include ignores it") {
    TableResolver dns;
    dns.txt("e.example.com", {"v=spf1 -all exp=why.example.com"});
    dns.txt("why.example.com", {"%{i} is not one of %{d}'s designated mail servers."});
    auto r = evaluate(dns, "192.0.2.7", "user@e.example.com");
    CHECK(r.result == SpfResult::fail);
    REQUIRE(r.explanation);
    CHECK(*r.explanation == "192.0.2.7 is not one of e.example.com's designated mail servers.");
    CHECK_FALSE(r.default_explanation.empty());

    dns.txt("r.example.com", {"v=spf1 exp=why.example.com redirect=plain-fail.example.com"});
    dns.txt("plain-fail.example.com", {"v=spf1 -all"});
    auto red = evaluate(dns, "192.0.2.7", "user@r.example.com");
    CHECK(red.result == SpfResult::fail);
    CHECK_FALSE(red.explanation);

    dns.txt("two-exp.example.com", {"v=spf1 -all exp=two.example.com"});
    dns.txt("two.example.com", {"one", "two"});
    CHECK_FALSE(evaluate(dns, "192.0.2.7", "user@two-exp.example.com").explanation);
}

TEST_CASE("the concurrent driver costs one round per level of a depth-3 tree with 8 includes") {
    TableResolver dns;
    dns.txt("top.example", {"v=spf1 include:a.example include:b.example -all"});
    dns.txt("a.example", {"v=spf1 include:a1.example include:a2.example include:a3.example -all"});
    dns.txt("b.example", {"v=spf1 include:b1.example include:b2.example include:b3.example -all"});
    for (const char* leaf : {"a1", "a2", "a3", "b1", "b2"}) {
        dns.txt(std::string(leaf) + ".example", {"v=spf1 ip4:10.0.0.0/8 -all"});
    }
    dns.txt("b3.example", {"v=spf1 ip4:192.0.2.0/24 -all"});
    DriverStats stats;
    auto r = evaluate(dns, "192.0.2.1", "a@top.example", "mail.example.com", &stats);
    CHECK(r.result == SpfResult::pass);
    CHECK(r.lookups == 8);
    REQUIRE(r.path.size() == 3);
    CHECK(r.path[2].domain == "b3.example");
    // Sequentially 9 TXT lookups, one after another. Here: top, then {a,b}, then the six leaves.
    CHECK(dns.rounds() == 3);
    CHECK(stats.queries_sent == 9);
}

TEST_CASE("first match wins even when a later term's lookup fails") {
    TableResolver dns;
    dns.txt("fm.example", {"v=spf1 ip4:192.0.2.0/24 a:slow.example -all"});
    dns.status("slow.example", dns_type::a, LookupStatus::timeout);
    CHECK(evaluate(dns, "192.0.2.1", "a@fm.example").result == SpfResult::pass);
    CHECK(evaluate(dns, "198.51.100.1", "a@fm.example").result == SpfResult::temperror);
}

TEST_CASE("DnsClient answers map to the SPF view, also for names with escaped bytes and CNAME chains") {
    DnsResult result;
    result.outcome = DnsOutcome::nodata;  // what a presentation-form owner comparison reports for such names
    result.name = "macro%percent  space%20url-space.example.com";
    result.type = dns_type::a;
    DnsMessage message;
    DnsRecord cname;
    cname.name = "macro%percent\\032\\032space%20url-space.example.com";
    cname.type = dns_type::cname;
    cname.target = "Target.Example.com.";
    DnsRecord a;
    a.name = "target.example.com";
    a.type = dns_type::a;
    a.address = IpAddress::parse("1.2.3.4");
    message.answers = {cname, a};
    result.message = message;
    LookupAnswer answer = to_lookup_answer(result, dns_type::a);
    REQUIRE(answer.status == LookupStatus::records);
    REQUIRE(answer.addresses.size() == 1);
    CHECK(answer.addresses[0].to_string() == "1.2.3.4");

    result.message->rcode = dns_rcode::nxdomain;
    result.outcome = DnsOutcome::nxdomain;
    CHECK(to_lookup_answer(result, dns_type::a).status == LookupStatus::nxdomain);
    DnsResult timeout;
    timeout.outcome = DnsOutcome::timeout;
    CHECK(to_lookup_answer(timeout, dns_type::txt).status == LookupStatus::timeout);
    DnsResult servfail;
    servfail.outcome = DnsOutcome::servfail;
    CHECK(to_lookup_answer(servfail, dns_type::txt).status == LookupStatus::error);
}
