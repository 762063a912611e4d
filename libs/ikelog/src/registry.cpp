// The format registry: generated from the src/format_*.cpp file names (see CMakeLists.txt), plus detection.
#include "nettool/ikelog/format.hpp"
#include "text_util.hpp"

#include <algorithm>

namespace nettool::ikelog {

#include "format_registry.inc"

const std::vector<const FormatInfo*>& all_formats() {
    static const std::vector<const FormatInfo*> sorted = [] {
        std::vector<const FormatInfo*> list = generated_formats();
        std::sort(list.begin(), list.end(), [](const FormatInfo* a, const FormatInfo* b) { return a->name < b->name; });
        return list;
    }();
    return sorted;
}

const FormatInfo* find_format(std::string_view name) {
    for (const FormatInfo* f : all_formats()) {
        if (f->name == name) return f;
    }
    return nullptr;
}

Detection detect_format(const std::vector<std::string>& lines) {
    Detection best;
    const auto& formats = all_formats();
    std::vector<std::size_t> score(formats.size(), 0), matched(formats.size(), 0);
    std::size_t sampled = 0;
    for (const std::string& line : lines) {
        if (text::trim(line).empty()) continue;
        ++sampled;
        for (std::size_t i = 0; i < formats.size(); ++i) {
            int s = formats[i]->sniff(line);
            if (s > 0) {
                score[i] += static_cast<std::size_t>(s);
                ++matched[i];
            }
        }
    }
    best.sampled = sampled;
    std::size_t best_score = 0;
    for (std::size_t i = 0; i < formats.size(); ++i) {
        if (score[i] > best_score) {
            best_score = score[i];
            best.format = formats[i];
            best.matched = matched[i];
        }
    }
    if (best.format && sampled > 0) {
        // Share of lines recognised, discounted when another format comes close.
        std::size_t runner_up = 0;
        for (std::size_t i = 0; i < formats.size(); ++i) {
            if (formats[i] != best.format) runner_up = std::max(runner_up, score[i]);
        }
        double share = static_cast<double>(best.matched) / static_cast<double>(sampled);
        double margin = best_score == 0 ? 0 : 1.0 - static_cast<double>(runner_up) / static_cast<double>(best_score);
        best.confidence = std::clamp(share * (0.5 + 0.5 * margin), 0.0, 1.0);
    }
    return best;
}

}  // namespace nettool::ikelog
