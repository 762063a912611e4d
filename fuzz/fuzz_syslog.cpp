// The syslog receiver (ike-log --listen): each datagram (datagrams are separated by the byte 0x1E in the input)
// through parse_syslog_datagram (RFC 3164, RFC 5424, bare) and, line by line, into the IKE log analyser, the way
// live.cpp's receiver hands them on.
#include "fuzz_input.hpp"
#include "fuzz_target.hpp"
#include "nettool/ikelog/ike_log.hpp"

NETTOOL_FUZZ_TARGET(syslog) {
    using namespace nettool;
    using namespace nettool::ikelog;
    Analyzer analyzer;
    const std::size_t file = analyzer.add_file("udp://127.0.0.1:5514");
    LogFeeder feeder(analyzer, file, nullptr);
    fuzz::for_each_piece(fuzz::as_text(data, size), '\x1e', [&](std::string_view datagram) {
        auto message = parse_syslog_datagram(datagram);
        if (!message) {
            NETTOOL_FUZZ_CHECK(!message.error().describe().empty());
            return;
        }
        NETTOOL_FUZZ_CHECK(message->facility >= -1 && message->facility < 24);
        NETTOOL_FUZZ_CHECK(message->severity >= -1 && message->severity < 8);
        fuzz::for_each_piece(message->line, '\n', [&](std::string_view line) {
            feeder.line(line, line.size() > max_line_bytes);
        });
        feeder.flush(false);
    });
    feeder.flush(true);
    (void)analyzer.report();
    return 0;
}
