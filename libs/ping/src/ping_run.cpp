// The ping run: resolve the target, send `count` echo requests `interval` apart on the io_context, collect the
// outcomes into iputils-style counters, stop early on SIGINT/SIGTERM, judge the result.
#include "nettool/ping/ping.hpp"

#include "nettool/io/dns_client.hpp"
#include "nettool/io/host_resolver.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <memory>

namespace nettool {
namespace {

using Clock = std::chrono::steady_clock;

double to_ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

std::string strip_brackets(const std::string& host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

bool family_allowed(HostFamily wanted, const IpAddress& address) {
    return wanted == HostFamily::any || (wanted == HostFamily::v4 && address.is_v4()) ||
           (wanted == HostFamily::v6 && address.is_v6());
}

// What a host argument names before any lookup: an address with an optional IPv6 zone ("fe80::1%eth0").
struct TargetText {
    std::string name;  // brackets and zone removed
    std::string zone;
};

TargetText split_zone(const std::string& host) {
    TargetText target{strip_brackets(host), {}};
    if (auto percent = target.name.find('%'); percent != std::string::npos) {
        if (IpAddress::parse(std::string_view(target.name).substr(0, percent))) {
            target.zone = target.name.substr(percent + 1);
            target.name.erase(percent);
        }
    }
    return target;
}

bool is_link_local(const IpAddress& address) {
    if (!address.is_v6()) return false;
    const bool unicast = address.bytes[0] == 0xfe && (address.bytes[1] & 0xc0) == 0x80;  // fe80::/10
    const bool multicast = address.bytes[0] == 0xff && (address.bytes[1] & 0x0f) == 0x02;  // ff02::/16 and kin
    return unicast || multicast;
}

// The interface index of a zone or -I name ("eth0", or a number as in fe80::1%2); a usage error when unknown.
Result<std::uint32_t> interface_index(const std::string& name, const char* given_as) {
    if (name.empty()) return usage_error(std::string("empty interface name in ") + given_as);
    if (unsigned index = ::if_nametoindex(name.c_str()); index != 0) return static_cast<std::uint32_t>(index);
    if (name.find_first_not_of("0123456789") == std::string::npos && name.size() < 10) {
        char buffer[IF_NAMESIZE] = {};
        auto index = static_cast<unsigned>(std::stoul(name));
        if (::if_indextoname(index, buffer) != nullptr) return static_cast<std::uint32_t>(index);
    }
    return usage_error(std::string("no interface named \"") + name + "\" on this machine (" + given_as + ")");
}

// The IPv4 interface (and its prefix) whose broadcast address `address` is, or 255.255.255.255 itself. The
// kernel makes the last address of every local prefix shorter than /31 a broadcast route, whatever `brd` says.
std::optional<std::string> broadcast_owner(const IpAddress& address) {
    if (!address.is_v4()) return std::nullopt;
    if (address.v4_host_order() == 0xFFFFFFFFu) return std::string("the limited broadcast address (every host on the link)");
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return std::nullopt;
    std::optional<std::string> owner;
    auto v4_of = [](const sockaddr* raw) {
        sockaddr_in sin{};
        std::memcpy(&sin, raw, sizeof sin);
        return ntohl(sin.sin_addr.s_addr);
    };
    for (const ifaddrs* entry = list; entry != nullptr && !owner; entry = entry->ifa_next) {
        if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET || entry->ifa_netmask == nullptr) continue;
        const std::uint32_t local = v4_of(entry->ifa_addr);
        const std::uint32_t mask = v4_of(entry->ifa_netmask);
        const auto length = __builtin_popcount(mask);
        const bool subnet_broadcast = length < 31 && (local | ~mask) == address.v4_host_order();
        const bool configured = (entry->ifa_flags & IFF_BROADCAST) != 0 && entry->ifa_broadaddr != nullptr &&
                                v4_of(entry->ifa_broadaddr) != 0 && v4_of(entry->ifa_broadaddr) == address.v4_host_order();
        if (!subnet_broadcast && !configured) continue;
        owner = "the broadcast address of " + IpPrefix::of(IpAddress::v4(local), length).to_string() + " on " +
                entry->ifa_name;
    }
    ::freeifaddrs(list);
    return owner;
}

// Runs a program (no shell) and returns what it printed on stdout; nullopt when it could not run or failed.
std::optional<std::string> program_output(const std::vector<std::string>& argv) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    std::string text;
    if (spawned == 0) {
        char buffer[4096];
        ssize_t n = 0;
        while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
            if (n > 0 && text.size() < (1U << 20)) text.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ::close(pipe_fds[0]);
    if (spawned != 0) return std::nullopt;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return text;
}

// The route and neighbour entry towards the target, read without sending anything.
void read_route(NeighbourEvidence& evidence, const IpAddress& target, const std::string& interface) {
    std::vector<std::string> argv{"ip", "route", "get", target.to_string()};
    if (!interface.empty()) argv.insert(argv.end(), {"oif", interface});
    auto route = program_output(argv);
    if (!route) return;
    auto parsed = parse_route_get(*route, target);
    if (!parsed) return;
    evidence.interface = parsed->first;
    evidence.next_hop = parsed->second;
    std::ifstream retrans("/proc/sys/net/" + std::string(target.is_v6() ? "ipv6" : "ipv4") + "/neigh/" +
                          evidence.interface + "/retrans_time_ms");
    int ms = 0;
    if (retrans >> ms) evidence.retrans_time_ms = ms;
}

std::string neighbour_state(const NeighbourEvidence& evidence) {
    if (evidence.interface.empty() || !evidence.next_hop.valid()) return {};
    auto text = program_output({"ip", "neigh", "show", "to", evidence.next_hop.to_string(), "dev", evidence.interface});
    return text ? parse_neigh_state(*text) : std::string();
}

// IP literals and ADDR%ZONE without any lookup; names through the system resolver (getent ahosts semantics) or,
// with --dns-server, the hosts file and those servers.
Result<HostResolution> resolve_target(IoContext& io, const PingRequest& request, const TargetText& target,
                                      bool& interrupted) {
    if (auto address = IpAddress::parse(target.name)) {
        if (!family_allowed(request.family, *address)) {
            return usage_error(std::string(address->is_v4() ? "-6" : "-4") + " given with the " +
                               (address->is_v4() ? "IPv4" : "IPv6") + " address " + target.name);
        }
        HostResolution literal;
        literal.host = target.name;
        literal.addresses = {*address};
        literal.source = "literal";
        return literal;
    }
    if (!target.zone.empty()) return usage_error("a zone (%" + target.zone + ") only goes with an IPv6 address");
    std::vector<DnsServer> servers = request.dns_servers;
    DnsClient dns(io, servers);
    HostResolver resolver(dns);
    HostResolveOptions options;
    options.family = request.family;
    options.lookup = request.dns_servers.empty() ? HostLookup::system : HostLookup::dns_client;
    options.dns.servers = request.dns_servers;
    options.dns.timeout = request.dns_timeout;
    options.dns.tries = 2;
    options.hosts_path = request.hosts_path;
    std::optional<Result<HostResolution>> outcome;
    InterruptHandler interrupt(io, [&] {
        interrupted = true;
        resolver.cancel_all();
    });
    resolver.resolve_detailed(target.name, options, [&](Result<HostResolution> result) {
        outcome.emplace(std::move(result));
        boost::asio::post(io, [&interrupt] { interrupt.cancel(); });  // see PingSession::finish_if_done
    });
    io.restart();
    io.run();
    io.restart();
    if (interrupted) return environment_error("interrupted while resolving " + request.host);
    if (!outcome) return internal_error("name resolution of " + request.host + " did not finish");
    return std::move(*outcome);
}

class PingSession {
public:
    PingSession(IoContext& io, const PingRequest& request, const PingObserver& observer, IcmpPinger& pinger,
                PingResult& result)
        : io_(io), request_(request), observer_(observer), pinger_(pinger), result_(result), timer_(io),
          index_of_sequence_(65536, 0), sent_at_(65536, 0.0) {}
    ~PingSession() { pinger_.set_late_reply_handler(nullptr); }
    PingSession(const PingSession&) = delete;
    PingSession& operator=(const PingSession&) = delete;

