// The exporter's pure parts: the text exposition writer, the request target and header parsing, the config and
// the target policy, the IKE report's metrics.
#include "nettool/exporter/config.hpp"
#include "nettool/exporter/http_query.hpp"
#include "nettool/exporter/ike_sources.hpp"
#include "nettool/exporter/metrics.hpp"
#include "nettool/exporter/probe.hpp"
#include "nettool/exporter/target_policy.hpp"
#include "nettool/ikelog/ike_log.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace nettool;
using namespace nettool::exporter;

TEST_CASE("exposition text: HELP, TYPE, escaped label values, one family per name") {
    MetricSet m;
    m.add("nettool_probe_success", "gauge", "1 when \\ ok\nnext", 1);
    m.add("nettool_diagnosis", "gauge", "findings", 1, {{"code", "udp_blocked"}, {"target", "a\"b\\c\nd"}});
    m.add("nettool_diagnosis", "gauge", "findings", 1, {{"code", "ok"}});
    CHECK(m.families().size() == 2);
    CHECK(m.text() ==
          "# HELP nettool_probe_success 1 when \\\\ ok\\nnext\n"
          "# TYPE nettool_probe_success gauge\n"
          "nettool_probe_success 1\n"
          "# HELP nettool_diagnosis findings\n"
          "# TYPE nettool_diagnosis gauge\n"
          "nettool_diagnosis{code=\"udp_blocked\",target=\"a\\\"b\\\\c\\nd\"} 1\n"
          "nettool_diagnosis{code=\"ok\"} 1\n");
    CHECK_THROWS(m.add("9bad", "gauge", "", 1));
    CHECK_THROWS(m.add("good", "gauge", "", 1, {{"__reserved", "x"}}));
    CHECK_THROWS(m.add("good", "gauge", "", 1, {{"bad-label", "x"}}));
}

TEST_CASE("sample values as Prometheus parses them") {
    CHECK(format_sample_value(0) == "0");
    CHECK(format_sample_value(3) == "3");
    CHECK(format_sample_value(0.25) == "0.25");
    CHECK(format_sample_value(4.5e-05) == "4.5e-05");
    CHECK(format_sample_value(NAN) == "NaN");
    CHECK(format_sample_value(INFINITY) == "+Inf");
    CHECK(format_sample_value(-INFINITY) == "-Inf");
    CHECK(valid_metric_name("a:b_c1"));
    CHECK_FALSE(valid_metric_name(""));
    CHECK_FALSE(valid_label_name("a:b"));
}

TEST_CASE("request targets: path, repeated parameters, percent and plus decoding, malformed escapes") {
    auto t = parse_http_target("/probe?module=dnscheck&target=10.0.0.53%3A5353&name=a.example&name=b+c&flag");
    REQUIRE(t);
    CHECK(t->path == "/probe");
    CHECK(t->parameters.count("name") == 2);
    CHECK(t->parameters.find("target")->second == "10.0.0.53:5353");
    CHECK(t->parameters.find("flag")->second.empty());
    auto names = t->parameters.equal_range("name");
    CHECK(std::next(names.first)->second == "b c");
    CHECK(parse_http_target("/metrics")->parameters.empty());
    CHECK_FALSE(parse_http_target("probe"));
    CHECK_FALSE(parse_http_target("/probe?target=%"));
    CHECK_FALSE(parse_http_target("/probe?target=%4"));
    CHECK_FALSE(parse_http_target("/probe?target=%g0"));
    CHECK_FALSE(parse_http_target("/probe?target=a%00b"));
    CHECK(parse_scrape_timeout("9.5") == std::optional<double>(9.5));
    CHECK_FALSE(parse_scrape_timeout("soon"));
    CHECK_FALSE(parse_scrape_timeout("-1"));
    CHECK_FALSE(parse_scrape_timeout("inf"));
    CHECK_FALSE(parse_scrape_timeout(""));
}

