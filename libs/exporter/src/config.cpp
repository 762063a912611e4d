#include "nettool/exporter/config.hpp"

#include "nettool/ikelog/format.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace nettool::exporter {

namespace {

Result<std::vector<std::string>> strings(const nlohmann::json& value, const std::string& key) {
    if (!value.is_array()) return input_error("\"" + key + "\" must be a list of strings");
    std::vector<std::string> out;
    for (const auto& item : value) {
        if (!item.is_string()) return input_error("\"" + key + "\" must be a list of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

}  // namespace

Result<ListenAddress> parse_listen(std::string_view text) {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return usage_error("listen address '" + std::string(text) + "' needs :PORT");
    std::string_view host = text.substr(0, colon);
    std::string_view port_text = text.substr(colon + 1);
    ListenAddress out;
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        return usage_error("listen address '" + std::string(text) + "': port must be 0-65535 (0: any free port)");
    }
    out.port = static_cast<std::uint16_t>(port);
    if (host.empty()) {
        out.any = true;
        return out;
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    auto address = IpAddress::parse(host);
    if (!address) return usage_error("listen address '" + std::string(text) + "': '" + std::string(host) +
                                     "' is not an IP address");
    out.address = *address;
    return out;
}

Result<ExporterConfig> parse_config(std::string_view json_text) {
    nlohmann::json document = nlohmann::json::parse(json_text, nullptr, false);
    if (document.is_discarded()) return input_error("the config is not valid JSON");
    if (!document.is_object()) return input_error("the config must be a JSON object");
    ExporterConfig config;
    for (const auto& [key, value] : document.items()) {
        if (key == "listen") {
            if (!value.is_string()) return input_error("\"listen\" must be a string like \"127.0.0.1:9798\"");
            config.listen = value.get<std::string>();
            if (auto ok = parse_listen(config.listen); !ok) return input_error(ok.error().message);
        } else if (key == "allowed_targets") {
            auto list = strings(value, key);
            if (!list) return list.error();
            for (const auto& text : *list) {
                auto prefix = IpPrefix::parse(text);
                if (!prefix) return input_error("\"allowed_targets\": '" + text + "' is not an address or CIDR prefix");
                config.policy.allowed.push_back(*prefix);
            }
            if (config.policy.allowed.empty()) return input_error("\"allowed_targets\" is empty: nothing could be probed");
        } else if (key == "max_concurrent_probes") {
            if (!value.is_number_unsigned() || value.get<std::size_t>() == 0 ||
                value.get<std::size_t>() > max_probe_concurrency) {
                return input_error("\"max_concurrent_probes\" must be 1-" + std::to_string(max_probe_concurrency));
            }
            config.max_concurrent_probes = value.get<std::size_t>();
        } else if (key == "dns_servers") {
            auto list = strings(value, key);
            if (!list) return list.error();
            for (const auto& text : *list) {
                auto server = DnsServer::parse(text);
                if (!server) return input_error("\"dns_servers\": " + server.error().message);
                config.dns_servers.push_back(*server);
            }
        } else if (key == "ike_logs") {
            if (!value.is_array()) return input_error("\"ike_logs\" must be a list of {\"path\": ..., \"format\": ...}");
            for (const auto& item : value) {
                if (!item.is_object() || !item.contains("path") || !item["path"].is_string()) {
                    return input_error("\"ike_logs\": every entry needs a \"path\" string");
                }
                IkeLogSource source{item["path"].get<std::string>(), ""};
                for (const auto& [field, field_value] : item.items()) {
                    if (field == "format") {
                        if (!field_value.is_string()) return input_error("\"ike_logs\": \"format\" must be a string");
                        source.format = field_value.get<std::string>();
                        if (!ikelog::find_format(source.format)) {
                            return input_error("\"ike_logs\": unknown format '" + source.format + "'");
                        }
                    } else if (field != "path") {
                        return input_error("\"ike_logs\": unknown key \"" + field + "\"");
                    }
                }
                config.ike_logs.push_back(std::move(source));
            }
        } else if (key == "syslog") {
            auto list = strings(value, key);
            if (!list) return list.error();
            for (const auto& endpoint : *list) {
                if (endpoint.rfind("udp://", 0) != 0) return input_error("\"syslog\": '" + endpoint + "' must be udp://ADDR:PORT");
                if (auto ok = parse_listen(endpoint.substr(6)); !ok) return input_error("\"syslog\": " + ok.error().message);
            }
            config.syslog = *list;
        } else {
            return input_error("unknown key \"" + key + "\" in the config");
        }
    }
    return config;
}

}  // namespace nettool::exporter
