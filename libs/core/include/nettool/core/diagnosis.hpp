#pragma once
// A diagnosis is data: a stable machine code, a severity, a one-line summary, the evidence that led to it and
// plain-words advice. Every subcommand reports its findings as a list of these.
#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace nettool {

enum class Severity { info, warning, critical };

const char* to_string(Severity severity);
// Case-sensitive inverse of to_string; nullopt for anything else.
std::optional<Severity> severity_from_string(const std::string& text);

// One observation behind a diagnosis. `what` says what was looked at; `observed` (and `expected`, when there is a
// norm) the value; `source` where it came from: "packet 1234", "router.log:17", "query A example.com @10.0.0.1".
struct Evidence {
    std::string what;
    std::string observed;
    std::string expected;
    std::string source;
};

struct Diagnosis {
    std::string code;  // stable snake_case, e.g. "udp_blocked"
    Severity severity = Severity::info;
    std::string summary;  // one line
    std::vector<Evidence> evidence;
    std::string advice;
    std::optional<double> confidence;  // 0..1 where the finding is a judgement, not a fact
};

// Highest severity in the list; info for an empty list.
Severity worst_severity(const std::vector<Diagnosis>& diagnoses);
// True when any diagnosis is warning or critical: the "a problem was found" exit status.
bool has_problem(const std::vector<Diagnosis>& diagnoses);

void to_json(nlohmann::json& j, const Evidence& evidence);
void to_json(nlohmann::json& j, const Diagnosis& diagnosis);
void to_json(nlohmann::json& j, Severity severity);

}  // namespace nettool
