#pragma once
// The Prometheus text exposition format (version 0.0.4): metric families with HELP and TYPE, samples with
// escaped label values. Pure: values in, text out. Names follow Prometheus' rules (base units, _total counters).
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::exporter {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
    Labels labels;
    double value = 0;
};

struct MetricFamily {
    std::string name;
    std::string help;
    std::string type;  // "gauge", "counter", "untyped"
    std::vector<Sample> samples;
};

// Families in insertion order; adding a sample to an existing name appends to that family.
class MetricSet {
public:
    void add(std::string_view name, std::string_view type, std::string_view help, double value, Labels labels = {});
    const std::vector<MetricFamily>& families() const { return families_; }
    std::string text() const;  // the exposition text, ending with a newline

private:
    std::vector<MetricFamily> families_;
};

// Backslash, double quote and newline escaped as the format requires.
std::string escape_label_value(std::string_view value);
// "1", "0.25", "NaN", "+Inf": Go's float formatting as Prometheus parses it.
std::string format_sample_value(double value);
// [a-zA-Z_:][a-zA-Z0-9_:]* (metric) / [a-zA-Z_][a-zA-Z0-9_]* (label).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

}  // namespace nettool::exporter
