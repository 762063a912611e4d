// Lint findings with positions, the lookup and void counts, record suggestion, and run_spf end to end on fake DNS.
#include "nettool/core/exit_status.hpp"
#include "nettool/spf/spf.hpp"
#include "nettool/wire/dns_message.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace nettool;
using namespace nettool::spf;

namespace {

LintReport lint(TableResolver& dns, const char* domain) {
    std::function<LintReport(DnsView&)> compute = [&](DnsView& view) { return lint_domain(view, domain); };
    auto r = run_with_dns(dns, compute, lint_prefetcher());
    REQUIRE(r.ok());
    return *r;
}

const Diagnosis* find(const std::vector<Diagnosis>& list, const std::string& code) {
    for (const auto& d : list) {
        if (d.code == code) return &d;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("lint: a clean record has no warnings; the tree and counts are shown") {
    TableResolver dns;
    dns.txt("asahi-net.or.jp", {"v=spf1 include:spf-01.asahi-net.or.jp -all", "google-site-verification=x"});
    dns.txt("spf-01.asahi-net.or.jp", {"v=spf1 ip4:202.224.32.0/20 -all"});
    auto r = lint(dns, "asahi-net.or.jp");
    CHECK_FALSE(has_problem(r.findings));
    REQUIRE(r.nodes.size() == 2);
    CHECK(r.nodes[1].via == "include:spf-01.asahi-net.or.jp");
    CHECK(r.nodes[1].depth == 1);
    CHECK(r.lookups == 1);
    CHECK(r.txt_records.size() == 2);
}

TEST_CASE("lint findings carry codes and columns") {
    TableResolver dns;
    dns.txt("bad.example", {"v=spf1 ptr a:gone.example mx:gone2.example exists:gone3.example ?all moo"});
    auto r = lint(dns, "bad.example");
    const Diagnosis* syntax = find(r.findings, "spf_syntax_error");
    REQUIRE(syntax);
    CHECK(syntax->evidence.front().source == "bad.example column 70");
    const Diagnosis* ptr = find(r.findings, "spf_ptr_used");
    REQUIRE(ptr);
    CHECK(ptr->evidence.front().source == "bad.example column 8");
    CHECK(find(r.findings, "spf_neutral_all"));
    CHECK(find(r.findings, "spf_void_lookup"));
    CHECK(r.void_lookups == 3);
    CHECK(find(r.findings, "spf_void_lookup_limit"));

    dns.txt("open.example", {"v=spf1 +all"});
    CHECK(find(lint(dns, "open.example").findings, "spf_pass_all")->severity == Severity::critical);
    dns.txt("noall.example", {"v=spf1 ip4:192.0.2.1"});
    CHECK(find(lint(dns, "noall.example").findings, "spf_no_all"));
    dns.txt("two.example", {"v=spf1 -all", "v=spf1 ~all"});
    CHECK(find(lint(dns, "two.example").findings, "spf_multiple_records"));
    CHECK(find(lint(dns, "nothing.example").findings, "spf_no_record"));
    dns.txt("incmiss.example", {"v=spf1 include:nothing.example -all"});
    CHECK(find(lint(dns, "incmiss.example").findings, "spf_include_missing"));
    dns.txt("exp.example", {"v=spf1 -all exp=noexp.example"});
    CHECK(find(lint(dns, "exp.example").findings, "spf_exp_unreachable"));
    LookupAnswer t99;
    t99.status = LookupStatus::records;
    t99.txt = {{"v=spf1 -all"}};
    dns.set("t99.example", dns_type::spf, t99);
    dns.txt("t99.example", {"v=spf1 -all"});
    CHECK(find(lint(dns, "t99.example").findings, "spf_type99_record"));
}

TEST_CASE("lint: loops and more than 10 lookups") {
    TableResolver dns;
    dns.txt("l1.example", {"v=spf1 include:l2.example -all"});
    dns.txt("l2.example", {"v=spf1 include:l1.example -all"});
    CHECK(find(lint(dns, "l1.example").findings, "spf_include_loop"));
    std::string many = "v=spf1";
    for (int i = 0; i < 11; ++i) {
        std::string name = "i" + std::to_string(i) + ".example";
        many += " include:" + name;
        dns.txt(name, {"v=spf1 ip4:192.0.2." + std::to_string(i) + " -all"});
    }
    dns.txt("many.example", {many + " -all"});
    auto r = lint(dns, "many.example");
    CHECK(r.lookups == 11);
    const Diagnosis* limit = find(r.findings, "spf_lookup_limit");
    REQUIRE(limit);
    CHECK(limit->evidence.front().observed == "11");
}

TEST_CASE("run_spf: evaluation JSON has the keys the suite and scripts rely on") {
    TableResolver dns;
    dns.txt("nin29.com", {"v=spf1 +ip4:202.224.39.0/24 ~all"});
    SpfRequest request;
    request.ips = {"198.51.100.7"};
    request.sender = "xxx@nin29.com";
    request.helo = "relay.example";
    request.receiver = "mx.test";
    auto report = run_spf(request, dns);
    REQUIRE(report.ok());
    nlohmann::json j = *report;
    CHECK(j["result"] == "softfail");
    CHECK(j["mechanism"] == "~all");
    CHECK(j["lookups"] == 0);
    CHECK_FALSE(j.contains("explanation"));
    CHECK(j["received_spf"] ==
          "Received-SPF: softfail (mx.test: transitioning domain of xxx@nin29.com does not designate 198.51.100.7 as "
          "permitted sender) client-ip=198.51.100.7; envelope-from=\"xxx@nin29.com\"; helo=relay.example; "
          "receiver=mx.test; identity=mailfrom; mechanism=\"~all\";");
    CHECK(j["diagnoses"][0]["code"] == "spf_softfail");
    CHECK(exit_status_for(report->diagnoses) == ExitStatus::problem);

    std::ostringstream human;
    render_spf_report(human, *report, Style(false));
    CHECK(human.str().find("result:       softfail") != std::string::npos);

    SpfRequest bad;
    bad.ips = {"1.2.3"};
    auto usage = run_spf(bad, dns);
    REQUIRE_FALSE(usage.ok());
    CHECK(usage.error().kind == ErrorKind::usage);
    SpfRequest nothing;
    CHECK(run_spf(nothing, dns).error().kind == ErrorKind::usage);
}

TEST_CASE("suggest keeps the terms, adds the relay before all, and verifies the result") {
    TableResolver dns;
    dns.txt("nin29.com", {"v=spf1 +ip4:202.224.39.0/24 +all"});
    SpfRequest request;
    request.domain = "nin29.com";
    request.ips = {"203.0.113.5", "202.224.39.7", "2001:db8::25"};
    request.sender = "xxx@nin29.com";
    request.suggest = true;
    auto report = run_spf(request, dns);
    REQUIRE(report.ok());
    REQUIRE(report->suggestion);
    const auto& s = *report->suggestion;
    // +all let everything pass; it is replaced, so the addresses it covered are listed.
    CHECK(s.proposed == "v=spf1 +ip4:202.224.39.0/24 ip4:203.0.113.5 ip6:2001:db8::25 ~all");
    REQUIRE(s.verification.size() == 3);
    for (const auto& [ip, result] : s.verification) CHECK(result == "pass");

    dns.txt("nin29.com", {"v=spf1 +ip4:202.224.39.0/24 ~all"});
    auto fixed = run_spf(request, dns);
    REQUIRE(fixed.ok());
    CHECK(fixed->suggestion->proposed == "v=spf1 +ip4:202.224.39.0/24 ip4:203.0.113.5 ip6:2001:db8::25 ~all");
    for (const auto& [ip, result] : fixed->suggestion->verification) CHECK(result == "pass");

    request.domain = "new.example";
    request.sender = "a@new.example";
    auto fresh = run_spf(request, dns);
    REQUIRE(fresh.ok());
    CHECK(fresh->suggestion->proposed ==
          "v=spf1 ip4:203.0.113.5 ip4:202.224.39.7 ip6:2001:db8::25 ~all");
}

TEST_CASE("headers mode with Sender ID: spf2.0/pra wins over v=spf1, which is the fallback") {
    TableResolver dns;
    dns.txt("lists.example", {"v=spf1 -all", "spf2.0/pra ip4:192.0.2.10 -all"});
    dns.txt("origin.example", {"v=spf1 ip4:192.0.2.10 -all"});
    SpfRequest request;
    request.headers_text = test::read_file(test::fixtures_dir() / "spf" / "pra-resent.eml");
    request.scope = Scope::pra;
    auto pra = run_spf(request, dns);
    REQUIRE(pra.ok());
    REQUIRE(pra->evaluations.size() == 1);
    CHECK(pra->evaluations[0].result.result == SpfResult::pass);
    CHECK(pra->evaluations[0].identity == "pra");
    request.scope = Scope::mfrom;
    request.sender = "someone@origin.example";
    auto mfrom = run_spf(request, dns);
    REQUIRE(mfrom.ok());
    CHECK(mfrom->evaluations[0].result.result == SpfResult::pass);
    request.sender = "owner-list@lists.example";
    CHECK(run_spf(request, dns)->evaluations[0].result.result == SpfResult::fail);

    SpfRequest ill;
    ill.headers_text = test::read_file(test::fixtures_dir() / "spf" / "pra-two-from.eml");
    ill.scope = Scope::pra;
    auto r = run_spf(ill, dns);
    REQUIRE(r.ok());
    CHECK(r->diagnoses.front().code == "spf_pra_undetermined");
}
