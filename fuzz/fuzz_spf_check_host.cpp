// check_host() and lint_domain() over a DNS table made of the input: hostile records, loops, huge MX/PTR sets,
// macros everywhere. Input lines are "NAME TYPE VALUE" (TYPE one of TXT A MX PTR NX NODATA ERROR); the check
// starts at example.com for 192.0.2.3 / 2001:db8::3 and sender user@example.com.
#include "fuzz_target.hpp"
#include "fuzz_input.hpp"
#include "nettool/spf/check_host.hpp"
#include "nettool/spf/lint.hpp"
#include "nettool/spf/lookup.hpp"
#include "nettool/wire/dns_message.hpp"

#include <map>
#include <string>
#include <vector>

namespace {

std::string_view next_word(std::string_view& line) {
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    const auto end = line.find(' ');
    const auto word = line.substr(0, end);
    line = end == std::string_view::npos ? std::string_view{} : line.substr(end + 1);
    return word;
}

}  // namespace

NETTOOL_FUZZ_TARGET(spf_check_host) {
    using namespace nettool;
    using namespace nettool::spf;
    std::map<std::string, std::vector<std::string>> txt, mx, ptr;
    std::map<std::string, std::vector<std::string>> addresses;
    TableResolver dns;
    std::size_t lines = 0;
    fuzz::for_each_piece(fuzz::as_text(data, size), '\n', [&](std::string_view line) {
        if (++lines > 200) return;
        const std::string name(next_word(line));
        const std::string_view type = next_word(line);
        if (name.empty()) return;
        if (type == "TXT") txt[name].emplace_back(line);
        else if (type == "A") addresses[name].emplace_back(line);
        else if (type == "MX") mx[name].emplace_back(line);
        else if (type == "PTR") ptr[name].emplace_back(line);
        else if (type == "NX") dns.status(name, dns_type::a, LookupStatus::nxdomain);
        else if (type == "NODATA") dns.status(name, dns_type::txt, LookupStatus::nodata);
        else if (type == "ERROR") dns.status(name, dns_type::txt, LookupStatus::error);
    });
    for (auto& [name, records] : txt) dns.txt(name, records);
    for (auto& [name, names] : mx) dns.mx(name, names);
    for (auto& [name, names] : ptr) dns.ptr(name, names);
    for (auto& [name, ips] : addresses) {
        for (const auto& ip : ips) {
            if (IpAddress::parse(ip)) dns.address(name, ip);
        }
    }

    for (const char* ip : {"192.0.2.3", "2001:db8::3"}) {
        CheckRequest request;
        request.ip = *IpAddress::parse(ip);
        request.sender = "user@example.com";
        request.helo = "mail.example.com";
        std::function<CheckResult(DnsView&)> compute = [&](DnsView& view) { return check_host(view, request); };
        if (auto result = run_with_dns(dns, compute, check_host_prefetcher(request))) {
            NETTOOL_FUZZ_CHECK(result->lookups <= request.limits.max_lookups + 1);
        }
    }
    std::function<LintReport(DnsView&)> lint = [&](DnsView& view) { return lint_domain(view, "example.com"); };
    (void)run_with_dns(dns, lint, lint_prefetcher());
    return 0;
}
