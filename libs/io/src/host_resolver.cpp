// Host names to addresses: literals; the system's getaddrinfo() on a helper thread (HostLookup::system); or the
// hosts file, then A and AAAA through the DnsClient, concurrently (HostLookup::dns_client).
#include "nettool/io/host_resolver.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <span>
#include <sstream>
#include <thread>

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

std::vector<std::string> search_candidates(std::string_view name, const std::vector<std::string>& search, int ndots) {
    std::vector<std::string> out;
    if (name.empty()) return out;
    if (name.back() == '.') {
        std::string_view bare = name.substr(0, name.size() - 1);
        out.emplace_back(bare.empty() ? std::string_view(".") : bare);
        return out;
    }
    const auto dots = static_cast<int>(std::count(name.begin(), name.end(), '.'));
    auto add = [&out](std::string candidate) {
        if (std::find(out.begin(), out.end(), candidate) == out.end()) out.push_back(std::move(candidate));
    };
    if (dots >= ndots) add(std::string(name));
    for (const auto& domain : search) {
        std::string_view suffix = domain;
        while (!suffix.empty() && suffix.back() == '.') suffix.remove_suffix(1);
        if (suffix.empty()) continue;
        add(std::string(name) + "." + std::string(suffix));
    }
    if (dots < ndots) add(std::string(name));
    return out;
}

std::vector<std::string> parse_nsswitch_hosts(std::string_view text) {
    std::vector<std::string> services;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        // "hosts:files dns" and "hosts : files" are as valid as "hosts: files".
        if (auto colon = line.find(':'); colon != std::string::npos) line.replace(colon, 1, " : ");
        std::istringstream words(line);
        std::string database;
        if (!(words >> database) || database != "hosts") continue;
        services.clear();  // glibc: the last hosts line counts
        std::string word;
        bool in_action = false;
        while (words >> word) {
            if (word == ":") continue;
            if (!in_action && word.front() == '[') in_action = true;
            if (in_action) {
                if (word.back() == ']') in_action = false;
                continue;
            }
            if (!word.empty() && word.front() == ':') word.erase(0, 1);
            if (!word.empty()) services.push_back(word);
        }
    }
    return services;
}

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string seconds_text(double ms) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f s", ms / 1000.0);
    return buffer;
}

std::string joined(const std::vector<std::string>& items, const char* separator = ", ") {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

// What getaddrinfo() said, carried from the helper thread to the io_context.
struct SystemAnswer {
    int status = 0;  // getaddrinfo's return value
    int error_number = 0;  // errno, for EAI_SYSTEM
    std::string canonical_name;
    std::vector<IpAddress> addresses;  // in getaddrinfo's order (RFC 6724 / gai.conf), without duplicates
    std::vector<std::uint32_t> scope_ids;  // per address
};

SystemAnswer system_lookup(const std::string& name, HostFamily family) {
    addrinfo hints{};
    hints.ai_family = family == HostFamily::v4 ? AF_INET : family == HostFamily::v6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;  // one entry per address (getent ahosts shows each once per socket type)
    hints.ai_flags = AI_ADDRCONFIG | AI_CANONNAME;  // as getent ahosts asks
    addrinfo* list = nullptr;
    SystemAnswer answer;
    answer.status = ::getaddrinfo(name.c_str(), nullptr, &hints, &list);
    answer.error_number = errno;
    if (answer.status != 0) return answer;
    for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
        if (entry->ai_canonname != nullptr && answer.canonical_name.empty()) answer.canonical_name = entry->ai_canonname;
        IpAddress address;
        std::uint32_t scope_id = 0;
        if (entry->ai_family == AF_INET && entry->ai_addrlen >= sizeof(sockaddr_in)) {
            sockaddr_in sin{};
            std::memcpy(&sin, entry->ai_addr, sizeof sin);
            address = IpAddress::v4(ntohl(sin.sin_addr.s_addr));
        } else if (entry->ai_family == AF_INET6 && entry->ai_addrlen >= sizeof(sockaddr_in6)) {
            sockaddr_in6 sin6{};
            std::memcpy(&sin6, entry->ai_addr, sizeof sin6);
            address = IpAddress::from_v6_bytes(std::span<const std::uint8_t>(sin6.sin6_addr.s6_addr, 16));
            scope_id = sin6.sin6_scope_id;
        }
        if (address.valid() &&
            std::find(answer.addresses.begin(), answer.addresses.end(), address) == answer.addresses.end()) {
            answer.addresses.push_back(address);
            answer.scope_ids.push_back(scope_id);
        }
    }
    ::freeaddrinfo(list);
    return answer;
}

// The helper threads post through this while the resolver lives; the resolver's destructor closes it.
struct PostGate {
    std::mutex mutex;
    IoContext* io = nullptr;
};

