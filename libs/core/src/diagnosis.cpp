#include "nettool/core/diagnosis.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace nettool {

const char* to_string(Severity severity) {
    switch (severity) {
        case Severity::info: return "info";
        case Severity::warning: return "warning";
        case Severity::critical: return "critical";
    }
    return "info";
}

std::optional<Severity> severity_from_string(const std::string& text) {
    for (Severity s : {Severity::info, Severity::warning, Severity::critical}) {
        if (text == to_string(s)) return s;
    }
    return std::nullopt;
}

Severity worst_severity(const std::vector<Diagnosis>& diagnoses) {
    Severity worst = Severity::info;
    for (const auto& d : diagnoses) worst = std::max(worst, d.severity);
    return worst;
}

bool has_problem(const std::vector<Diagnosis>& diagnoses) {
    return worst_severity(diagnoses) >= Severity::warning;
}

void to_json(nlohmann::json& j, Severity severity) { j = to_string(severity); }

void to_json(nlohmann::json& j, const Evidence& evidence) {
    j = nlohmann::json::object();
    j["what"] = evidence.what;
    if (!evidence.observed.empty()) j["observed"] = evidence.observed;
    if (!evidence.expected.empty()) j["expected"] = evidence.expected;
    if (!evidence.source.empty()) j["source"] = evidence.source;
}

void to_json(nlohmann::json& j, const Diagnosis& diagnosis) {
    j = nlohmann::json::object();
    j["code"] = diagnosis.code;
    j["severity"] = diagnosis.severity;
    j["summary"] = diagnosis.summary;
    j["evidence"] = diagnosis.evidence;
    j["advice"] = diagnosis.advice;
    if (diagnosis.confidence) j["confidence"] = *diagnosis.confidence;
}

}  // namespace nettool
