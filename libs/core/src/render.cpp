#include "nettool/core/render.hpp"

namespace nettool {

void render_diagnosis(std::ostream& out, const Diagnosis& d, const Style& style, const std::string& indent) {
    out << indent << style.severity_tag(d.severity) << ' ' << style.paint(d.code, Colour::bold) << ": "
        << sanitize_for_terminal(d.summary);
    if (d.confidence) out << " (confidence " << format_percent(*d.confidence, 0) << ")";
    out << '\n';
    for (const auto& e : d.evidence) {
        out << indent << "    - " << sanitize_for_terminal(e.what);
        if (!e.observed.empty()) out << ": " << sanitize_for_terminal(e.observed);
        if (!e.expected.empty()) out << " (expected " << sanitize_for_terminal(e.expected) << ")";
        if (!e.source.empty()) out << style.paint(" [" + sanitize_for_terminal(e.source) + "]", Colour::dim);
        out << '\n';
    }
    if (!d.advice.empty()) out << indent << "    advice: " << sanitize_for_terminal(d.advice) << '\n';
}

void render_diagnoses(std::ostream& out, const std::vector<Diagnosis>& diagnoses, const Style& style,
                      const std::string& indent) {
    for (const auto& d : diagnoses) render_diagnosis(out, d, style, indent);
}

}  // namespace nettool
