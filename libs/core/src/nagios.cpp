#include "nettool/core/nagios.hpp"

#include "nettool/core/diagnosis.hpp"
#include "nettool/core/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nettool {

namespace {

std::optional<NagiosState>& last_state() {
    static std::optional<NagiosState> state;
    return state;
}

struct Finding {
    std::size_t depth = 0;  // nesting in the document: a resolver's or peer's finding is more specific
    std::string code;
    Severity severity = Severity::info;
    std::string summary;
};

void collect(const nlohmann::json& node, std::vector<Finding>& out, std::size_t depth = 0) {
    if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
            if (key == "diagnoses" && value.is_array()) {
                for (const auto& d : value) {
                    if (!d.is_object() || !d.contains("code")) continue;
                    Finding f;
                    f.depth = depth;
                    f.code = d.value("code", "");
                    f.severity = severity_from_string(d.value("severity", "info")).value_or(Severity::info);
                    f.summary = d.value("summary", "");
                    out.push_back(std::move(f));
                }
            } else {
                collect(value, out, depth + 1);
            }
        }
    } else if (node.is_array()) {
        for (const auto& item : node) collect(item, out, depth + 1);
    }
}

std::string number(double value) {
    char buffer[32];
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.6g", value);
    }
    return buffer;
}

// Plugin output is one line per finding: no newlines or '|' (it separates perfdata) from untrusted text.
std::string one_line(const std::string& text) {
    std::string out = sanitize_for_terminal(text);
    for (char& c : out) {
        if (c == '|') c = '/';
    }
    return out;
}

std::string upper(std::string text) {
    for (char& c : text) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return text;
}

}  // namespace

const char* to_string(NagiosState state) {
    switch (state) {
        case NagiosState::ok: return "OK";
        case NagiosState::warning: return "WARNING";
        case NagiosState::critical: return "CRITICAL";
        case NagiosState::unknown: return "UNKNOWN";
    }
    return "UNKNOWN";
}

std::string format_perfdata(const std::vector<PerfDatum>& data) {
    std::string out;
    for (const auto& d : data) {
        if (!out.empty()) out += ' ';
        bool quote = d.label.find_first_of(" '=") != std::string::npos;
        std::string label = d.label;
        if (quote) {
            std::string escaped;
            for (char c : label) escaped += (c == '\'') ? std::string("''") : std::string(1, c);
            label = "'" + escaped + "'";
        }
        out += label + "=" + number(d.value) + d.unit;
        std::string tail;
        const std::optional<double>* fields[] = {&d.warn, &d.crit, &d.min, &d.max};
        std::size_t last = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            if (fields[i]->has_value()) last = i + 1;
        }
        for (std::size_t i = 0; i < last; ++i) tail += ";" + (fields[i]->has_value() ? number(**fields[i]) : "");
        out += tail;
    }
    return out;
}

NagiosState render_nagios(std::ostream& out, const std::string& service, const nlohmann::json& document,
                          const std::vector<PerfDatum>& perfdata) {
    std::vector<Finding> findings;
    collect(document, findings);
    // The long output goes from the worst finding down; among equals the most specific (a resolver's, a peer's)
    // comes before the summary findings of the whole run.
    std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        return a.severity != b.severity ? a.severity > b.severity : a.depth > b.depth;
    });
    Severity worst = Severity::info;
    for (const auto& f : findings) worst = std::max(worst, f.severity);
    NagiosState state = worst == Severity::critical  ? NagiosState::critical
                        : worst == Severity::warning ? NagiosState::warning
                                                     : NagiosState::ok;
    // The same finding reached through two paths of the document (a layer and its evidence) is listed once.
    std::vector<Finding> unique;
    for (auto& f : findings) {
        bool seen = std::any_of(unique.begin(), unique.end(),
                                [&](const Finding& u) { return u.code == f.code && u.summary == f.summary; });
        if (!seen) unique.push_back(std::move(f));
    }
    findings = std::move(unique);
    const Finding* head = nullptr;
    std::size_t problems = 0;
    for (const auto& f : findings) {
        if (f.severity == worst && !head) head = &f;
        if (f.severity != Severity::info) ++problems;
    }
    // A command that names one root cause (doctor) leads with it.
    Finding root;
    if (document.is_object() && document.contains("root_cause") && document["root_cause"].is_object() &&
        document["root_cause"].contains("code")) {
        root.code = document["root_cause"].value("code", "");
        root.summary = document["root_cause"].value("summary", "");
        root.severity = worst;
        auto same = std::find_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.code == root.code; });
        head = same != findings.end() ? &*same : &root;
        if (same == findings.end()) ++problems;
    }
    std::string summary = head ? head->code + ": " + head->summary : std::string("nothing found");
    if (problems > 1) summary += " (+" + std::to_string(problems - 1) + " more)";
    out << upper(service) << ' ' << to_string(state) << " - " << one_line(summary);
    std::string perf = format_perfdata(perfdata);
    if (!perf.empty()) out << " | " << perf;
    out << '\n';
    for (const auto& f : findings) {
        if (&f == head) continue;
        out << '[' << to_string(f.severity) << "] " << one_line(f.code + ": " + f.summary) << '\n';
    }
    last_state() = state;
    return state;
}

void render_nagios_unknown(std::ostream& out, const std::string& service, const std::string& message) {
    out << upper(service) << " UNKNOWN - " << one_line(message) << '\n';
    last_state() = NagiosState::unknown;
}

std::optional<NagiosState> nagios_exit_state() { return last_state(); }

}  // namespace nettool
