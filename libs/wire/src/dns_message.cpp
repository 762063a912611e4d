// DNS wire format: query building, bounds-checked message parsing, type and rcode names, CNAME-chain lookup.
#include "nettool/wire/dns_message.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <unordered_set>
#include <utility>

namespace nettool {

namespace {

constexpr std::size_t header_size = 12;
constexpr std::size_t max_name_wire_length = 255;  // RFC 1035 2.3.4, length octets included
constexpr std::size_t max_label_length = 63;
constexpr std::size_t max_message_size = 65535;
constexpr int max_compression_jumps = 127;  // far more than any honest name needs (at most 127 labels)
constexpr std::size_t max_cname_hops = 16;

struct TypeName {
    std::uint16_t type;
    const char* name;
};

constexpr std::array<TypeName, 30> type_names{{
    {1, "A"},        {2, "NS"},       {5, "CNAME"},   {6, "SOA"},     {12, "PTR"},   {13, "HINFO"},
    {15, "MX"},      {16, "TXT"},     {17, "RP"},     {18, "AFSDB"},  {24, "SIG"},   {25, "KEY"},
    {28, "AAAA"},    {29, "LOC"},     {33, "SRV"},    {35, "NAPTR"},  {39, "DNAME"}, {41, "OPT"},
    {43, "DS"},      {46, "RRSIG"},   {47, "NSEC"},   {48, "DNSKEY"}, {50, "NSEC3"}, {51, "NSEC3PARAM"},
    {52, "TLSA"},    {64, "SVCB"},    {65, "HTTPS"},  {99, "SPF"},    {255, "ANY"},  {257, "CAA"},
}};

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}


std::string offset_text(std::size_t offset) { return "at offset " + std::to_string(offset); }

// Appends one label in presentation form: printable bytes as they are, '.' and '\' escaped, others as \DDD.
void append_label(std::string& out, const std::uint8_t* label, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) {
        const std::uint8_t byte = label[i];
        if (byte == '.' || byte == '\\') {
            out += '\\';
            out += static_cast<char>(byte);
        } else if (byte > 0x20 && byte < 0x7f) {
            out += static_cast<char>(byte);
        } else {
            out += '\\';
            out += static_cast<char>('0' + byte / 100);
            out += static_cast<char>('0' + (byte / 10) % 10);
            out += static_cast<char>('0' + byte % 10);
        }
    }
}

enum class ParseFailure { none, out_of_data, malformed };

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> wire) : wire_(wire) {}

    std::size_t size() const { return wire_.size(); }
    const std::uint8_t* data() const { return wire_.data(); }

    // The result and, on failure, whether it was a plain end-of-data (tolerated in a TC answer).
    struct NameResult {
        std::string name;
        std::size_t next = 0;  // offset after the name at its original position
        ParseFailure failure = ParseFailure::none;
        std::string error;
    };

    NameResult read_name(std::size_t offset) const {
        NameResult result;
        std::size_t pos = offset;
        std::size_t lowest = offset;  // every pointer must go below everything read so far: no loops possible
        std::size_t wire_length = 0;
        int jumps = 0;
        bool jumped = false;
        std::string out;
        while (true) {
            if (pos >= wire_.size()) {
                return fail(result, ParseFailure::out_of_data, "name runs past the end of the message " +
                                                                   offset_text(pos));
            }
            const std::uint8_t length = wire_[pos];
            if ((length & 0xC0) == 0xC0) {
                if (pos + 1 >= wire_.size()) {
                    return fail(result, ParseFailure::out_of_data,
                                "compression pointer cut off by the end of the message " + offset_text(pos));
                }
                const std::size_t target = (static_cast<std::size_t>(length & 0x3F) << 8) | wire_[pos + 1];
                if (!jumped) {
                    result.next = pos + 2;
                    jumped = true;
                }
                if (target >= pos) {
                    return fail(result, ParseFailure::malformed,
                                "forward compression pointer " + offset_text(pos) + " (to " + std::to_string(target) +
                                    ")");
                }
                if (target >= lowest || ++jumps > max_compression_jumps) {
                    return fail(result, ParseFailure::malformed, "compression loop " + offset_text(pos));
                }
                lowest = target;
                pos = target;
                continue;
            }
            if ((length & 0xC0) != 0) {
                return fail(result, ParseFailure::malformed,
                            "unsupported label type (length byte " + std::to_string(length) + ") " +
                                offset_text(pos));
            }
            if (length == 0) {
                wire_length += 1;
                if (!jumped) result.next = pos + 1;
                break;
            }
            wire_length += 1 + static_cast<std::size_t>(length);
            if (wire_length + 1 > max_name_wire_length) {
                return fail(result, ParseFailure::malformed, "name longer than 255 bytes " + offset_text(offset));
            }
            if (pos + 1 + length > wire_.size()) {
                return fail(result, ParseFailure::out_of_data,
                            "label runs past the end of the message " + offset_text(pos));
            }
            if (!out.empty()) out += '.';
            append_label(out, wire_.data() + pos + 1, length);
            pos += 1 + static_cast<std::size_t>(length);
        }
        result.name = out.empty() ? std::string(".") : std::move(out);
        return result;
    }

    std::uint16_t u16(std::size_t offset) const {
        return static_cast<std::uint16_t>((wire_[offset] << 8) | wire_[offset + 1]);
    }
    std::uint32_t u32(std::size_t offset) const {
        return (static_cast<std::uint32_t>(wire_[offset]) << 24) | (static_cast<std::uint32_t>(wire_[offset + 1]) << 16) |
               (static_cast<std::uint32_t>(wire_[offset + 2]) << 8) | static_cast<std::uint32_t>(wire_[offset + 3]);
    }

