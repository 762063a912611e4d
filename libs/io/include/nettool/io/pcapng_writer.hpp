#pragma once
// Writes captured packets to a pcapng file (what `-w FILE` saves): a Section Header Block, one Interface
// Description Block (link type, snapshot length, nanosecond time stamps) and an Enhanced Packet Block per packet.
// Buffered in user space (1 MiB), so the capture path makes no system call per packet.
#include "nettool/core/error.hpp"
#include "nettool/io/capture.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace nettool {

class PcapngWriter {
public:
    // Creates (truncates) `path`; "-" writes to standard output.
    static Result<std::unique_ptr<PcapngWriter>> create(const std::string& path, int link_type, int snaplen,
                                                        const std::string& interface_name);
    ~PcapngWriter();
    PcapngWriter(const PcapngWriter&) = delete;
    PcapngWriter& operator=(const PcapngWriter&) = delete;

    void write(const CapturedPacket& packet);
    // Flushes and closes; the first write error (disk full, ...) is reported here.
    Status close();
    std::uint64_t packets() const { return packets_; }
    const std::string& path() const { return path_; }

private:
    PcapngWriter(std::FILE* file, std::string path, bool owned);
    void append(const void* data, std::size_t size);
    std::FILE* file_;
    std::string path_;
    bool owned_;
    bool failed_ = false;
    int error_ = 0;
    std::vector<char> buffer_;
    std::uint64_t packets_ = 0;
};

}  // namespace nettool
