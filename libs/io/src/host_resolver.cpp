// Host names to addresses: literals, then the hosts file, then A and AAAA through the DnsClient, concurrently.
#include "nettool/io/host_resolver.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace nettool {

namespace {

constexpr std::size_t max_host_name_length = 255;

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string normalized_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (char c : name) out += ascii_lower(c);
    while (out.size() > 1 && out.back() == '.') out.pop_back();
    return out;
}

bool family_wanted(const IpAddress& address, HostFamily family) {
    switch (family) {
        case HostFamily::any: return address.valid();
        case HostFamily::v4: return address.is_v4();
        case HostFamily::v6: return address.is_v6();
    }
    return false;
}

std::string family_words(HostFamily family) {
    switch (family) {
        case HostFamily::v4: return "IPv4 address";
        case HostFamily::v6: return "IPv6 address";
        case HostFamily::any: break;
    }
    return "IPv4 or IPv6 address";
}

void add_unique(std::vector<IpAddress>& addresses, const IpAddress& address) {
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) addresses.push_back(address);
}

}  // namespace

const char* to_string(HostFamily family) {
    switch (family) {
        case HostFamily::any: return "any";
        case HostFamily::v4: return "v4";
        case HostFamily::v6: return "v6";
    }
    return "any";
}

HostsFile parse_hosts_file(std::string_view text) {
    HostsFile hosts;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        std::vector<std::string_view> words;
        std::size_t pos = 0;
        while (pos < line.size()) {
            while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\r')) ++pos;
            std::size_t word_end = pos;
            while (word_end < line.size() && line[word_end] != ' ' && line[word_end] != '\t' && line[word_end] != '\r')
                ++word_end;
            if (word_end > pos) words.push_back(line.substr(pos, word_end - pos));
            pos = word_end;
        }
        if (words.empty()) continue;
        std::string_view address_text = words[0];
        if (auto percent = address_text.find('%'); percent != std::string_view::npos) {
            address_text = address_text.substr(0, percent);
        }
        auto address = IpAddress::parse(address_text);
        if (!address || words.size() < 2) {
            ++hosts.skipped_lines;
            continue;
        }
        HostsEntry entry;
        entry.address = *address;
        bool bad_name = false;
        for (std::size_t i = 1; i < words.size(); ++i) {
            if (words[i].size() > max_host_name_length) {
                bad_name = true;
                break;
            }
            entry.names.emplace_back(words[i]);
        }
        if (bad_name) {
            ++hosts.skipped_lines;
            continue;
        }
        hosts.entries.push_back(std::move(entry));
    }
    return hosts;
}

std::vector<IpAddress> HostsFile::lookup(std::string_view name, HostFamily family) const {
    std::vector<IpAddress> found;
    const std::string wanted = normalized_name(name);
    if (wanted.empty()) return found;
    for (const auto& entry : entries) {
        if (!family_wanted(entry.address, family)) continue;
        for (const auto& candidate : entry.names) {
            if (normalized_name(candidate) == wanted) {
                add_unique(found, entry.address);
                break;
            }
        }
    }
    return found;
}

Result<HostsFile> read_hosts_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return environment_error(std::string("cannot read: ") + std::strerror(errno), path);
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return environment_error("read error", path);
    return parse_hosts_file(text.str());
}

