// Every IKE log format's line parser, sniff and line filter on the input's lines. The first byte picks the format
// (one format per run keeps each parser's state realistic). Invariant: a line the format's LineFilter dismisses
// is one its parser accepts and makes nothing of (the fast reading path only counts such lines).
#include "fuzz_input.hpp"
#include "fuzz_target.hpp"
#include "nettool/ikelog/format.hpp"

#include <vector>

NETTOOL_FUZZ_TARGET(ikelog_lines) {
    using namespace nettool::ikelog;
    nettool::fuzz::FuzzInput input(data, size);
    const auto& formats = all_formats();
    const FormatInfo& format = *formats[input.byte() % formats.size()];
    auto parser = format.create();
    auto filter = format.create_filter ? format.create_filter() : nullptr;
    std::vector<Event> events;
    nettool::fuzz::for_each_piece(input.rest_text(), '\n', [&](std::string_view line) {
        const int sniffed = format.sniff(line);
        NETTOOL_FUZZ_CHECK(sniffed >= 0 && sniffed <= 2);
        const bool dismissed = filter && filter->dismisses(line);
        events.clear();
        const bool accepted = parser->parse(line, events);
        if (dismissed) NETTOOL_FUZZ_CHECK(accepted && events.empty());
    });
    return 0;
}
