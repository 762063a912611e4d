#pragma once
// Vendor log formats. Each format lives in one source file (libs/ikelog/src/format_<name>.cpp) that defines
// `const FormatInfo& format_<name>()`; the build generates the registry from the file names, so adding a vendor
// is one new parser file plus its fixtures and nothing else.
#include "nettool/ikelog/event.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::ikelog {

// A stateful per-file parser: one instance reads one log in order (lines without time stamps keep their order).
class LineParser {
public:
    virtual ~LineParser() = default;
    // Appends the events `line` (no trailing newline) describes to `out`. Returns false when the line is not in
    // this format at all (the reader then counts it as skipped unless another format claims it); a line that is
    // in the format but says nothing about IKE negotiation returns true and appends nothing.
    virtual bool parse(std::string_view line, std::vector<Event>& out) = 0;
};

// Tells from a line alone that the format's parser would accept it and make nothing of it (no events, no change
// to its state), for the lines of a large file: the reader runs it on its own thread, ahead of the parser, which
// then only counts those lines. It must give that answer only where the parser surely would.
class LineFilter {
public:
    virtual ~LineFilter() = default;
    virtual bool dismisses(std::string_view line) = 0;
};

struct FormatInfo {
    std::string_view name;         // "strongswan", "etx-vrt", ... (what --format takes and JSON reports)
    std::string_view description;  // one line for --help and the report
    bool logs_phase2 = true;       // false: the format never shows phase 2, so `established` counts phase 1
    // How much `line` looks like this format: 0 not at all, 1 plausible, 2 distinctive. Cheap and pure.
    int (*sniff)(std::string_view line) = nullptr;
    std::unique_ptr<LineParser> (*create)() = nullptr;
    std::unique_ptr<LineFilter> (*create_filter)() = nullptr;  // optional
};

// Every compiled-in format, sorted by name.
const std::vector<const FormatInfo*>& all_formats();
// The format called `name`, or nullptr.
const FormatInfo* find_format(std::string_view name);

struct Detection {
    const FormatInfo* format = nullptr;  // nullptr: nothing recognised
    double confidence = 0;               // 0..1
    std::size_t sampled = 0;             // non-blank lines looked at
    std::size_t matched = 0;             // of those, lines the chosen format recognised
};

// Picks the format whose sniff recognises most of `lines` (distinctive matches weigh double).
Detection detect_format(const std::vector<std::string>& lines);

}  // namespace nettool::ikelog