namespace {

struct Request {
    std::string host;
    HostResolveOptions options;
    HostResolveCallback callback;
    int outstanding = 0;
    std::optional<DnsResult> a;
    std::optional<DnsResult> aaaa;
    std::optional<Error> start_error;  // a query that could not even start
};

std::string servers_text(const DnsQueryOptions& options, const DnsClient& dns) {
    const auto& servers = options.servers.empty() ? dns.default_servers() : options.servers;
    std::string text;
    for (const auto& server : servers) {
        if (!text.empty()) text += ", ";
        text += server.to_string();
    }
    return text;
}

// Addresses, or the most telling error, from the A and AAAA outcomes.
Result<std::vector<IpAddress>> conclude(const Request& request, const DnsClient& dns) {
    std::vector<IpAddress> addresses;
    for (const auto* result : {&request.a, &request.aaaa}) {
        if (!result->has_value()) continue;
        for (const auto* record : (*result)->records()) {
            if (record->address && family_wanted(*record->address, request.options.family)) {
                add_unique(addresses, *record->address);
            }
        }
    }
    if (!addresses.empty()) return addresses;

    const std::string servers = servers_text(request.options.dns, dns);
    const std::string& host = request.host;
    if (request.start_error) return *request.start_error;
    std::vector<const DnsResult*> results;
    for (const auto* result : {&request.a, &request.aaaa}) {
        if (result->has_value()) results.push_back(&**result);
    }
    auto any_outcome = [&](DnsOutcome outcome) {
        return std::any_of(results.begin(), results.end(), [&](const DnsResult* r) { return r->outcome == outcome; });
    };
    if (any_outcome(DnsOutcome::cancelled)) return internal_error("host name resolution cancelled", host);
    if (any_outcome(DnsOutcome::nxdomain)) {
        return input_error("no such host (NXDOMAIN from " + servers + ")", host);
    }
    const bool all_empty = std::all_of(results.begin(), results.end(), [](const DnsResult* r) {
        return r->outcome == DnsOutcome::nodata || r->outcome == DnsOutcome::answer;
    });
    if (all_empty) return input_error("the name has no " + family_words(request.options.family), host);
    // Report the first real failure.
    for (const DnsResult* result : results) {
        switch (result->outcome) {
            case DnsOutcome::answer:
            case DnsOutcome::nodata: continue;
            case DnsOutcome::timeout: {
                const auto ms = request.options.dns.timeout.count();
                return environment_error("DNS timeout: no answer from " + servers + " within " + std::to_string(ms) +
                                             " ms x " + std::to_string(request.options.dns.tries) + " tries",
                                         host);
            }
            case DnsOutcome::connection_refused:
                return environment_error("DNS server refused the connection (" + servers + ")", host);
            case DnsOutcome::bad_response:
                return environment_error("unusable DNS answer from " + servers + ": " + result->error_text, host);
            case DnsOutcome::network_error:
                return environment_error("network error asking " + servers + ": " + result->error_text, host);
            default: {
                const std::string rcode = result->message ? dns_rcode_name(result->message->rcode)
                                                          : std::string(to_string(result->outcome));
                return environment_error("DNS server answered " + rcode + " (" + servers + ")", host);
            }
        }
    }
    return environment_error("no address found", host);
}

}  // namespace

struct HostResolver::Impl : std::enable_shared_from_this<HostResolver::Impl> {
    explicit Impl(DnsClient& client) : dns(client) {}

    void post(HostResolveCallback callback, Result<std::vector<IpAddress>> result) {
        boost::asio::post(dns.io_context(), [callback = std::move(callback), result = std::move(result)]() mutable {
            callback(std::move(result));
        });
    }

    void dns_done(std::uint64_t id, bool is_a, DnsResult result) {
        auto self = shared_from_this();  // a callback may destroy the HostResolver; we stay valid until we return
        auto found = requests.find(id);
        if (found == requests.end()) return;  // cancelled meanwhile
        Request& request = *found->second;
        (is_a ? request.a : request.aaaa) = std::move(result);
        if (--request.outstanding > 0) return;
        finish(found);
    }

    void finish(std::map<std::uint64_t, std::unique_ptr<Request>>::iterator found) {
        std::unique_ptr<Request> request = std::move(found->second);
        requests.erase(found);
        auto outcome = conclude(*request, dns);
        request->callback(std::move(outcome));
    }

