#pragma once
// Where the resolvers to test come from, and the default --reach target. The deciding parts are pure (text in,
// values out); find_resolvers / find_default_gateway only add the file reading.
#include "nettool/core/error.hpp"
#include "nettool/dnscheck/model.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::dnscheck {

struct SelectedResolver {
    DnsServer server;
    std::string source;  // "--server", "/etc/resolv.conf", "/run/systemd/resolve/resolv.conf (upstream of ...)"
};

struct ResolverSelection {
    std::vector<SelectedResolver> resolvers;
    std::vector<std::string> files;  // files read (or "--server")
    std::vector<std::string> notes;  // skipped lines, the stub detection, unreadable upstream lists
    // The main file's "options timeout/attempts/rotate": how getaddrinfo fails over (glibc defaults otherwise).
    int stub_timeout_s = 5;
    int stub_attempts = 2;
    bool stub_rotate = false;
};

// The systemd-resolved stub listener address.
bool is_systemd_stub(const DnsServer& server);

// `explicit_servers` win when not empty. Else the nameservers of `main_text` (read from `main_path`; nullopt: the
// file could not be read); when one of them is the systemd-resolved stub 127.0.0.53, the upstream servers of
// `stub_text` (from `stub_path`) are tested too, after it. Duplicates are kept out.
ResolverSelection select_resolvers(const std::vector<DnsServer>& explicit_servers, const std::string& main_path,
                                   const std::optional<std::string>& main_text, const std::string& stub_path,
                                   const std::optional<std::string>& stub_text);

// Reads the files the request names. An explicitly given --resolv-conf that cannot be read is an input error;
// an unreadable default file gives an empty selection with a note (so the result says no_resolver).
Result<ResolverSelection> find_resolvers(const DnsCheckRequest& request);

// The IPv4 default gateway in /proc/net/route text (destination and mask 0, RTF_GATEWAY set; the lowest metric
// wins); nullopt when there is none or the text is not a route table.
std::optional<IpAddress> parse_default_gateway(std::string_view proc_net_route);

// Reads a whole small text file; nullopt when it cannot be read (or is larger than 1 MiB).
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace nettool::dnscheck
