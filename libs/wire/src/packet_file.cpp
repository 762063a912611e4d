// CaptureFileParser: pcap and pcapng framing. Every length from the file is checked against the bytes present and
// against hard caps before use; a corrupt file gives one line saying what and where, never a crash or a loop.
#include "nettool/wire/packet.hpp"

#include <algorithm>
#include <limits>

namespace nettool {

namespace {

constexpr std::uint32_t pcapng_section_header = 0x0A0D0D0A;
constexpr std::uint32_t pcapng_interface_description = 1;
constexpr std::uint32_t pcapng_obsolete_packet = 2;
constexpr std::uint32_t pcapng_simple_packet = 3;
constexpr std::uint32_t pcapng_enhanced_packet = 6;
constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;
constexpr std::size_t max_block_bytes = CaptureFileParser::max_record_bytes + 64 * 1024;

__extension__ typedef unsigned __int128 uint128;
__extension__ typedef __int128 int128;
constexpr std::int64_t max_offset_seconds = 9'000'000'000;  // keeps offset * 1e9 inside 64 bits

std::uint32_t le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::string hex_prefix(std::span<const std::uint8_t> input) {
    static const char digits[] = "0123456789abcdef";
    std::string text;
    for (std::size_t i = 0; i < std::min<std::size_t>(4, input.size()); ++i) {
        if (i) text += ' ';
        text += digits[input[i] >> 4];
        text += digits[input[i] & 15];
    }
    return text;
}

std::int64_t saturate(int128 value) {
    if (value > static_cast<int128>(std::numeric_limits<std::int64_t>::max())) {
        return std::numeric_limits<std::int64_t>::max();
    }
    if (value < static_cast<int128>(std::numeric_limits<std::int64_t>::min())) {
        return std::numeric_limits<std::int64_t>::min();
    }
    return static_cast<std::int64_t>(value);
}

}  // namespace

std::uint16_t CaptureFileParser::u16(const std::uint8_t* p) const {
    return big_endian_ ? static_cast<std::uint16_t>((p[0] << 8) | p[1])
                       : static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

std::uint32_t CaptureFileParser::u32(const std::uint8_t* p) const {
    return big_endian_ ? (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
                             (static_cast<std::uint32_t>(p[2]) << 8) | p[3]
                       : le32(p);
}

void CaptureFileParser::note_link_type(int link_type) {
    if (first_link_type_ < 0) first_link_type_ = link_type;
    if (std::find(link_types_.begin(), link_types_.end(), link_type) == link_types_.end()) {
        link_types_.push_back(link_type);
    }
}

CaptureFileParser::Outcome CaptureFileParser::fail(std::string message) {
    failed_ = true;
    error_ = std::move(message);
    return {Step::error, 0, 0};
}

CaptureFileParser::Outcome CaptureFileParser::next(std::span<const std::uint8_t> input, CaptureRecord& record) {
    if (failed_) return {Step::error, 0, 0};
    if (format_ == Format::unknown) return read_file_header(input);
    if (format_ == Format::pcap) return read_pcap_record(input, record);
    return read_pcapng_block(input, record);
}

CaptureFileParser::Outcome CaptureFileParser::read_file_header(std::span<const std::uint8_t> input) {
    if (input.size() < 4) return {Step::need_more, 0, 4};
    const std::uint32_t magic = le32(input.data());
    if (magic == pcapng_section_header) {
        format_ = Format::pcapng;
        return {Step::skipped, 0, 0};  // the section header is read as the first block
    }
    switch (magic) {
        case 0xa1b2c3d4: break;
        case 0xa1b23c4d: pcap_nanosecond_ = true; break;
        case 0xa1b2cd34: pcap_modified_ = true; break;
        case 0xd4c3b2a1: big_endian_ = true; break;
        case 0x4d3cb2a1: big_endian_ = true; pcap_nanosecond_ = true; break;
        case 0x34cdb2a1: big_endian_ = true; pcap_modified_ = true; break;
        default:
            return fail("not a pcap or pcapng capture file (it starts with bytes " + hex_prefix(input) + ")");
    }
    if (input.size() < 24) return {Step::need_more, 0, 24};
    const std::uint16_t major = u16(input.data() + 4);
    if (major != 2) return fail("unsupported pcap format version " + std::to_string(major));
    format_ = Format::pcap;
    nanosecond_ = pcap_nanosecond_;
    pcap_link_type_ = static_cast<int>(u32(input.data() + 20) & 0xffff);  // upper bits: FCS length flags
    note_link_type(pcap_link_type_);
    return {Step::skipped, 24, 0};
}

CaptureFileParser::Outcome CaptureFileParser::read_pcap_record(std::span<const std::uint8_t> input,
                                                               CaptureRecord& record) {
    const std::size_t header = pcap_modified_ ? 24 : 16;
    if (input.size() < header) return {Step::need_more, 0, header};
    const std::uint8_t* p = input.data();
    const std::uint32_t seconds = u32(p);
    const std::uint32_t fraction = u32(p + 4);
    const std::uint32_t captured = u32(p + 8);
    const std::uint32_t wire = u32(p + 12);
    if (captured > max_record_bytes) {
        return fail("corrupt record: captured length " + std::to_string(captured) + " is implausible");
    }
    if (input.size() < header + captured) return {Step::need_more, 0, header + captured};
    record.link_type = pcap_link_type_;
    record.timestamp_ns = static_cast<std::int64_t>(seconds) * 1'000'000'000 +
                          static_cast<std::int64_t>(fraction) * (pcap_nanosecond_ ? 1 : 1000);
    record.captured_length = captured;
    record.wire_length = wire;
    record.interface_id = 0;
    record.data = input.subspan(header, captured);
    return {Step::record, header + captured, 0};
}

CaptureFileParser::Outcome CaptureFileParser::read_section_header(std::span<const std::uint8_t> block) {
    // block: type, length, byte-order magic, major, minor, section length (8), options, length
    if (block.size() < 28) return fail("corrupt pcapng section header: too short");
    if (u16(block.data() + 12) != 1) {
        return fail("unsupported pcapng version " + std::to_string(u16(block.data() + 12)));
    }
    interfaces_.clear();  // interface ids are per section
    return {Step::skipped, block.size(), 0};
}

CaptureFileParser::Outcome CaptureFileParser::read_interface(std::span<const std::uint8_t> block,
                                                             std::size_t consumed) {
    if (block.size() < 20) return fail("corrupt pcapng interface description: too short");
    if (interfaces_.size() >= max_interfaces) return fail("corrupt pcapng file: too many interfaces");
    Interface interface;
    interface.link_type = u16(block.data() + 8);
    // Options: code(2) length(2) value padded to 4, up to the trailing block length.
    std::size_t position = 16;
    const std::size_t end = block.size() - 4;
    while (position + 4 <= end) {
        const std::uint16_t code = u16(block.data() + position);
        const std::uint16_t length = u16(block.data() + position + 2);
        const std::size_t padded = (static_cast<std::size_t>(length) + 3) & ~static_cast<std::size_t>(3);
        if (code == 0) break;  // opt_endofopt
        if (position + 4 + padded > end) return fail("corrupt pcapng interface description: option overruns block");
        const std::uint8_t* value = block.data() + position + 4;
        if (code == 9 && length >= 1) {  // if_tsresol
            interface.power_of_two = (value[0] & 0x80) != 0;
            interface.exponent = static_cast<std::uint8_t>(value[0] & 0x7f);
        } else if (code == 14 && length == 8) {  // if_tsoffset, seconds
            const std::uint64_t high = u32(value);
            const std::uint64_t low = u32(value + 4);
            const std::uint64_t raw = big_endian_ ? (high << 32) | low : (low << 32) | high;
            interface.offset_seconds =
                std::clamp(static_cast<std::int64_t>(raw), -max_offset_seconds, max_offset_seconds);
        }
        position += 4 + padded;
    }
    if ((interface.power_of_two && interface.exponent > 20) || (!interface.power_of_two && interface.exponent > 6)) {
        nanosecond_ = true;
    }
    interfaces_.push_back(interface);
    note_link_type(interface.link_type);
    return {Step::skipped, consumed, 0};
}

CaptureFileParser::Outcome CaptureFileParser::read_pcapng_block(std::span<const std::uint8_t> input,
                                                                CaptureRecord& record) {
    if (input.size() < 8) return {Step::need_more, 0, 8};
    const std::uint32_t raw_type = le32(input.data());
    if (raw_type == pcapng_section_header) {
        // The byte-order magic decides how to read everything in the section, including this block's length.
        if (input.size() < 12) return {Step::need_more, 0, 12};
        const std::uint32_t magic = le32(input.data() + 8);
        if (magic == byte_order_magic) {
            big_endian_ = false;
        } else if (magic == 0x4D3C2B1A) {
            big_endian_ = true;
        } else {
            return fail("corrupt pcapng section header: bad byte-order magic");
        }
    }
    const std::uint32_t type = u32(input.data());
    const std::uint32_t length = u32(input.data() + 4);
    if (length < 12 || length % 4 != 0 || length > max_block_bytes) {
        return fail("corrupt pcapng block (type " + std::to_string(type) + "): length " + std::to_string(length));
    }
    if (input.size() < length) return {Step::need_more, 0, length};
    const auto block = input.first(length);
    if (u32(block.data() + length - 4) != length) {
        return fail("corrupt pcapng block (type " + std::to_string(type) + "): trailing length differs");
    }
    if (type == pcapng_section_header) return read_section_header(block);
    if (type == pcapng_interface_description) return read_interface(block, length);

    std::uint32_t interface_id = 0;
    std::uint64_t ticks = 0;
    std::uint32_t captured = 0;
    std::uint32_t wire = 0;
    std::size_t data_offset = 0;
    const std::size_t body_end = length - 4;
    switch (type) {
        case pcapng_enhanced_packet:
        case pcapng_obsolete_packet:
            if (length < 32) return fail("corrupt pcapng packet block: too short");
            interface_id = type == pcapng_enhanced_packet ? u32(block.data() + 8) : u16(block.data() + 8);
            ticks = (static_cast<std::uint64_t>(u32(block.data() + 12)) << 32) | u32(block.data() + 16);
            captured = u32(block.data() + 20);
            wire = u32(block.data() + 24);
            data_offset = 28;
            if (captured > body_end - data_offset) {
                return fail("corrupt pcapng packet block: captured length " + std::to_string(captured) +
                            " exceeds the block");
            }
            break;
        case pcapng_simple_packet:
            if (length < 16) return fail("corrupt pcapng simple packet block: too short");
            wire = u32(block.data() + 8);
            data_offset = 12;
            captured = static_cast<std::uint32_t>(std::min<std::size_t>(wire, body_end - data_offset));
            break;
        default: return {Step::skipped, length, 0};  // statistics, name resolution, custom, ...
    }
    if (interface_id >= interfaces_.size()) {
        return fail("corrupt pcapng file: a packet refers to interface " + std::to_string(interface_id) +
                    ", which is not described");
    }
    const Interface& interface = interfaces_[interface_id];
    uint128 nanoseconds = 0;
    if (type != pcapng_simple_packet) {
        if (interface.power_of_two) {
            const unsigned shift = std::min<unsigned>(interface.exponent, 64);
            nanoseconds = shift == 64 ? 0 : (static_cast<uint128>(ticks) * 1'000'000'000u) >> shift;
        } else if (interface.exponent <= 9) {
            uint128 scale = 1;
            for (unsigned i = interface.exponent; i < 9; ++i) scale *= 10;
            nanoseconds = static_cast<uint128>(ticks) * scale;
        } else {
            uint128 divisor = 1;
            for (unsigned i = 9; i < interface.exponent && divisor <= static_cast<uint128>(ticks); ++i) divisor *= 10;
            nanoseconds = static_cast<uint128>(ticks) / divisor;
        }
    }
    record.link_type = interface.link_type;
    // ticks < 2^64 and scale <= 10^9 keep the product below 2^94: no overflow in 128 bits.
    record.timestamp_ns = saturate(static_cast<int128>(nanoseconds) +
                                   static_cast<int128>(interface.offset_seconds) * 1'000'000'000);
    record.captured_length = captured;
    record.wire_length = wire;
    record.interface_id = interface_id;
    record.data = block.subspan(data_offset, captured);
    return {Step::record, length, 0};
}

}  // namespace nettool
