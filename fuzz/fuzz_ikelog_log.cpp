// A whole IKE log through LogFeeder and the Analyzer, as read_log feeds a file: format detection on the first
// lines, mixed formats, over-long lines; then the report, its JSON and the human rendering.
#include "fuzz_input.hpp"
#include "fuzz_target.hpp"
#include "nettool/core/style.hpp"
#include "nettool/ikelog/ike_log.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

NETTOOL_FUZZ_TARGET(ikelog_log) {
    using namespace nettool;
    using namespace nettool::ikelog;
    Analyzer analyzer;
    const std::size_t file = analyzer.add_file("fuzz.log");
    {
        LogFeeder feeder(analyzer, file, nullptr);
        fuzz::for_each_piece(fuzz::as_text(data, size), '\n', [&](std::string_view line) {
            feeder.line(line.substr(0, max_line_bytes), line.size() > max_line_bytes);
        });
        feeder.flush(true);
    }
    const IkeReport report = analyzer.report();
    nlohmann::json document;
    to_json(document, report);
    (void)document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::ostringstream human;
    render_human(human, report, Style{});
    return 0;
}