struct Request {
    std::string host;
    HostResolveOptions options;
    HostResolutionCallback callback;
    Clock::time_point start = Clock::now();
    int outstanding = 0;
    std::optional<DnsResult> a;
    std::optional<DnsResult> aaaa;
    std::optional<Error> start_error;  // a query that could not even start
    // HostLookup::system
    std::optional<boost::asio::executor_work_guard<IoContext::executor_type>> waiting_for_thread;
    SystemAnswer system;
    ResolvConf resolv_conf;
    std::vector<std::string> candidates;
    std::vector<std::string> services;  // nsswitch hosts line
    bool name_exists = false;           // a candidate was answered NOERROR without an address of the family
    std::size_t next_candidate = 0;
    double system_elapsed_ms = 0.0;
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
                // c-ares doubles the wait each round, so "3000 ms x 2 tries" really waits 9 s: say what was waited.
                const auto ms = request.options.dns.timeout.count();
                return environment_error("DNS timeout: no answer from " + servers + " after " +
                                             seconds_text(ms_since(request.start)) + " (" +
                                             std::to_string(request.options.dns.tries) + " tries starting at " +
                                             std::to_string(ms) + " ms, each further round waits twice as long)",
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
    explicit Impl(DnsClient& client) : dns(client), gate(std::make_shared<PostGate>()) {
        gate->io = &dns.io_context();
    }

    template <class Callback, class Value>
    void post(Callback callback, Value result) {
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
        auto outcome = conclude(request, dns);
        if (!outcome) return finish(found, outcome.error());
        HostResolution resolution;
        resolution.host = request.host;
        resolution.canonical_name = request.host;
        resolution.addresses = std::move(*outcome);
        resolution.source = "DNS";
        finish(found, std::move(resolution));
    }

    using RequestMap = std::map<std::uint64_t, std::unique_ptr<Request>>;

    void finish(RequestMap::iterator found, Result<HostResolution> outcome) {
        std::unique_ptr<Request> request = std::move(found->second);
        requests.erase(found);
        if (outcome) outcome->elapsed_ms = ms_since(request->start);
        request->callback(std::move(outcome));
    }

    // ---- HostLookup::system --------------------------------------------------------------------------------

    void start_system(std::uint64_t id, Request& request) {
        request.waiting_for_thread.emplace(dns.io_context().get_executor());
        std::weak_ptr<Impl> weak = shared_from_this();
        std::thread([gate = gate, weak, id, name = request.host, family = request.options.family] {
            SystemAnswer answer = system_lookup(name, family);
            std::lock_guard<std::mutex> lock(gate->mutex);
            if (gate->io == nullptr) return;  // the resolver is gone: nobody to tell
            boost::asio::post(*gate->io, [weak, id, answer = std::move(answer)]() mutable {
                if (auto self = weak.lock()) self->system_done(id, std::move(answer));
            });
        }).detach();  // getaddrinfo() cannot be cancelled: an abandoned lookup ends on its own
    }

    void system_done(std::uint64_t id, SystemAnswer answer) {
        auto self = shared_from_this();
        auto found = requests.find(id);
        if (found == requests.end()) return;
        Request& request = *found->second;
        request.waiting_for_thread.reset();
        request.system_elapsed_ms = ms_since(request.start);
        request.system = std::move(answer);
        if (auto conf = read_resolv_conf(request.options.resolv_conf_path)) request.resolv_conf = std::move(*conf);
        // glibc asks 127.0.0.1 when resolv.conf names no server.
        if (request.resolv_conf.nameservers.empty()) request.resolv_conf.nameservers.push_back(DnsServer{IpAddress::v4(0x7F000001), 53});
        request.candidates = search_candidates(request.host, request.resolv_conf.search, request.resolv_conf.ndots);
        if (request.system.status == 0 && !request.system.addresses.empty()) {
            HostResolution resolution;
            resolution.host = request.host;
            resolution.canonical_name =
                request.system.canonical_name.empty() ? request.host : request.system.canonical_name;
            resolution.addresses = std::move(request.system.addresses);
            resolution.scope_ids = std::move(request.system.scope_ids);
            resolution.source = "system resolver";
            resolution.tried = request.candidates;
            return finish(found, std::move(resolution));
        }
        // Failed. Whether DNS had a part in it, and what the servers really said, decides the error.
        std::vector<std::string>& services = request.services;
        services = {"dns", "files"};
        {
            std::ifstream in(request.options.nsswitch_path, std::ios::binary);
            if (in) {
                std::ostringstream text;
                text << in.rdbuf();
                auto listed = parse_nsswitch_hosts(text.str());
                if (!listed.empty()) services = std::move(listed);
            }
        }
        const bool uses_dns = std::find_if(services.begin(), services.end(), [](const std::string& service) {
                                  return service == "dns" || service == "resolve";
                              }) != services.end();
        const int status = request.system.status;
        const bool gave_up_waiting = status == EAI_AGAIN &&
                                     request.system_elapsed_ms >= 900.0 * request.resolv_conf.timeout_s;
        if (!uses_dns || gave_up_waiting || status == EAI_SYSTEM || status == EAI_MEMORY) {
            return finish(found, system_error(request, std::nullopt));
        }
        probe_next_candidate(id);
    }

    // Asks the resolv.conf servers for the candidates in order (as the system did) until one says more than
    // "no such name": that answer (REFUSED, SERVFAIL, a timeout) is why the system lookup failed.
    void probe_next_candidate(std::uint64_t id) {
        auto found = requests.find(id);
        if (found == requests.end()) return;
        Request& request = *found->second;
        constexpr std::size_t max_probed = 8;
        if (request.next_candidate >= std::min(request.candidates.size(), max_probed)) {
            return finish(found, system_error(request, std::nullopt));
        }
        const std::string name = request.candidates[request.next_candidate++];
        DnsQueryOptions options;
        options.servers = request.resolv_conf.nameservers;
        options.timeout = std::chrono::milliseconds(1000 * request.resolv_conf.timeout_s);
        options.tries = 1;
        const std::uint16_t type = request.options.family == HostFamily::v6 ? dns_type::aaaa : dns_type::a;
        std::weak_ptr<Impl> weak = shared_from_this();
        auto started = dns.query(name, type, options, [weak, id](DnsResult result) {
            auto self = weak.lock();
            if (!self) return;
            auto again = self->requests.find(id);
            if (again == self->requests.end()) return;
            if (result.outcome == DnsOutcome::nxdomain || result.outcome == DnsOutcome::nodata) {
                if (result.outcome == DnsOutcome::nodata) again->second->name_exists = true;
                return self->probe_next_candidate(id);
            }
            if (result.outcome == DnsOutcome::cancelled) {
                return self->finish(again, internal_error("host name resolution cancelled", again->second->host));
            }
            Request& request = *again->second;
            if (request.name_exists && request.options.family != HostFamily::any) {
                // An earlier candidate exists with only the other family; this later one failing does not change
                // that answer (glibc stops at such a failure too).
                return self->finish(again, self->system_error(request, std::nullopt));
            }
            self->finish(again, self->system_error(request, std::move(result)));
        });
        if (!started) probe_next_candidate(id);
    }

    // The one-line error for a failed system lookup; `direct` is what the servers said when asked directly.
    Error system_error(const Request& request, std::optional<DnsResult> direct) const {
        const auto& services = request.services;
        const std::string& host = request.host;
        const int status = request.system.status;
        const std::string said = status == 0 ? std::string("no address")
                                 : status == EAI_SYSTEM ? std::string(std::strerror(request.system.error_number))
                                                        : std::string(::gai_strerror(status));
        const std::string waited = seconds_text(request.system_elapsed_ms);
        std::string servers;
        for (const auto& server : request.resolv_conf.nameservers) {
            if (!servers.empty()) servers += ", ";
            servers += server.to_string();
        }
        const std::string tried = request.candidates.size() > 1 ? "; tried " + joined(request.candidates) : "";
        if (direct) {
            const std::string name = direct->name;
            switch (direct->outcome) {
                case DnsOutcome::answer:
                    return input_error("the system resolver found no usable address (" + said + ") although " +
                                           servers + " answers for " + name,
                                       host);
                case DnsOutcome::timeout:
                    return environment_error("DNS timeout: " + servers + " did not answer for " + name +
                                                 " (the system resolver gave up after " + waited + ": " + said + ")",
                                             host);
                case DnsOutcome::connection_refused:
                    return environment_error("no DNS server listens at " + servers + " (connection refused; the " +
                                                 "system resolver said: " + said + ")",
                                             host);
                case DnsOutcome::network_error:
                    return environment_error("cannot reach the DNS server " + servers + ": " + direct->error_text,
                                             host);
                case DnsOutcome::bad_response:
                    return environment_error("unusable DNS answer from " + servers + ": " + direct->error_text, host);
                default: {
                    const std::string rcode = direct->message ? dns_rcode_name(direct->message->rcode)
                                                              : std::string(to_string(direct->outcome));
                    return environment_error("the DNS server " + servers + " answered " + rcode + " for " + name +
                                                 " (the system resolver said: " + said + ")",
                                             host);
                }
            }
        }
        const bool family_only = request.options.family != HostFamily::any &&
                                 (status == EAI_ADDRFAMILY || status == EAI_NODATA || request.name_exists);
        if (family_only) {
            return input_error("the name has no " + family_words(request.options.family) +
                                   (request.candidates.size() > 1 ? " (tried " + joined(request.candidates) + ")" : ""),
                               host);
        }
        if (status == EAI_AGAIN && request.system_elapsed_ms < 900.0 * request.resolv_conf.timeout_s) {
            return environment_error("the system resolver said \"" + said + "\" after " + waited + ", yet asked " +
                                         "directly " + servers + " answers that no name tried exists" + tried,
                                     host);
        }
        if (status == EAI_AGAIN) {
            return environment_error("DNS timeout: the system resolver got no answer from " + servers + " after " +
                                         waited + " (resolv.conf: timeout " +
                                         std::to_string(request.resolv_conf.timeout_s) + " s, attempts " +
                                         std::to_string(request.resolv_conf.attempts) + tried + ")",
                                     host);
        }
        if (status == EAI_SYSTEM || status == EAI_MEMORY) {
            return environment_error("the system resolver failed: " + said, host);
        }
        const std::string how = services.empty() ? std::string() : " (hosts: " + joined(services, " ") + ")";
        return input_error("no such host: the system resolver" + how + " said \"" + said + "\"" + tried, host);
    }

    void cancel_everything(bool now) {
        auto pending = std::move(requests);
        requests.clear();
        for (auto& [id, request] : pending) {
            request->waiting_for_thread.reset();
            Error cancelled = internal_error("host name resolution cancelled", request->host);
            if (now) {
                try {
                    request->callback(cancelled);
                } catch (...) {  // NOLINT(bugprone-empty-catch): destructors cannot report it
                }
            } else {
                post(std::move(request->callback), Result<HostResolution>(cancelled));
            }
        }
    }

    DnsClient& dns;
    std::shared_ptr<PostGate> gate;
    RequestMap requests;
    std::uint64_t next_id = 1;
};

HostResolver::HostResolver(DnsClient& dns) : impl_(std::make_shared<Impl>(dns)) {}

HostResolver::~HostResolver() {
    {
        std::lock_guard<std::mutex> lock(impl_->gate->mutex);
        impl_->gate->io = nullptr;
    }
    impl_->cancel_everything(true);
}

void HostResolver::resolve(const std::string& host, const HostResolveOptions& options, HostResolveCallback callback) {
    if (!callback) return;
    resolve_detailed(host, options, [callback = std::move(callback)](Result<HostResolution> outcome) {
        if (!outcome) return callback(outcome.error());
        callback(std::move(outcome->addresses));
    });
}

void HostResolver::resolve_detailed(const std::string& host, const HostResolveOptions& options,
                                    HostResolutionCallback callback) {
    if (!callback) return;
    std::string_view text = host;
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    auto resolved = [&text](std::vector<IpAddress> addresses, const char* source, std::string canonical) {
        HostResolution resolution;
        resolution.host = std::string(text);
        resolution.canonical_name = std::move(canonical);
        resolution.addresses = std::move(addresses);
        resolution.source = source;
        return Result<HostResolution>(std::move(resolution));
    };

    if (auto literal = IpAddress::parse(text)) {
        if (!family_wanted(*literal, options.family)) {
            impl_->post(std::move(callback),
                        Result<HostResolution>(input_error(std::string("address is not an ") +
                                                               (options.family == HostFamily::v4 ? "IPv4" : "IPv6") +
                                                               " address",
                                                           host)));
        } else {
            impl_->post(std::move(callback), resolved({*literal}, "literal", ""));
        }
        return;
    }
    if (text.empty()) {
        impl_->post(std::move(callback), Result<HostResolution>(input_error("empty host name")));
        return;
    }
    if (text.size() > max_host_name_length || text.find_first_of(" \t\r\n") != std::string_view::npos) {
        impl_->post(std::move(callback), Result<HostResolution>(input_error("not a valid host name", host)));
        return;
    }
    if (options.lookup == HostLookup::dns_client && !options.hosts_path.empty()) {
        auto hosts = read_hosts_file(options.hosts_path);  // a missing or unreadable file counts as empty
        if (hosts) {
            auto found = hosts->lookup(text, options.family);
            if (!found.empty()) {
                std::string canonical(text);
                for (const auto& entry : hosts->entries) {
                    if (entry.address == found.front() && !entry.names.empty()) {
                        canonical = entry.names.front();
                        break;
                    }
                }
                impl_->post(std::move(callback), resolved(std::move(found), "hosts file", canonical));
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
    if (options.lookup == HostLookup::system) {
        impl_->start_system(id, pending);
        return;
    }

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
        impl_->post(std::move(failed->callback), Result<HostResolution>(*failed->start_error));
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
