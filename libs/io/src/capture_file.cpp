// Offline packet source: pcap and pcapng files (or "-" for stdin) through libpcap, a plain loop into the handler.
#include "capture_pcap.hpp"

#include <cstdio>
#include <unistd.h>

namespace nettool {

namespace {

using capture_detail::PcapHandle;

bool contains(const std::string& text, const char* needle) { return text.find(needle) != std::string::npos; }

// libpcap's open errors are precise but not always plain; turn the common ones into one clear line.
Error open_failure(const std::string& libpcap_message, const std::string& path, const std::string& context) {
    std::string detail = libpcap_message;
    // libpcap prefixes errno messages with the path; the context already names it.
    if (detail.rfind(path + ": ", 0) == 0) detail = detail.substr(path.size() + 2);
    if (contains(detail, "unknown file format") || contains(detail, "bad dump file format") ||
        contains(detail, "unsupported")) {
        return input_error("not a pcap or pcapng capture file (libpcap: " + detail + ")", context);
    }
    if (contains(detail, "only got 0") && contains(detail, "header")) {
        return input_error("the file is empty, not a capture file", context);
    }
    if (contains(detail, "truncated")) {
        return input_error("not a capture file: it ends inside the file header (libpcap: " + detail + ")", context);
    }
    return input_error("cannot open capture file: " + detail, context);
}

}  // namespace

Result<CaptureStats> read_capture_file(const std::string& path, const OfflineReadOptions& options,
                                       const PacketHandler& handler) {
    const std::string context = path == "-" ? std::string("stdin") : path;
    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    PcapHandle pcap;
    if (path == "-") {
        // A duplicate, so that pcap_close (which fcloses) leaves our stdin alone.
        const int fd = ::dup(STDIN_FILENO);
        std::FILE* file = fd >= 0 ? ::fdopen(fd, "rb") : nullptr;
        if (file == nullptr) {
            if (fd >= 0) ::close(fd);
            return input_error("cannot read standard input", context);
        }
        pcap.reset(pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf));
        if (!pcap) {
            std::fclose(file);
            return open_failure(errbuf, path, context);
        }
    } else {
        if (path.empty()) return usage_error("no capture file given");
        pcap.reset(pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf));
        if (!pcap) return open_failure(errbuf, path, context);
    }
    // The filter runs here rather than inside libpcap so that packet numbers stay the file's record numbers
    // (the numbers Wireshark shows), whatever the filter skips.
    capture_detail::CompiledFilter filter;
    if (auto compiled = filter.compile(pcap.get(), options.filter, context); !compiled) return compiled.error();

    CaptureStats stats;
    stats.link_type = pcap_datalink(pcap.get());
    stats.timestamps_nanosecond = pcap_get_tstamp_precision(pcap.get()) == PCAP_TSTAMP_PRECISION_NANO;
    std::uint64_t record = 0;
    CapturedPacket packet;
    packet.link_type = stats.link_type;
    while (!options.max_packets || stats.packets < *options.max_packets) {
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        const int rc = pcap_next_ex(pcap.get(), &header, &data);
        if (rc == 1) {
            ++record;
            if (!filter.matches(*header, data)) {
                ++stats.filtered_out;
                continue;
            }
            ++stats.packets;
            stats.bytes += header->len;
            packet.number = record;
            packet.timestamp = capture_detail::timestamp_of(*header, stats.timestamps_nanosecond);
            packet.captured_length = header->caplen;
            packet.wire_length = header->len;
            packet.data = {data, header->caplen};
            if (handler) handler(packet);
            continue;
        }
        if (rc == PCAP_ERROR) {
            // The file ended inside a record (a capture cut short) or a record is corrupt: keep what was read
            // and say why reading stopped.
            stats.file_error = pcap_geterr(pcap.get());
            stats.file_truncated = contains(stats.file_error, "truncated");
        }
        break;  // PCAP_ERROR_BREAK (-2) is the end of the file
    }
    return stats;
}

}  // namespace nettool
