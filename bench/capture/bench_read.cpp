// Capture-layer benchmark driver.
//   bench_read generate IN.pcap OUT.pcap COUNT   repeat IN's packets until COUNT records, timestamps increasing
//   bench_read nettool FILE                      read_capture_file + decode_packet on every packet
//   bench_read libpcap FILE                      bare libpcap loop: pcap_open_offline + pcap_next_ex, nothing else
// Prints "<mode> packets=<n> ok=<decoded ok> seconds=<wall>" on one line.
#include "nettool/io/capture.hpp"
#include "nettool/wire/packet.hpp"

#include <pcap/pcap.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int generate(const char* in, const char* out, long count) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* source = pcap_open_offline(in, errbuf);
    if (source == nullptr) {
        std::fprintf(stderr, "%s\n", errbuf);
        return 1;
    }
    std::vector<std::pair<pcap_pkthdr, std::vector<u_char>>> packets;
    pcap_pkthdr* header;
    const u_char* data;
    while (pcap_next_ex(source, &header, &data) == 1) packets.emplace_back(*header, std::vector<u_char>(data, data + header->caplen));
    pcap_t* dead = pcap_open_dead(pcap_datalink(source), 262144);
    pcap_dumper_t* dumper = pcap_dump_open(dead, out);
    if (dumper == nullptr || packets.empty()) {
        std::fprintf(stderr, "cannot write %s\n", out);
        return 1;
    }
    for (long i = 0; i < count; ++i) {
        auto [h, bytes] = packets[static_cast<std::size_t>(i) % packets.size()];
        h.ts.tv_sec = 1700000000 + i / 1000;
        h.ts.tv_usec = (i % 1000) * 1000;
        pcap_dump(reinterpret_cast<u_char*>(dumper), &h, bytes.data());
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
    pcap_close(source);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 5 && std::string(argv[1]) == "generate") return generate(argv[2], argv[3], std::atol(argv[4]));
    if (argc != 3) {
        std::fprintf(stderr, "usage: bench_read generate IN OUT COUNT | nettool FILE | libpcap FILE\n");
        return 2;
    }
    const std::string mode = argv[1];
    const double start = now();
    std::uint64_t packets = 0;
    std::uint64_t ok = 0;
    if (mode == "nettool") {
        nettool::PacketView view;
        auto stats = nettool::read_capture_file(argv[2], {}, [&](const nettool::CapturedPacket& packet) {
            ++packets;
            ok += nettool::decode_packet(packet.link_type, packet.data, view) == nettool::DecodeStatus::ok;
        });
        if (!stats) {
            std::fprintf(stderr, "%s\n", stats.error().describe().c_str());
            return 1;
        }
    } else if (mode == "libpcap") {
        char errbuf[PCAP_ERRBUF_SIZE];
        pcap_t* pcap = pcap_open_offline(argv[2], errbuf);
        if (pcap == nullptr) {
            std::fprintf(stderr, "%s\n", errbuf);
            return 1;
        }
        pcap_pkthdr* header;
        const u_char* data;
        std::uint64_t bytes = 0;
        while (pcap_next_ex(pcap, &header, &data) == 1) {
            ++packets;
            bytes += data[header->caplen / 2];  // touch the data, as any consumer would
        }
        ok = bytes == 0xffffffffffffffffull;  // keeps the loop from being optimised away
        pcap_close(pcap);
    } else {
        std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
        return 2;
    }
    std::printf("%s packets=%llu ok=%llu seconds=%.4f\n", mode.c_str(), static_cast<unsigned long long>(packets),
                static_cast<unsigned long long>(ok), now() - start);
    return 0;
}
