#pragma once
// `nettool exporter --config FILE`: a JSON document. Pure: text in, struct out, one-line errors.
//   {
//     "listen": "127.0.0.1:9798",                   // --listen wins over it
//     "allowed_targets": ["10.0.0.0/8", "192.0.2.7"],  // replaces the default (private, loopback, link-local)
//     "max_concurrent_probes": 4,
//     "dns_servers": ["10.0.0.53"],                  // for names (spf, ping targets); default /etc/resolv.conf
//     "ike_logs": [{"path": "/var/log/charon.log", "format": "strongswan"}],  // format optional (auto)
//     "syslog": ["udp://0.0.0.0:5514"]              // routers' IKE logs by syslog
//   }
#include "nettool/core/error.hpp"
#include "nettool/exporter/target_policy.hpp"
#include "nettool/wire/dns_server.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace nettool::exporter {

inline constexpr const char* default_listen = "127.0.0.1:9798";
inline constexpr std::size_t max_probe_concurrency = 64;

struct IkeLogSource {
    std::string path;
    std::string format;  // empty: detect
};

struct ExporterConfig {
    std::string listen = default_listen;
    TargetPolicy policy;
    std::size_t max_concurrent_probes = 4;
    std::vector<DnsServer> dns_servers;
    std::vector<IkeLogSource> ike_logs;
    std::vector<std::string> syslog;
};

// Unknown keys are errors too (a typo must not silently widen or narrow what the exporter does).
Result<ExporterConfig> parse_config(std::string_view json_text);

// "127.0.0.1:9798", "[::1]:9798", ":9798" (all addresses), port 0 for any free one; a usage Error otherwise.
struct ListenAddress {
    IpAddress address;
    bool any = false;
    std::uint16_t port = 0;
};
Result<ListenAddress> parse_listen(std::string_view text);

}  // namespace nettool::exporter
