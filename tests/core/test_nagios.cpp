// Nagios plugin output from a command's JSON document: state from the worst severity anywhere in the document,
// the worst finding on the first line, perfdata in the Monitoring Plugins format, untrusted text kept to one line.
#include "nettool/core/nagios.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace nettool;

TEST_CASE("perfdata: label=value[UOM];warn;crit;min;max, trailing empty fields dropped, odd labels quoted") {
    CHECK(format_perfdata({}).empty());
    CHECK(format_perfdata({{"rta", 0.0125, "s", std::nullopt, std::nullopt, 0.0, std::nullopt}}) == "rta=0.0125s;;;0");
    CHECK(format_perfdata({{"pl", 40, "%", 20.0, 60.0, 0.0, 100.0}}) == "pl=40%;20;60;0;100");
    CHECK(format_perfdata({{"a", 1, "", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
                           {"udp answered 'x'", 2, "c", std::nullopt, 3.0, std::nullopt, std::nullopt}}) ==
          "a=1 'udp answered ''x'''=2c;;3");
}

TEST_CASE("state and summary from every diagnoses array in the document") {
    nlohmann::json doc = {
        {"servers",
         {{{"diagnoses",
            {{{"code", "udp_blocked"}, {"severity", "critical"}, {"summary", "0 of 5 | answered\nnext"}}}}},
          {{"diagnoses", {{{"code", "high_latency"}, {"severity", "warning"}, {"summary", "slow"}}}}}}},
        {"diagnoses", {{{"code", "ok"}, {"severity", "info"}, {"summary", "fine"}},
                       {{"code", "ip_works_names_fail"}, {"severity", "critical"}, {"summary", "names fail"}}}}};
    std::ostringstream out;
    NagiosState state = render_nagios(out, "dnscheck", doc, {{"udp_answered", 0, "", std::nullopt, std::nullopt, 0.0, 5.0}});
    CHECK(state == NagiosState::critical);
    CHECK(nagios_exit_state() == std::optional<NagiosState>(NagiosState::critical));
    CHECK(out.str() ==
          "DNSCHECK CRITICAL - udp_blocked: 0 of 5 / answered\\nnext (+2 more) | udp_answered=0;;;0;5\n"
          "[critical] ip_works_names_fail: names fail\n"
          "[warning] high_latency: slow\n"
          "[info] ok: fine\n");

    std::ostringstream ok;
    CHECK(render_nagios(ok, "ping", {{"diagnoses", {{{"code", "ok"}, {"severity", "info"}, {"summary", "up"}}}}}, {}) ==
          NagiosState::ok);
    CHECK(ok.str() == "PING OK - ok: up\n");
    std::ostringstream warn;
    CHECK(render_nagios(warn, "link", {{"x", {{"diagnoses", {{{"code", "w"}, {"severity", "warning"}}}}}}}, {}) ==
          NagiosState::warning);
    std::ostringstream unknown;
    render_nagios_unknown(unknown, "ike-log", "cannot open");
    CHECK(unknown.str() == "IKE-LOG UNKNOWN - cannot open\n");
    CHECK(nagios_exit_state() == std::optional<NagiosState>(NagiosState::unknown));
}
