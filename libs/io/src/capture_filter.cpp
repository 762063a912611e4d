#include "capture_pcap.hpp"

namespace nettool::capture_detail {

Status CompiledFilter::compile(pcap_t* pcap, const std::string& filter, const std::string& context) {
    if (filter.empty()) return Ok{};
    if (pcap_compile(pcap, &program_, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        return usage_error("bad capture filter '" + filter + "': " + pcap_geterr(pcap), context);
    }
    compiled_ = true;
    return Ok{};
}

Status apply_filter(pcap_t* pcap, const std::string& filter, const std::string& context) {
    if (filter.empty()) return Ok{};
    CompiledFilter compiled;
    if (auto status = compiled.compile(pcap, filter, context); !status) return status;
    const int rc = pcap_setfilter(pcap, const_cast<bpf_program*>(compiled.program()));
    if (rc != 0) return environment_error("cannot install capture filter: " + std::string(pcap_geterr(pcap)), context);
    return Ok{};
}

}  // namespace nettool::capture_detail
