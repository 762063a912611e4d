#include "nettool/dnscheck/sources.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

namespace nettool::dnscheck {
namespace {

void add_unique(ResolverSelection& selection, const DnsServer& server, const std::string& source) {
    for (const auto& r : selection.resolvers) {
        if (r.server == server) return;
    }
    selection.resolvers.push_back(SelectedResolver{server, source});
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

std::optional<std::uint32_t> parse_hex32(std::string_view text) {
    if (text.empty() || text.size() > 8) return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<std::uint32_t> parse_dec32(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

bool is_systemd_stub(const DnsServer& server) {
    static const IpAddress stub = *IpAddress::parse("127.0.0.53");
    return server.address == stub && server.port == 53;
}

ResolverSelection select_resolvers(const std::vector<DnsServer>& explicit_servers, const std::string& main_path,
                                   const std::optional<std::string>& main_text, const std::string& stub_path,
                                   const std::optional<std::string>& stub_text) {
    ResolverSelection selection;
    if (!explicit_servers.empty()) {
        selection.files.push_back("--server");
        for (const auto& s : explicit_servers) add_unique(selection, s, "--server");
        return selection;
    }
    selection.files.push_back(main_path);
    if (!main_text) {
        selection.notes.push_back(main_path + " could not be read");
        return selection;
    }
    ResolvConf conf = parse_resolv_conf(*main_text);
    selection.stub_timeout_s = conf.timeout_s;
    selection.stub_attempts = conf.attempts;
    selection.stub_rotate = conf.rotate;
    if (conf.skipped_lines > 0) {
        selection.notes.push_back(main_path + ": " + std::to_string(conf.skipped_lines) + " line" +
                                  (conf.skipped_lines == 1 ? "" : "s") + " not understood (skipped)");
    }
    bool stub = false;
    for (const auto& s : conf.nameservers) {
        add_unique(selection, s, main_path);
        stub = stub || is_systemd_stub(s);
    }
    if (!stub) return selection;

    selection.notes.push_back("127.0.0.53 is the systemd-resolved stub; its upstream servers from " + stub_path +
                              " are tested too");
    if (!stub_text) {
        selection.notes.push_back(stub_path + " could not be read: the stub's upstream servers are not tested");
        return selection;
    }
    selection.files.push_back(stub_path);
    ResolvConf upstream = parse_resolv_conf(*stub_text);
    if (upstream.skipped_lines > 0) {
        selection.notes.push_back(stub_path + ": " + std::to_string(upstream.skipped_lines) + " line" +
                                  (upstream.skipped_lines == 1 ? "" : "s") + " not understood (skipped)");
    }
    std::size_t before = selection.resolvers.size();
    for (const auto& s : upstream.nameservers) {
        if (is_systemd_stub(s)) continue;  // a stub listing itself would only repeat the first test
        add_unique(selection, s, stub_path + " (upstream of the systemd-resolved stub)");
    }
    if (selection.resolvers.size() == before) {
        selection.notes.push_back(stub_path + " names no upstream server");
    }
    return selection;
}

std::optional<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text;
    constexpr std::size_t limit = 1 << 20;
    char buffer[4096];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (text.size() > limit) return std::nullopt;
    }
    if (in.bad()) return std::nullopt;
    return text;
}

Result<ResolverSelection> find_resolvers(const DnsCheckRequest& request) {
    if (!request.servers.empty()) {
        return select_resolvers(request.servers, "", std::nullopt, "", std::nullopt);
    }
    auto main_text = read_text_file(request.resolv_conf_path);
    if (!main_text && request.resolv_conf_explicit) {
        return input_error("cannot read the resolver file", request.resolv_conf_path);
    }
    std::optional<std::string> stub_text;
    if (main_text) {
        ResolvConf conf = parse_resolv_conf(*main_text);
        if (std::any_of(conf.nameservers.begin(), conf.nameservers.end(), is_systemd_stub)) {
            stub_text = read_text_file(request.systemd_upstream_path);
        }
    }
    return select_resolvers({}, request.resolv_conf_path, main_text, request.systemd_upstream_path, stub_text);
}

std::optional<IpAddress> parse_default_gateway(std::string_view text) {
    std::optional<IpAddress> best;
    std::uint32_t best_metric = std::numeric_limits<std::uint32_t>::max();
    bool header = true;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        auto fields = split_fields(line);
        if (header) {
            // "Iface Destination Gateway Flags RefCnt Use Metric Mask ..." - anything else is not a route table.
            if (fields.size() < 8 || fields[1] != "Destination" || fields[2] != "Gateway" || fields[3] != "Flags" ||
                fields[6] != "Metric" || fields[7] != "Mask") {
                return std::nullopt;
            }
            header = false;
            continue;
        }
        if (fields.size() < 8) continue;
        auto destination = parse_hex32(fields[1]);
        auto gateway = parse_hex32(fields[2]);
        auto flags = parse_hex32(fields[3]);
        auto metric = parse_dec32(fields[6]);
        auto mask = parse_hex32(fields[7]);
        if (!destination || !gateway || !flags || !metric || !mask) continue;
        constexpr std::uint32_t rtf_up = 0x1, rtf_gateway = 0x2;
        if (*destination != 0 || *mask != 0 || (*flags & rtf_up) == 0 || (*flags & rtf_gateway) == 0 ||
            *gateway == 0) {
            continue;
        }
        // The kernel prints the address in host byte order of a little-endian machine: bytes reversed.
        std::uint8_t bytes[4] = {static_cast<std::uint8_t>(*gateway & 0xff),
                                 static_cast<std::uint8_t>((*gateway >> 8) & 0xff),
                                 static_cast<std::uint8_t>((*gateway >> 16) & 0xff),
                                 static_cast<std::uint8_t>((*gateway >> 24) & 0xff)};
        if (*metric < best_metric) {
            best_metric = *metric;
            best = IpAddress::from_v4_bytes(bytes);
        }
    }
    return best;
}

}  // namespace nettool::dnscheck