    void cancel_everything(bool now) {
        auto pending = std::move(requests);
        requests.clear();
        for (auto& [id, request] : pending) {
            Error cancelled = internal_error("host name resolution cancelled", request->host);
            if (now) {
                try {
                    request->callback(cancelled);
                } catch (...) {  // NOLINT(bugprone-empty-catch): destructors cannot report it
                }
            } else {
                post(std::move(request->callback), cancelled);
            }
        }
    }

    DnsClient& dns;
    std::map<std::uint64_t, std::unique_ptr<Request>> requests;
    std::uint64_t next_id = 1;
};

HostResolver::HostResolver(DnsClient& dns) : impl_(std::make_shared<Impl>(dns)) {}

HostResolver::~HostResolver() { impl_->cancel_everything(true); }

void HostResolver::resolve(const std::string& host, const HostResolveOptions& options, HostResolveCallback callback) {
    if (!callback) return;
    std::string_view text = host;
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);

    if (auto literal = IpAddress::parse(text)) {
        if (!family_wanted(*literal, options.family)) {
            impl_->post(std::move(callback), input_error(std::string("address is not an ") +
                                                             (options.family == HostFamily::v4 ? "IPv4" : "IPv6") +
                                                             " address",
                                                         host));
        } else {
            impl_->post(std::move(callback), std::vector<IpAddress>{*literal});
        }
        return;
    }
    if (text.empty()) {
        impl_->post(std::move(callback), input_error("empty host name"));
        return;
    }
    if (text.size() > max_host_name_length || text.find_first_of(" \t\r\n") != std::string_view::npos) {
        impl_->post(std::move(callback), input_error("not a valid host name", host));
        return;
    }
    if (!options.hosts_path.empty()) {
        auto hosts = read_hosts_file(options.hosts_path);  // a missing or unreadable file counts as empty
        if (hosts) {
            auto found = hosts->lookup(text, options.family);
            if (!found.empty()) {
                impl_->post(std::move(callback), std::move(found));
                return;
            }
        }
    }

    const std::uint64_t id = impl_->next_id++;
    auto request = std::make_unique<Request>();
    request->host = std::string(text);
    request->options = options;
    request->callback = std::move(callback);
    Request& pending = *request;
    impl_->requests.emplace(id, std::move(request));

    std::vector<std::pair<std::uint16_t, bool>> queries;
    if (options.family != HostFamily::v6) queries.emplace_back(dns_type::a, true);
    if (options.family != HostFamily::v4) queries.emplace_back(dns_type::aaaa, false);
    std::weak_ptr<Impl> weak = impl_;
    for (const auto& [type, is_a] : queries) {
        auto started = impl_->dns.query(pending.host, type, options.dns, [weak, id, is_a = is_a](DnsResult result) {
            if (auto self = weak.lock()) self->dns_done(id, is_a, std::move(result));
        });
        if (started) {
            ++pending.outstanding;
        } else if (!pending.start_error) {
            pending.start_error = started.error();
        }
    }
    if (pending.outstanding == 0) {
        // Nothing went out (bad name, no server): report it on the io_context like any other result.
        auto found = impl_->requests.find(id);
        std::unique_ptr<Request> failed = std::move(found->second);
        impl_->requests.erase(found);
        impl_->post(std::move(failed->callback), *failed->start_error);
    }
}

void HostResolver::cancel_all() { impl_->cancel_everything(false); }

std::size_t HostResolver::in_flight() const { return impl_->requests.size(); }

Result<std::vector<IpAddress>> resolve_host_blocking(const std::string& host, const HostResolveOptions& options,
                                                     std::vector<DnsServer> default_servers) {
    IoContext io;
    DnsClient dns(io, std::move(default_servers));
    std::optional<Result<std::vector<IpAddress>>> outcome;
    {
        HostResolver resolver(dns);
        resolver.resolve(host, options, [&outcome](Result<std::vector<IpAddress>> result) {
            outcome.emplace(std::move(result));
        });
        io.run();
    }
    if (!outcome) return internal_error("host name resolution did not complete", host);
    return std::move(*outcome);
}

}  // namespace nettool