private:
    static NameResult fail(NameResult& result, ParseFailure failure, std::string error) {
        result.failure = failure;
        result.error = std::move(error);
        return result;
    }
    std::span<const std::uint8_t> wire_;
};

// A name inside rdata: decompressed against the whole message but its own bytes must stay inside the rdata.
bool rdata_name(const Reader& reader, std::size_t offset, std::size_t rdata_end, std::string& name,
                std::size_t& next) {
    Reader bounded(std::span<const std::uint8_t>(reader.data(), rdata_end));
    // Pointers may reach back before the rdata (that is what compression is for), never past its end: reading
    // with the message cut at rdata_end checks both the in-rdata bytes and the pointer targets.
    auto result = bounded.read_name(offset);
    if (result.failure != ParseFailure::none) return false;
    name = std::move(result.name);
    next = result.next;
    return true;
}

// Fills the typed view of a record; false when the rdata does not fit the type (the record is kept raw).
bool parse_rdata(const Reader& reader, std::size_t start, std::size_t length, DnsRecord& record) {
    const std::size_t end = start + length;
    const std::uint8_t* bytes = reader.data() + start;
    switch (record.type) {
        case dns_type::a:
            if (length != 4) return false;
            record.address = IpAddress::from_v4_bytes(std::span<const std::uint8_t>(bytes, 4));
            return true;
        case dns_type::aaaa:
            if (length != 16) return false;
            record.address = IpAddress::from_v6_bytes(std::span<const std::uint8_t>(bytes, 16));
            return true;
        case dns_type::txt:
        case dns_type::spf: {
            if (length == 0) return false;  // at least one character-string (RFC 1035 3.3.14)
            std::vector<std::string> texts;
            std::size_t pos = 0;
            while (pos < length) {
                const std::size_t text_length = bytes[pos];
                if (pos + 1 + text_length > length) return false;
                texts.emplace_back(reinterpret_cast<const char*>(bytes + pos + 1), text_length);
                pos += 1 + text_length;
            }
            record.texts = std::move(texts);
            return true;
        }
        case dns_type::cname:
        case dns_type::ns:
        case dns_type::ptr: {
            std::size_t next = 0;
            std::string target;
            if (!rdata_name(reader, start, end, target, next) || next != end) return false;
            record.target = std::move(target);
            return true;
        }
        case dns_type::mx: {
            if (length < 3) return false;
            std::size_t next = 0;
            std::string target;
            if (!rdata_name(reader, start + 2, end, target, next) || next != end) return false;
            record.preference = reader.u16(start);
            record.target = std::move(target);
            return true;
        }
        case dns_type::soa: {
            DnsSoa soa;
            std::size_t next = 0;
            if (!rdata_name(reader, start, end, soa.mname, next)) return false;
            if (!rdata_name(reader, next, end, soa.rname, next)) return false;
            if (next + 20 != end) return false;
            soa.serial = reader.u32(next);
            soa.refresh = reader.u32(next + 4);
            soa.retry = reader.u32(next + 8);
            soa.expire = reader.u32(next + 12);
            soa.minimum = reader.u32(next + 16);
            record.soa = std::move(soa);
            return true;
        }
        default:
            return true;  // no typed view; raw rdata only
    }
}

}  // namespace

