// A whole pcap/pcapng file through CaptureFileParser, as read_capture_file feeds it, and every record through the
// P2P analyser (decode_packet, flow table, payload signatures): `nettool p2p -r` without libpcap's BPF.
#include "fuzz_target.hpp"
#include "nettool/p2p/analyzer.hpp"
#include "nettool/wire/packet.hpp"

#include <chrono>

NETTOOL_FUZZ_TARGET(capture_file) {
    using namespace nettool;
    const std::span<const std::uint8_t> file(data, size);
    CaptureFileParser parser;
    p2p::Analyzer analyzer({});
    std::size_t position = 0;
    std::uint64_t number = 0;
    while (true) {
        CaptureRecord record;
        const auto rest = file.subspan(position);
        const bool knew_format = parser.format() != CaptureFileParser::Format::unknown;
        const auto outcome = parser.next(rest, record);
        if (outcome.step == CaptureFileParser::Step::error) {
            NETTOOL_FUZZ_CHECK(!parser.error().empty());
            break;
        }
        if (outcome.step == CaptureFileParser::Step::need_more) {
            // The whole file is there: asking for more than is left means it is truncated, and the reader stops.
            NETTOOL_FUZZ_CHECK(outcome.needed > rest.size());
            break;
        }
        // Every record or skipped block moves forward, inside the input (only recognising pcapng consumes
        // nothing: its section header is then read as the first block).
        NETTOOL_FUZZ_CHECK((outcome.consumed > 0 || !knew_format) && outcome.consumed <= rest.size());
        if (outcome.step == CaptureFileParser::Step::record) {
            NETTOOL_FUZZ_CHECK(record.data.data() >= rest.data() &&
                               record.data.data() + record.data.size() <= rest.data() + outcome.consumed);
            NETTOOL_FUZZ_CHECK(record.data.size() == record.captured_length);
            analyzer.add_frame(++number, std::chrono::nanoseconds(record.timestamp_ns), record.link_type,
                               record.data, record.wire_length);
        }
        position += outcome.consumed;
    }
    (void)analyzer.finish();
    return 0;
}