    void start() {
        pinger_.set_late_reply_handler([this](const EchoResult& echo, bool duplicate) { on_extra(echo, duplicate); });
        interrupt_ = std::make_unique<InterruptHandler>(io_, [this] { stop(); });
        started_ = Clock::now();
        next_send_ = started_;
        schedule();
    }

    double elapsed_ms() const { return since_start_ms(finished_at_ ? *finished_at_ : Clock::now()); }
    void set_scope_id(std::uint32_t scope_id) { scope_id_ = scope_id; }
    const PingCounters& counters() const { return counters_; }

private:
    double since_start_ms(Clock::time_point at) const {
        return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(at - started_).count()) /
               1000.0;
    }

    // Broadcast: every host that answers, in order of its first reply.
    void count_responder(const IpAddress& from) {
        if (!result_.broadcast) return;
        for (auto& responder : result_.responders) {
            if (responder.address == from) {
                ++responder.replies;
                return;
            }
        }
        result_.responders.push_back({from, 1});
    }

    void schedule() {
        timer_.expires_at(next_send_);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec || stopping_) return;
            send_next();
        });
    }

    void send_next() {
        ++sent_;
        std::uint32_t index = sent_;
        auto sequence = static_cast<std::uint16_t>(index & 0xFFFF);
        index_of_sequence_[sequence] = index;
        sent_at_[sequence] = since_start_ms(Clock::now());
        ++outstanding_;
        EchoOptions options;
        options.payload_size = request_.payload_size;
        options.timeout = request_.timeout;
        options.ttl = request_.ttl;
        options.scope_id = scope_id_;
        pinger_.send_echo(result_.address, sequence, options,
                          [this, index](const EchoResult& echo) { on_result(index, echo); });
        if (sent_ < request_.count && !stopping_) {
            next_send_ += request_.interval;
            schedule();
        }
    }

    void on_result(std::uint32_t index, const EchoResult& echo) {
        --outstanding_;
        if (echo.cancelled) {
            counters_.cancelled();
        } else {
            counters_.transmitted();
            PingProbe probe;
            probe.index = index;
            probe.sequence = echo.sequence;
            probe.status = echo.status;
            probe.from = echo.from;
            probe.ttl = echo.ttl;
            probe.bytes = echo.bytes;
            probe.icmp_type = echo.icmp_type;
            probe.icmp_code = echo.icmp_code;
            probe.detail = echo.detail;
            probe.error_number = echo.error_number;
            probe.sent_ms = sent_at_[echo.sequence];
            switch (echo.status) {
                case EchoStatus::reply:
                    probe.rtt_ms = to_ms(echo.rtt);
                    counters_.reply(*probe.rtt_ms);
                    count_responder(echo.from);
                    break;
                case EchoStatus::unreachable:
                case EchoStatus::time_exceeded:
                    probe.rtt_ms = to_ms(echo.rtt);
                    counters_.error();
                    break;
                case EchoStatus::send_error: counters_.error(); break;
                case EchoStatus::timeout: break;
            }
            if (observer_.on_probe) observer_.on_probe(probe);
            if (index <= max_recorded_probes) {
                result_.probes.push_back(std::move(probe));
            } else {
                ++result_.probes_not_recorded;
            }
        }
        finish_if_done();
    }

    void on_extra(const EchoResult& echo, bool duplicate) {
        PingProbe extra;
        extra.index = index_of_sequence_[echo.sequence];
        extra.sequence = echo.sequence;
        extra.status = EchoStatus::reply;
        extra.from = echo.from;
        extra.ttl = echo.ttl;
        extra.bytes = echo.bytes;
        extra.icmp_type = echo.icmp_type;
        extra.icmp_code = echo.icmp_code;
        extra.rtt_ms = to_ms(echo.rtt);
        extra.sent_ms = sent_at_[echo.sequence];
        count_responder(echo.from);
        if (duplicate) {
            counters_.duplicate(*extra.rtt_ms);
        } else {
            counters_.late();
            extra.late_reply_ms = extra.rtt_ms;
            for (auto& p : result_.probes) {
                if (p.index == extra.index && p.status == EchoStatus::timeout) p.late_reply_ms = extra.rtt_ms;
            }
        }
        if (observer_.on_extra_reply) observer_.on_extra_reply(extra, duplicate);
    }

    void stop() {
        if (stopping_) return;
        stopping_ = true;
        result_.interrupted = true;
        timer_.cancel();
        pinger_.cancel_all();  // each in-flight probe reports once, as cancelled
        finish_if_done();
    }

    void finish_if_done() {
        if (outstanding_ != 0 || (sent_ < request_.count && !stopping_)) return;
        if (finished_at_) return;
        finished_at_ = Clock::now();
        timer_.cancel();
        // Not from inside the interrupt handler itself: it re-arms after our callback returns. Posted, the cancel
        // runs after that, so the io_context runs out of work and the summary comes at once.
        boost::asio::post(io_, [this] {
            if (interrupt_) interrupt_->cancel();
        });
    }

    IoContext& io_;
    const PingRequest& request_;
    const PingObserver& observer_;
    IcmpPinger& pinger_;
    PingResult& result_;
    boost::asio::steady_timer timer_;
    std::unique_ptr<InterruptHandler> interrupt_;
    PingCounters counters_;
    std::vector<std::uint32_t> index_of_sequence_;
    std::vector<double> sent_at_;  // by sequence: ms from the start
    std::uint32_t scope_id_ = 0;
    Clock::time_point started_;
    Clock::time_point next_send_;
    std::optional<Clock::time_point> finished_at_;
    std::uint32_t sent_ = 0;
    std::uint32_t outstanding_ = 0;
    bool stopping_ = false;
};

}  // namespace