std::string dns_type_name(std::uint16_t type) {
    for (const auto& entry : type_names) {
        if (entry.type == type) return entry.name;
    }
    return "TYPE" + std::to_string(type);
}

std::optional<std::uint16_t> dns_type_from_name(std::string_view name) {
    for (const auto& entry : type_names) {
        if (iequals(name, entry.name)) return entry.type;
    }
    if (name.size() > 4 && iequals(name.substr(0, 4), "TYPE")) {
        auto digits = name.substr(4);
        if (digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        unsigned value = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || ptr != digits.data() + digits.size() || value > 65535) return std::nullopt;
        return static_cast<std::uint16_t>(value);
    }
    return std::nullopt;
}

std::string dns_rcode_name(int rcode) {
    switch (rcode) {
        case 0: return "NOERROR";
        case 1: return "FORMERR";
        case 2: return "SERVFAIL";
        case 3: return "NXDOMAIN";
        case 4: return "NOTIMP";
        case 5: return "REFUSED";
        case 6: return "YXDOMAIN";
        case 7: return "YXRRSET";
        case 8: return "NXRRSET";
        case 9: return "NOTAUTH";
        case 10: return "NOTZONE";
        case 16: return "BADVERS";
        default: return "RCODE" + std::to_string(rcode);
    }
}

