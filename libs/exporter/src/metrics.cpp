#include "nettool/exporter/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace nettool::exporter {

namespace {

bool name_char(char c, bool first, bool colon) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    return letter || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool colon) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (!name_char(name[i], i == 0, colon)) return false;
    }
    return true;
}

// HELP text escapes only backslash and newline.
std::string escape_help(std::string_view help) {
    std::string out;
    for (char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }
bool valid_label_name(std::string_view name) { return valid_name(name, false) && name.substr(0, 2) != "__"; }

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_sample_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
        return buffer;
    }
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.9g", value);
    return buffer;
}

void MetricSet::add(std::string_view name, std::string_view type, std::string_view help, double value, Labels labels) {
    if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + std::string(name));
    for (const auto& [label, unused] : labels) {
        if (!valid_label_name(label)) throw std::invalid_argument("invalid label name: " + label);
    }
    for (auto& family : families_) {
        if (family.name == name) {
            family.samples.push_back({std::move(labels), value});
            return;
        }
    }
    families_.push_back({std::string(name), std::string(help), std::string(type), {{std::move(labels), value}}});
}

std::string MetricSet::text() const {
    std::string out;
    for (const auto& family : families_) {
        out += "# HELP " + family.name + " " + escape_help(family.help) + "\n";
        out += "# TYPE " + family.name + " " + family.type + "\n";
        for (const auto& sample : family.samples) {
            out += family.name;
            if (!sample.labels.empty()) {
                out += '{';
                for (std::size_t i = 0; i < sample.labels.size(); ++i) {
                    if (i > 0) out += ',';
                    out += sample.labels[i].first + "=\"" + escape_label_value(sample.labels[i].second) + '"';
                }
                out += '}';
            }
            out += ' ' + format_sample_value(sample.value) + '\n';
        }
    }
    return out;
}

}  // namespace nettool::exporter