Result<PingResult> run_ping(IoContext& io, const PingRequest& request, const PingObserver& observer) {
    if (auto valid = validate_ping_request(request, ::geteuid() == 0); !valid) return valid.error();

    PingResult result;
    result.host = request.host;
    result.payload_size = request.payload_size;
    result.count = request.count;
    result.interval_ms = to_ms(request.interval);
    result.timeout_ms = static_cast<double>(request.timeout.count());
    result.ttl = request.ttl;

    const TargetText target = split_zone(request.host);
    std::uint32_t scope_id = 0;
    if (!request.interface.empty()) {
        auto index = interface_index(request.interface, "-I");
        if (!index) return index.error();
        scope_id = *index;
        result.interface = request.interface;
    }
    if (!target.zone.empty()) {
        auto index = interface_index(target.zone, "the %zone of the address");
        if (!index) return index.error();
        if (!request.interface.empty() && *index != scope_id) {
            return usage_error("the zone %" + target.zone + " and -I " + request.interface +
                               " name different interfaces");
        }
        scope_id = *index;
        result.interface = target.zone;
    }

    bool interrupted = false;
    auto resolution = resolve_target(io, request, target, interrupted);
    if (!resolution) return resolution.error();
    result.resolved = resolution->addresses;
    result.address = result.resolved.front();
    result.resolved_by = resolution->source;
    if (resolution->source != "literal") result.canonical_name = resolution->canonical_name;
    result.search_tried = resolution->tried;

    if (scope_id == 0 && !resolution->scope_ids.empty() && resolution->scope_ids.front() != 0) {
        scope_id = resolution->scope_ids.front();  // the zone came with the name (fe80::1%eth0 in /etc/hosts)
        char name[IF_NAMESIZE] = {};
        if (::if_indextoname(scope_id, name) != nullptr) result.interface = name;
    }
    if (is_link_local(result.address) && scope_id == 0) {
        return usage_error(result.address.to_string() + " is an IPv6 link-local address: say which link, e.g. " +
                           result.address.to_string() + "%eth0 (or -I eth0)");
    }
    if (!target.zone.empty() && !is_link_local(result.address)) scope_id = 0;  // a zone only scopes link-local
    if (auto owner = broadcast_owner(result.address)) {
        if (!request.broadcast) {
            return usage_error(result.address.to_string() + " is " + *owner +
                               ": every host there would answer; add -b (--broadcast) to ping them all");
        }
        result.broadcast = true;
    } else if (request.broadcast && result.address.is_v4()) {
        result.broadcast = true;  // iputils -b: allowed for any address, e.g. a directed broadcast beyond a router
    }

    auto pinger = IcmpPinger::open(io, result.address.family, request.socket);
    if (!pinger) return pinger.error();
    if (!request.interface.empty()) {
        if (auto bound = (*pinger)->bind_to_interface(request.interface); !bound) return bound.error();
    }
    if (result.broadcast) {
        if (auto allowed = (*pinger)->allow_broadcast(); !allowed) return allowed.error();
    }
    result.socket = (*pinger)->uses_raw_socket() ? "raw" : "datagram";
    if (!result.broadcast) {
        read_route(result.neighbour, result.address, result.interface);
        result.neighbour.state_before = neighbour_state(result.neighbour);
    }
    if (observer.on_start) observer.on_start(result);

    PingSession session(io, request, observer, **pinger, result);
    session.set_scope_id(scope_id);
    session.start();
    io.restart();
    io.run();
    io.restart();

    std::sort(result.probes.begin(), result.probes.end(),
              [](const PingProbe& a, const PingProbe& b) { return a.index < b.index; });
    result.statistics = session.counters().statistics(session.elapsed_ms());
    result.ignored_messages = (*pinger)->ignored_messages();
    result.corrupted_messages = (*pinger)->corrupted_messages();
    if (!result.broadcast) result.neighbour.state_after = neighbour_state(result.neighbour);
    const bool refused_locally = std::any_of(result.probes.begin(), result.probes.end(), [](const PingProbe& p) {
        return p.status == EchoStatus::send_error && (p.error_number == EPERM || p.error_number == EACCES);
    });
    if (refused_locally) {
        if (auto ruleset = program_output({"nft", "list", "ruleset"})) {
            result.output_drop_rules = find_output_drop_rules(*ruleset);
        }
    }
    result.diagnoses = diagnose_ping(result);
    return result;
}

}  // namespace nettool
