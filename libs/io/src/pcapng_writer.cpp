#include "nettool/io/pcapng_writer.hpp"

#include <cerrno>
#include <cstring>

namespace nettool {

namespace {

constexpr std::uint32_t section_header_block = 0x0A0D0D0A;
constexpr std::uint32_t interface_description_block = 0x00000001;
constexpr std::uint32_t enhanced_packet_block = 0x00000006;
constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;
constexpr std::uint16_t option_end = 0, option_if_name = 2, option_if_tsresol = 9;

std::size_t padded(std::size_t size) { return (size + 3) & ~std::size_t{3}; }

// Little helpers that lay out blocks in host byte order (pcapng readers use the section's byte-order magic).
struct Block {
    std::vector<std::uint8_t> bytes;
    void u16(std::uint16_t v) { raw(&v, 2); }
    void u32(std::uint32_t v) { raw(&v, 4); }
    void raw(const void* data, std::size_t size) {
        // resize + memcpy: GCC 12 at -O3 reports a false -Wstringop-overflow on vector::insert here.
        std::size_t at = bytes.size();
        bytes.resize(at + size);
        std::memcpy(bytes.data() + at, data, size);
    }
    void pad() { bytes.resize(padded(bytes.size()), 0); }
    void option(std::uint16_t code, const void* data, std::uint16_t size) {
        u16(code);
        u16(size);
        raw(data, size);
        pad();
    }
    // Type and both total-length fields around the body.
    std::vector<std::uint8_t> finish(std::uint32_t type) const {
        auto total = static_cast<std::uint32_t>(bytes.size() + 12);
        std::vector<std::uint8_t> out(12 + bytes.size());
        std::memcpy(out.data(), &type, 4);
        std::memcpy(out.data() + 4, &total, 4);
        std::memcpy(out.data() + 8, bytes.data(), bytes.size());
        std::memcpy(out.data() + 8 + bytes.size(), &total, 4);
        return out;
    }
};

}  // namespace

PcapngWriter::PcapngWriter(std::FILE* file, std::string path, bool owned)
    : file_(file), path_(std::move(path)), owned_(owned) {
    buffer_.reserve(1 << 20);
}

PcapngWriter::~PcapngWriter() { (void)close(); }

Result<std::unique_ptr<PcapngWriter>> PcapngWriter::create(const std::string& path, int link_type, int snaplen,
                                                           const std::string& interface_name) {
    bool to_stdout = path == "-";
    std::FILE* file = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
    if (!file) return environment_error(std::string("cannot create the capture file: ") + std::strerror(errno), path);
    std::unique_ptr<PcapngWriter> writer(new PcapngWriter(file, path, !to_stdout));

    Block shb;
    shb.u32(byte_order_magic);
    shb.u16(1);  // major
    shb.u16(0);  // minor
    std::int64_t unknown_length = -1;
    shb.raw(&unknown_length, 8);
    auto section = shb.finish(section_header_block);
    writer->append(section.data(), section.size());

    Block idb;
    idb.u16(static_cast<std::uint16_t>(link_type));
    idb.u16(0);  // reserved
    idb.u32(static_cast<std::uint32_t>(snaplen));
    if (!interface_name.empty() && interface_name.size() < 256) {
        idb.option(option_if_name, interface_name.data(), static_cast<std::uint16_t>(interface_name.size()));
    }
    std::uint8_t nanoseconds = 9;
    idb.option(option_if_tsresol, &nanoseconds, 1);
    idb.u16(option_end);
    idb.u16(0);
    auto interface = idb.finish(interface_description_block);
    writer->append(interface.data(), interface.size());
    return writer;
}

void PcapngWriter::write(const CapturedPacket& packet) {
    if (failed_) return;
    auto ns = static_cast<std::uint64_t>(packet.timestamp.count());
    std::uint32_t header[5] = {0, static_cast<std::uint32_t>(ns >> 32), static_cast<std::uint32_t>(ns & 0xFFFFFFFFu),
                               static_cast<std::uint32_t>(packet.data.size()), packet.wire_length};
    std::uint32_t type = enhanced_packet_block;
    auto total = static_cast<std::uint32_t>(12 + sizeof header + padded(packet.data.size()));
    static const std::uint8_t zeros[4] = {0, 0, 0, 0};
    append(&type, 4);
    append(&total, 4);
    append(header, sizeof header);
    append(packet.data.data(), packet.data.size());
    append(zeros, padded(packet.data.size()) - packet.data.size());
    append(&total, 4);
    ++packets_;
}

void PcapngWriter::append(const void* data, std::size_t size) {
    if (failed_ || size == 0) return;
    if (buffer_.size() + size > buffer_.capacity()) {
        if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
            failed_ = true;
            error_ = errno;
            return;
        }
        buffer_.clear();
        if (size > buffer_.capacity()) {
            if (std::fwrite(data, 1, size, file_) != size) {
                failed_ = true;
                error_ = errno;
            }
            return;
        }
    }
    std::size_t at = buffer_.size();
    buffer_.resize(at + size);
    std::memcpy(buffer_.data() + at, data, size);
}

Status PcapngWriter::close() {
    if (!file_) return failed_ ? Status(environment_error(std::string("writing failed: ") + std::strerror(error_), path_))
                               : Status(Ok{});
    if (!failed_ && !buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
        failed_ = true;
        error_ = errno;
    }
    buffer_.clear();
    if (std::fflush(file_) != 0 && !failed_) {
        failed_ = true;
        error_ = errno;
    }
    if (owned_ && std::fclose(file_) != 0 && !failed_) {
        failed_ = true;
        error_ = errno;
    }
    file_ = nullptr;
    if (failed_) return environment_error(std::string("writing failed: ") + std::strerror(error_), path_);
    return Ok{};
}

}  // namespace nettool