TEST_CASE("config: every key read, unknown keys and bad values refused with a reason") {
    auto c = parse_config(R"({"listen": ":9798", "allowed_targets": ["10.0.0.0/8", "192.0.2.7"],
        "max_concurrent_probes": 2, "dns_servers": ["10.0.0.53"], "ike_logs": [{"path": "/var/log/a.log",
        "format": "strongswan"}], "syslog": ["udp://127.0.0.1:5514"]})");
    REQUIRE(c);
    CHECK(c->listen == ":9798");
    CHECK(c->policy.allowed.size() == 2);
    CHECK(c->max_concurrent_probes == 2);
    CHECK(c->ike_logs.at(0).format == "strongswan");
    CHECK(c->syslog.size() == 1);
    CHECK(parse_config("{}")->listen == default_listen);
    CHECK(parse_config("not json").error().message == "the config is not valid JSON");
    CHECK(parse_config(R"({"allowed_target": []})").error().message.find("unknown key") != std::string::npos);
    CHECK_FALSE(parse_config(R"({"allowed_targets": []})"));
    CHECK_FALSE(parse_config(R"({"allowed_targets": ["10.0.0.0/33"]})"));
    CHECK_FALSE(parse_config(R"({"max_concurrent_probes": 0})"));
    CHECK_FALSE(parse_config(R"({"max_concurrent_probes": 1000})"));
    CHECK_FALSE(parse_config(R"({"ike_logs": [{"path": "/a", "format": "nosuch"}]})"));
    CHECK_FALSE(parse_config(R"({"ike_logs": [{"file": "/a"}]})"));
    CHECK_FALSE(parse_config(R"({"syslog": ["tcp://1.2.3.4:514"]})"));
    CHECK_FALSE(parse_config(R"({"listen": "localhost"})"));
    CHECK(parse_listen("[::1]:9798")->address.is_v6());
    CHECK(parse_listen(":0")->any);
    CHECK_FALSE(parse_listen("127.0.0.1:65536"));
    CHECK_FALSE(parse_listen("127.0.0.1:x"));
}

TEST_CASE("target policy: the LAN by default, the config's list when given") {
    TargetPolicy lan;
    CHECK(lan.allows(*IpAddress::parse("10.1.2.3")));
    CHECK(lan.allows(*IpAddress::parse("fe80::1")));
    CHECK(lan.allows(*IpAddress::parse("::ffff:192.168.1.1")));
    CHECK_FALSE(lan.allows(*IpAddress::parse("8.8.8.8")));
    CHECK(allowed_addresses("127.0.0.1", lan));
    auto refused = allowed_addresses("203.0.113.9", lan);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("not allowed") != std::string::npos);
    TargetPolicy narrow{{*IpPrefix::parse("192.0.2.0/24")}};
    CHECK(narrow.allows(*IpAddress::parse("192.0.2.200")));
    CHECK_FALSE(narrow.allows(*IpAddress::parse("10.0.0.1")));
}

TEST_CASE("probe requests: unknown modules and malformed values are usage errors, before anything runs") {
    ProbeSettings settings;
    ProbeRequest r{"nosuch", "x", {}, std::chrono::milliseconds(5000)};
    CHECK(run_probe(r, settings).error().kind == ErrorKind::usage);
    r.module = "ping";
    r.target = "";
    CHECK(validate_probe(r, settings).error().message == "missing parameter: target");
    r.module = "spf";
    r.target = "example.com";
    r.parameters.emplace("ip", "300.1.1.1");
    CHECK_FALSE(validate_probe(r, settings));
    r.module = "dnscheck";
    r.target = "8.8.8.8";
    r.parameters.clear();
    CHECK(run_probe(r, settings).error().message.find("not allowed") != std::string::npos);
    r.module = "link";
    r.target = "bad/name";
    CHECK_FALSE(run_probe(r, settings));
}

TEST_CASE("one nettool_diagnosis series per code and severity") {
    MetricSet m;
    Diagnosis a{"udp_blocked", Severity::critical, "s", {}, "", std::nullopt};
    Diagnosis b{"high_latency", Severity::warning, "s", {}, "", std::nullopt};
    add_probe_result(m, "dnscheck", "10.0.0.53", false, 1.5, {a, b, a});
    const auto& families = m.families();
    REQUIRE(families.size() == 3);
    CHECK(families[0].samples.at(0).value == 0);
    CHECK(families[2].name == "nettool_diagnosis");
    CHECK(families[2].samples.size() == 2);
}

TEST_CASE("IKE report metrics from a real router log: tunnel down, failures by code") {
    ikelog::Analyzer analyzer;
    auto path = test::fixtures_dir() / "ikelog" / "etx-vrt" / "factory-fail.log";
    REQUIRE(ikelog::read_log(path.string(), analyzer, nullptr));
    MetricSet m;
    add_ike_report_metrics(m, "router.log", analyzer.report());
    std::string text = m.text();
    CHECK(text.find("nettool_ike_tunnel_up{source=\"router.log\",peer=\"198.51.100.7\"") != std::string::npos);
    CHECK(text.find("\"} 0\n") != std::string::npos);
    CHECK(text.find("# TYPE nettool_ike_failures_total counter") != std::string::npos);
    CHECK(text.find("nettool_ike_attempts_total{source=\"router.log\",peer=\"198.51.100.7\",outcome=\"failed\"}") !=
          std::string::npos);
}