namespace {

// A name in presentation form (\DDD and \X escapes, a trailing dot accepted) in uncompressed wire form.
Result<std::vector<std::uint8_t>> encode_name(std::string_view name) {
    std::vector<std::uint8_t> encoded;
    if (name.empty()) return input_error("empty DNS name");
    if (name != ".") {
        std::vector<std::uint8_t> label;
        bool trailing_dot = false;
        auto finish_label = [&]() -> Status {
            if (label.empty()) return input_error("empty label in DNS name", std::string(name));
            if (label.size() > max_label_length) {
                return input_error("label longer than 63 bytes in DNS name", std::string(name));
            }
            encoded.push_back(static_cast<std::uint8_t>(label.size()));
            encoded.insert(encoded.end(), label.begin(), label.end());
            label.clear();
            return Ok{};
        };
        for (std::size_t i = 0; i < name.size(); ++i) {
            const char c = name[i];
            trailing_dot = false;
            if (c == '.') {
                if (auto status = finish_label(); !status) return status.error();
                trailing_dot = true;
            } else if (c == '\\') {
                if (i + 1 >= name.size()) return input_error("DNS name ends in a lone backslash", std::string(name));
                const char next = name[i + 1];
                if (next >= '0' && next <= '9') {
                    if (i + 3 >= name.size() || !(name[i + 2] >= '0' && name[i + 2] <= '9') ||
                        !(name[i + 3] >= '0' && name[i + 3] <= '9')) {
                        return input_error("bad \\DDD escape in DNS name", std::string(name));
                    }
                    const int value = (next - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
                    if (value > 255) return input_error("bad \\DDD escape in DNS name", std::string(name));
                    label.push_back(static_cast<std::uint8_t>(value));
                    i += 3;
                } else {
                    label.push_back(static_cast<std::uint8_t>(next));
                    i += 1;
                }
            } else {
                label.push_back(static_cast<std::uint8_t>(c));
            }
        }
        if (!trailing_dot) {
            if (auto status = finish_label(); !status) return status.error();
        }
    }
    encoded.push_back(0);
    if (encoded.size() > max_name_wire_length) {
        return input_error("DNS name longer than 255 bytes", std::string(name));
    }
    return encoded;
}

}  // namespace

Result<std::vector<std::uint8_t>> build_dns_query(const DnsQuerySpec& spec) {
    auto name = encode_name(spec.name);
    if (!name) return name.error();
    const std::vector<std::uint8_t>& encoded = *name;

    std::vector<std::uint8_t> wire;
    wire.reserve(header_size + encoded.size() + 4 + 11);
    auto put16 = [&wire](std::uint16_t value) {
        wire.push_back(static_cast<std::uint8_t>(value >> 8));
        wire.push_back(static_cast<std::uint8_t>(value & 0xFF));
    };
    put16(spec.id);
    wire.push_back(spec.recursion_desired ? 0x01 : 0x00);  // QR=0, opcode QUERY, RD
    wire.push_back(0x00);
    put16(1);                                  // QDCOUNT
    put16(0);                                  // ANCOUNT
    put16(0);                                  // NSCOUNT
    put16(spec.edns_udp_size != 0 ? 1 : 0);   // ARCOUNT
    wire.insert(wire.end(), encoded.begin(), encoded.end());
    put16(spec.type);
    put16(spec.klass);
    if (spec.edns_udp_size != 0) {
        wire.push_back(0);  // root owner
        put16(dns_type::opt);
        put16(spec.edns_udp_size);
        wire.push_back(0);                            // extended rcode
        wire.push_back(0);                            // version 0
        wire.push_back(spec.dnssec_ok ? 0x80 : 0x00); // DO
        wire.push_back(0);
        put16(0);  // no options
    }
    return wire;
}

Result<DnsMessage> parse_dns_message(std::span<const std::uint8_t> wire) {
    if (wire.size() < header_size) {
        return input_error("DNS message too short: " + std::to_string(wire.size()) + " bytes, the header needs 12");
    }
    if (wire.size() > max_message_size) {
        return input_error("DNS message longer than 65535 bytes (" + std::to_string(wire.size()) + ")");
    }
    const Reader reader(wire);
    DnsMessage message;
    message.id = reader.u16(0);
    const std::uint8_t flags1 = wire[2];
    const std::uint8_t flags2 = wire[3];
    message.qr = (flags1 & 0x80) != 0;
    message.opcode = static_cast<std::uint8_t>((flags1 >> 3) & 0x0F);
    message.aa = (flags1 & 0x04) != 0;
    message.tc = (flags1 & 0x02) != 0;
    message.rd = (flags1 & 0x01) != 0;
    message.ra = (flags2 & 0x80) != 0;
    message.ad = (flags2 & 0x20) != 0;
    message.cd = (flags2 & 0x10) != 0;
    message.rcode = flags2 & 0x0F;
    const std::size_t qdcount = reader.u16(4);
    const std::array<std::size_t, 3> rr_counts{reader.u16(6), reader.u16(8), reader.u16(10)};
    const std::size_t total_rrs = rr_counts[0] + rr_counts[1] + rr_counts[2];

    // Cheap gate against counts the message cannot hold (a question takes >= 5 bytes, a record >= 11).
    const std::size_t available = wire.size() - header_size;
    const std::size_t needed = qdcount * 5 + total_rrs * 11;
    if (needed > available && !message.tc) {
        return input_error("DNS header counts " + std::to_string(qdcount) + " questions and " +
                           std::to_string(total_rrs) + " records but only " + std::to_string(available) +
                           " bytes follow the header");
    }

    std::size_t pos = header_size;
    for (std::size_t i = 0; i < qdcount; ++i) {
        auto name = reader.read_name(pos);
        if (name.failure != ParseFailure::none) return input_error("question " + std::to_string(i + 1) + ": " + name.error);
        if (name.next + 4 > wire.size()) {
            return input_error("question " + std::to_string(i + 1) + " cut off " + offset_text(name.next));
        }
        DnsQuestion question;
        question.name = std::move(name.name);
        question.type = reader.u16(name.next);
        question.klass = reader.u16(name.next + 2);
        message.questions.push_back(std::move(question));
        pos = name.next + 4;
    }

    bool seen_opt = false;
    static constexpr std::array<const char*, 3> section_names{"answer", "authority", "additional"};
    for (std::size_t section = 0; section < 3; ++section) {
        for (std::size_t i = 0; i < rr_counts[section]; ++i) {
            const std::size_t record_start = pos;
            auto where = [&] {
                return std::string(section_names[section]) + " record " + std::to_string(i + 1) + " " +
                       offset_text(record_start);
            };
            auto name = reader.read_name(pos);
            ParseFailure failure = name.failure;
            std::string error = name.error;
            if (failure == ParseFailure::none && name.next + 10 > wire.size()) {
                failure = ParseFailure::out_of_data;
                error = "record header cut off by the end of the message";
            }
            std::size_t rdlength = 0;
            if (failure == ParseFailure::none) {
                rdlength = reader.u16(name.next + 8);
                if (name.next + 10 + rdlength > wire.size()) {
                    failure = ParseFailure::out_of_data;
                    error = "rdata of " + std::to_string(rdlength) + " bytes runs past the end of the message";
                }
            }
            if (failure != ParseFailure::none) {
                if (failure == ParseFailure::out_of_data && message.tc) {
                    // A truncated answer: keep what came, count the rest.
                    std::size_t seen = i;
                    for (std::size_t s = 0; s < section; ++s) seen += rr_counts[s];
                    message.missing_records = total_rrs - seen;
                    return message;
                }
                return input_error(where() + ": " + error);
            }
            DnsRecord record;
            record.name = std::move(name.name);
            record.type = reader.u16(name.next);
            record.klass = reader.u16(name.next + 2);
            record.ttl = reader.u32(name.next + 4);
            const std::size_t rdata_start = name.next + 10;
            record.rdata.assign(wire.begin() + static_cast<std::ptrdiff_t>(rdata_start),
                                wire.begin() + static_cast<std::ptrdiff_t>(rdata_start + rdlength));
            pos = rdata_start + rdlength;

            if (record.type == dns_type::opt && section == 2) {
                if (seen_opt) return input_error(where() + ": more than one OPT record");
                if (record.name != ".") return input_error(where() + ": OPT record not owned by the root");
                seen_opt = true;
                message.edns_udp_size = record.klass;
                message.rcode |= static_cast<int>((record.ttl >> 24) & 0xFF) << 4;
                message.edns_dnssec_ok = (record.ttl & 0x8000) != 0;
                continue;
            }
            if (!parse_rdata(reader, rdata_start, rdlength, record)) ++message.skipped_records;
            auto& target = section == 0 ? message.answers : section == 1 ? message.authority : message.additional;
            target.push_back(std::move(record));
        }
    }
    return message;
}

namespace {

// The form names are compared in: uncompressed wire form in ASCII lower case, so "A b.test" (a raw space, as SPF
// macros produce), "a\\032b.test" (as the parser prints it) and "a\\ b.test." are one name. A name that cannot be
// encoded compares as its own text, behind a prefix no wire name starts with.
std::string comparable_name(std::string_view name) {
    std::string out;
    if (auto wire = encode_name(name)) {
        for (std::uint8_t byte : *wire) out += ascii_lower(static_cast<char>(byte));  // length bytes are < 64
    } else {
        out = "~";
        for (char c : name) out += ascii_lower(c);
    }
    return out;
}

}  // namespace

std::vector<const DnsRecord*> answers_for(const DnsMessage& message, std::string_view name, std::uint16_t type) {
    std::vector<const DnsRecord*> found;
    std::string current = comparable_name(name);
    std::unordered_set<std::string> visited;
    for (std::size_t hop = 0; hop <= max_cname_hops; ++hop) {
        if (!visited.insert(current).second) break;  // CNAME loop
        const DnsRecord* alias = nullptr;
        for (const auto& record : message.answers) {
            if (comparable_name(record.name) != current) continue;
            if (record.type == type) {
                found.push_back(&record);
            } else if (record.type == dns_type::cname && alias == nullptr && !record.target.empty()) {
                alias = &record;
            }
        }
        if (!found.empty() || alias == nullptr || type == dns_type::cname) break;
        current = comparable_name(alias->target);
    }
    return found;
}

}  // namespace nettool
