#pragma once
// Small helpers shared by the live and offline capture sources (private to nettool_io).
#include "nettool/core/error.hpp"
#include "nettool/io/capture.hpp"

#include <pcap/pcap.h>

#include <chrono>
#include <memory>
#include <string>

namespace nettool::capture_detail {

struct PcapCloser {
    void operator()(pcap_t* pcap) const noexcept {
        if (pcap != nullptr) pcap_close(pcap);
    }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

// A compiled BPF program, freed on destruction.
class CompiledFilter {
public:
    CompiledFilter() = default;
    ~CompiledFilter() {
        if (compiled_) pcap_freecode(&program_);
    }
    CompiledFilter(const CompiledFilter&) = delete;
    CompiledFilter& operator=(const CompiledFilter&) = delete;
    bool empty() const { return !compiled_; }
    const bpf_program* program() const { return &program_; }
    // Empty filter: nothing compiled, everything matches. Bad syntax: usage error with pcap's text.
    Status compile(pcap_t* pcap, const std::string& filter, const std::string& context);
    bool matches(const pcap_pkthdr& header, const u_char* data) const {
        return !compiled_ || pcap_offline_filter(&program_, &header, data) != 0;
    }

private:
    bpf_program program_{};
    bool compiled_ = false;
};

// Compiles and installs `filter` (nothing for an empty filter). A filter pcap cannot compile is a usage error
// carrying pcap's text; a kernel refusing a compiled filter is an environment error.
Status apply_filter(pcap_t* pcap, const std::string& filter, const std::string& context);

// The packet's timestamp in nanoseconds since the epoch.
inline std::chrono::nanoseconds timestamp_of(const pcap_pkthdr& header, bool nanosecond) {
    const auto seconds = std::chrono::seconds(header.ts.tv_sec);
    const auto fraction = nanosecond ? std::chrono::nanoseconds(header.ts.tv_usec)
                                     : std::chrono::nanoseconds(std::chrono::microseconds(header.ts.tv_usec));
    return std::chrono::duration_cast<std::chrono::nanoseconds>(seconds) + fraction;
}

}  // namespace nettool::capture_detail
