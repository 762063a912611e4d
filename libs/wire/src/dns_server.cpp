#include "nettool/wire/dns_server.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>

namespace nettool {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view digits) {
    unsigned value = 0;
    if (digits.empty() || digits.size() > 5) return std::nullopt;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

Result<DnsServer> DnsServer::parse(std::string_view text) {
    const std::string shown(text);
    auto bad = [&](const std::string& why) {
        return usage_error("invalid DNS server '" + shown + "': " + why + " (expected IP, IP:PORT or [IPv6]:PORT)");
    };
    DnsServer server;
    std::string_view host = text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return bad("missing ']'");
        host = text.substr(1, close - 1);
        auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return bad("junk after ']'");
            auto port = parse_port(rest.substr(1));
            if (!port) return bad("port must be 1-65535");
            server.port = *port;
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        auto colon = text.find(':');
        host = text.substr(0, colon);
        auto port = parse_port(text.substr(colon + 1));
        if (!port) return bad("port must be 1-65535");
        server.port = *port;
    }
    auto address = IpAddress::parse(host);
    if (!address) return bad("not an IP address");
    server.address = *address;
    return server;
}

std::string DnsServer::to_string() const {
    if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(port);
    return address.to_string() + ":" + std::to_string(port);
}

ResolvConf parse_resolv_conf(std::string_view text) {
    ResolvConf conf;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        auto comment = line.find_first_of("#;");
        if (comment != std::string::npos) line.erase(comment);
        std::istringstream words(line);
        std::string keyword;
        if (!(words >> keyword)) continue;
        if (keyword == "nameserver") {
            std::string value;
            if (!(words >> value)) {
                ++conf.skipped_lines;
                continue;
            }
            if (auto zone = value.find('%'); zone != std::string::npos) value.erase(zone);
            auto address = IpAddress::parse(value);
            if (!address) {
                ++conf.skipped_lines;
                continue;
            }
            DnsServer server{*address, 53};
            if (std::find(conf.nameservers.begin(), conf.nameservers.end(), server) == conf.nameservers.end()) {
                conf.nameservers.push_back(server);
            }
        } else if (keyword == "search" || keyword == "domain") {
            conf.search.clear();
            std::string domain;
            while (words >> domain) conf.search.push_back(domain);
        } else if (keyword == "options") {
            std::string option;
            while (words >> option) {
                if (option == "rotate") {
                    conf.rotate = true;
                    continue;
                }
                auto colon = option.find(':');
                if (colon == std::string::npos) continue;  // edns0, ...: not about names or waiting
                std::string name = option.substr(0, colon);
                int value = 0;
                const char* first = option.data() + colon + 1;
                const char* last = option.data() + option.size();
                if (std::from_chars(first, last, value).ec != std::errc() || value < 0) continue;
                if (name == "ndots") conf.ndots = std::min(value, 15);
                if (name == "timeout") conf.timeout_s = std::clamp(value, 1, 30);
                if (name == "attempts") conf.attempts = std::clamp(value, 1, 5);
            }
        } else if (keyword == "sortlist") {
            // understood and irrelevant to which servers are asked
        } else {
            ++conf.skipped_lines;
        }
    }
    return conf;
}

}  // namespace nettool
