// The JSON shape the issue fixes (diagnoses; servers with address, port, probes, diagnoses; every diagnosis with
// code, severity, summary, evidence, advice) and the human report, from a hand-made result.
#include "nettool/core/render.hpp"
#include "nettool/dnscheck/dnscheck.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <limits>
#include <sstream>

using namespace nettool;
using namespace nettool::dnscheck;

namespace {

DnsCheckResult field_case() {
    DnsCheckResult r;
    r.names = {"www.test"};
    r.large_name = ".";
    r.count = 2;
    r.timeout_ms = 2000;
    r.resolver_files = {"/etc/resolv.conf"};
    r.notes = {"a note with \x1b[31m escape"};
    ResolverReport s;
    s.probes.server = DnsServer::parse("10.204.3.2").value();
    s.probes.source = "/etc/resolv.conf";
    for (int i = 0; i < 2; ++i) {
        QueryProbe q;
        q.name = "www.test";
        q.status = QueryStatus::timeout;
        q.waited_ms = 1900;
        s.probes.udp.push_back(q);
    }
    QueryProbe tcp;
    tcp.kind = QueryKind::tcp;
    tcp.name = "www.test";
    tcp.status = QueryStatus::answered;
    tcp.rcode = 0;
    tcp.rtt_ms = 1.5;
    tcp.answer_bytes = 42;
    s.probes.tcp = {tcp};
    EchoProbe e;
    e.status = EchoOutcome::reply;
    e.rtt_ms = 0.2;
    s.probes.icmp = {e};
    s.diagnoses = diagnose_resolver(s.probes, 500);
    r.servers.push_back(s);
    r.system.status = LookupStatus::no_answer;
    r.system.name = "www.test";
    r.reach.attempted = true;
    r.reach.target = *IpAddress::parse("10.204.1.1");
    r.reach.target_source = "--reach";
    r.reach.echoes = {e};
    diagnose_overall(r);
    return r;
}

}  // namespace

TEST_CASE("JSON has the issue's shape") {
    nlohmann::json j = field_case();
    REQUIRE(j["diagnoses"].is_array());
    REQUIRE(j["servers"].is_array());
    const auto& server = j["servers"][0];
    CHECK(server["address"] == "10.204.3.2");
    CHECK(server["port"] == 53);
    CHECK(server["works"] == false);
    CHECK(server["probes"]["udp"]["sent"] == 2);
    CHECK(server["probes"]["udp"]["answered"] == 0);
    CHECK(server["probes"]["udp"]["lost_percent"] == 100.0);
    CHECK(server["probes"]["udp"]["queries"][0]["status"] == "timeout");
    CHECK(server["probes"]["udp"]["queries"][0]["waited_ms"] == 1900.0);
    CHECK(server["probes"]["tcp"]["queries"][0]["rcode"] == "NOERROR");
    CHECK(server["probes"]["icmp"]["replies"] == 1);
    CHECK(server["diagnoses"][0]["code"] == "udp_blocked");
    for (const nlohmann::json& list : {j["diagnoses"], server["diagnoses"]}) {
        for (const auto& d : list) {
            for (const char* key : {"code", "severity", "summary", "evidence", "advice"}) {
                CHECK(d.contains(key));
            }
        }
    }
    CHECK(j["diagnoses"][0]["code"] == "ip_works_names_fail");
    CHECK(j["verdict"]["status"] == "failing");
    CHECK(j["verdict"]["most_likely_fault"] == "udp_blocked");
    CHECK(j["verdict"]["applications_can_resolve"] == false);
    CHECK(j["system_resolver"]["status"] == "no_answer");
    CHECK(j["reach"]["reachable"] == true);
    CHECK(j["large_query"]["type"] == "DNSKEY");
    CHECK(j["large_query"]["name"] == ".");
}

TEST_CASE("emit_result wraps it with schema_version and command") {
    std::ostringstream out;
    OutputOptions options;
    options.json = true;
    emit_result(field_case(), "dnscheck", options, render_dnscheck, out);
    auto j = nlohmann::json::parse(out.str());
    CHECK(j["schema_version"] == 1);
    CHECK(j["command"] == "dnscheck");
    CHECK(j.contains("servers"));
}

TEST_CASE("human report: verdict first, resolver block, no raw escapes") {
    std::ostringstream out;
    render_dnscheck(out, field_case(), Style(false));
    const std::string text = out.str();
    auto verdict = text.find("Verdict: FAILING");
    auto resolver = text.find("Resolver 10.204.3.2:53 (from /etc/resolv.conf)");
    REQUIRE(verdict != std::string::npos);
    REQUIRE(resolver != std::string::npos);
    CHECK(verdict < resolver);
    CHECK(text.find("[critical] udp_blocked") != std::string::npos);
    CHECK(text.find("0 of 2 answered (100% lost)") != std::string::npos);
    CHECK(text.find("getaddrinfo(www.test): no answer within 2000 ms") != std::string::npos);
    CHECK(text.find("10.204.1.1 (--reach): 1 of 1 replies") != std::string::npos);
    CHECK(text.find('\x1b') == std::string::npos);
}

TEST_CASE("request values are checked before anything runs") {
    DnsCheckRequest ok;
    CHECK(validate_request(ok).ok());
    auto bad = [](auto change) {
        DnsCheckRequest r;
        change(r);
        auto status = validate_request(r);
        return !status.ok() && status.error().kind == ErrorKind::usage;
    };
    CHECK(bad([](DnsCheckRequest& r) { r.count = 0; }));
    CHECK(bad([](DnsCheckRequest& r) { r.count = 101; }));
    CHECK(bad([](DnsCheckRequest& r) { r.timeout = std::chrono::milliseconds(99); }));
    CHECK(bad([](DnsCheckRequest& r) { r.timeout = std::chrono::milliseconds(60001); }));
    CHECK(bad([](DnsCheckRequest& r) { r.high_latency_ms = 0; }));
    CHECK(bad([](DnsCheckRequest& r) { r.high_latency_ms = std::numeric_limits<double>::quiet_NaN(); }));
    CHECK(bad([](DnsCheckRequest& r) { r.names = {"a..b"}; }));
    CHECK(bad([](DnsCheckRequest& r) { r.names = {std::string(64, 'x') + ".test"}; }));
    CHECK(bad([](DnsCheckRequest& r) { r.names = {std::string(300, 'x')}; }));
    CHECK(bad([](DnsCheckRequest& r) { r.names = {""}; }));
    CHECK(bad([](DnsCheckRequest& r) { r.large_name = ".."; }));
    DnsCheckRequest fine;
    fine.names = {"www.test.", ".", std::string(63, 'x') + ".test"};
    CHECK(validate_request(fine).ok());
}

TEST_CASE("run_dnscheck with an unreadable explicit resolver file is an input error, before any probe") {
    DnsCheckRequest r;
    r.resolv_conf_path = "/nonexistent/dnscheck/resolv.conf";
    r.resolv_conf_explicit = true;
    auto result = run_dnscheck(r);
    REQUIRE(!result.ok());
    CHECK(result.error().kind == ErrorKind::input);
}
