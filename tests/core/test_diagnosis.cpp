#include "nettool/core/diagnosis.hpp"
#include "nettool/core/error.hpp"
#include "nettool/core/exit_status.hpp"
#include "nettool/core/privilege.hpp"
#include "nettool/core/render.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace nettool;

TEST_CASE("diagnosis serialises with its stable field names") {
    Diagnosis d{"udp_blocked", Severity::critical, "UDP/53 dropped", {{"udp answered", "0/5", "5/5", "10.0.0.1"}},
                "check the link", 0.9};
    nlohmann::json j = d;
    CHECK(j["code"] == "udp_blocked");
    CHECK(j["severity"] == "critical");
    CHECK(j["summary"] == "UDP/53 dropped");
    CHECK(j["advice"] == "check the link");
    CHECK(j["confidence"].get<double>() == Approx(0.9));
    REQUIRE(j["evidence"].size() == 1);
    CHECK(j["evidence"][0]["observed"] == "0/5");
    CHECK(j["evidence"][0]["source"] == "10.0.0.1");

    Diagnosis plain{"ok", Severity::info, "fine", {{"probe", "", "", ""}}, "", std::nullopt};
    nlohmann::json k = plain;
    CHECK_FALSE(k.contains("confidence"));
    CHECK_FALSE(k["evidence"][0].contains("observed"));
}

TEST_CASE("severity words round-trip and unknown words are rejected") {
    for (Severity s : {Severity::info, Severity::warning, Severity::critical}) {
        CHECK(severity_from_string(to_string(s)) == s);
    }
    CHECK_FALSE(severity_from_string("fatal").has_value());
}

TEST_CASE("exit statuses follow the contract") {
    CHECK(exit_status_for(std::vector<Diagnosis>{}) == ExitStatus::ok);
    CHECK(exit_status_for({{"ok", Severity::info, "", {}, "", {}}}) == ExitStatus::ok);
    CHECK(exit_status_for({{"ok", Severity::info, "", {}, "", {}}, {"x", Severity::warning, "", {}, "", {}}}) ==
          ExitStatus::problem);
    CHECK(exit_status_for(usage_error("bad")) == ExitStatus::bad_input);
    CHECK(exit_status_for(input_error("bad")) == ExitStatus::bad_input);
    CHECK(exit_status_for(environment_error("no eth9")) == ExitStatus::cannot_run);
    CHECK(exit_status_for(internal_error("bug")) == ExitStatus::cannot_run);
}

TEST_CASE("Result holds a value or an error and throws when misused") {
    Result<int> good = 5;
    REQUIRE(good.ok());
    CHECK(*good == 5);
    Result<int> bad = input_error("not a number", "file.txt:3");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().describe() == "file.txt:3: not a number");
    CHECK_THROWS_AS(bad.value(), ErrorException);
    CHECK_THROWS_AS(std::move(bad).take(), ErrorException);
}

TEST_CASE("missing privilege names the capability and the setcap line") {
    Error e = missing_privilege(Capability::net_raw, "capturing on eth0", "eth0");
    CHECK(e.kind == ErrorKind::environment);
    CHECK(e.message.find("CAP_NET_RAW") != std::string::npos);
    CHECK(e.message.find("setcap cap_net_raw+ep") != std::string::npos);
    Error icmp = missing_privilege(Capability::net_raw, "sending ICMP echo");
    CHECK(icmp.message.find("ping_group_range") != std::string::npos);
    CHECK(missing_privilege(Capability::net_admin, "x").message.find("CAP_NET_ADMIN") != std::string::npos);
    CHECK(is_permission_errno(EPERM));
    CHECK_FALSE(is_permission_errno(ENOENT));
}

TEST_CASE("human rendering of a diagnosis shows code, evidence and advice without colour when asked") {
    std::ostringstream out;
    Diagnosis d{"packet_loss", Severity::warning, "40% of queries lost", {{"udp", "3/5", "", "q1"}}, "retry", {}};
    render_diagnosis(out, d, Style(false));
    CHECK(out.str() ==
          "[warning] packet_loss: 40% of queries lost\n    - udp: 3/5 [q1]\n    advice: retry\n");
}

struct Sample {
    int value = 0;
};
void to_json(nlohmann::json& j, const Sample& s) { j = {{"value", s.value}}; }

TEST_CASE("emit_result writes one JSON document with the schema version, or the human form") {
    std::ostringstream json_out;
    emit_result(Sample{7}, "sample", OutputOptions{true, false},
                [](std::ostream& o, const Sample&, const Style&) { o << "human\n"; }, json_out);
    auto doc = nlohmann::json::parse(json_out.str());
    CHECK(doc["schema_version"] == json_schema_version);
    CHECK(doc["command"] == "sample");
    CHECK(doc["value"] == 7);

    std::ostringstream human_out;
    emit_result(Sample{7}, "sample", OutputOptions{false, true},
                [](std::ostream& o, const Sample& s, const Style& style) {
                    CHECK_FALSE(style.colour());
                    o << "value " << s.value << "\n";
                },
                human_out);
    CHECK(human_out.str() == "value 7\n");
}
