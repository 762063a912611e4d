// The prober: every probe of every resolver starts at once (UDP queries staggered by a few tens of ms) on one
// io_context, and one deadline timer ends the run, cancelling whatever is still outstanding. getaddrinfo() blocks,
// so it runs on a detached helper thread that hands its answer back through the io_context while the run is still
// listening; at the deadline the run stops listening and reports "no answer", whatever the thread still does.
#include "nettool/dnscheck/dnscheck.hpp"
#include "nettool/dnscheck/sources.hpp"
#include "nettool/dnscheck/text.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/io/icmp.hpp"
#include "nettool/dnscheck/wire_probe.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace nettool::dnscheck {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

void record_wire_result(QueryProbe& probe, const WireOutcome& r, double waited_ms) {
    probe.connected = r.connected;
    switch (r.status) {
        case WireStatus::answered:
            probe.status = QueryStatus::answered;
            probe.rcode = r.message->rcode;
            probe.truncated = r.message->tc;
            probe.answer_bytes = r.bytes;
            probe.answer_records = r.message->answers.size();
            probe.question_missing = r.message->questions.empty();
            probe.rtt_ms = static_cast<double>(r.elapsed.count()) / 1000.0;
            return;
        case WireStatus::malformed:
            probe.status = QueryStatus::bad_response;
            probe.answer_bytes = r.bytes;
            probe.rtt_ms = static_cast<double>(r.elapsed.count()) / 1000.0;
            probe.detail = r.detail;
            return;
        case WireStatus::timeout:
            probe.status = QueryStatus::timeout;
            probe.waited_ms = waited_ms;
            if (r.connected) probe.detail = "TCP connected, no answer";
            break;
        case WireStatus::cancelled:
            probe.status = QueryStatus::timeout;
            probe.waited_ms = waited_ms;
            probe.detail = r.connected ? "TCP connected, no answer before the deadline" : "no answer before the deadline";
            break;
        case WireStatus::refused: probe.status = QueryStatus::connection_refused; break;
        case WireStatus::network_error:
            probe.status = QueryStatus::network_error;
            probe.detail = r.detail;
            break;
    }
}

EchoProbe to_probe(const EchoResult& r) {
    EchoProbe p;
    switch (r.status) {
        case EchoStatus::reply: p.status = EchoOutcome::reply; break;
        case EchoStatus::timeout: p.status = EchoOutcome::timeout; break;
        case EchoStatus::unreachable: p.status = EchoOutcome::unreachable; break;
        case EchoStatus::time_exceeded:
            p.status = EchoOutcome::unreachable;
            if (r.detail.empty()) p.detail = "time exceeded";
            break;
        case EchoStatus::send_error: p.status = EchoOutcome::error; break;
    }
    p.rtt_ms = static_cast<double>(r.rtt.count()) / 1000.0;
    if (r.from.valid()) p.from = r.from.to_string();
    if (!r.detail.empty()) p.detail = r.detail;
    return p;
}

// What the getaddrinfo helper thread shares with the run. `io` is cleared (under the mutex) when the run stops
// listening, so a late thread never touches a finished run.
struct LookupChannel {
    std::mutex mutex;
    IoContext* io = nullptr;
    std::function<void(SystemLookup)> deliver;
};

SystemLookup system_lookup(const std::string& name) {
    SystemLookup s;
    s.name = name;
    auto start = Clock::now();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &list);
    s.elapsed_ms = ms_between(start, Clock::now());
    if (rc != 0) {
        s.status = rc == EAI_NONAME ? LookupStatus::no_such_name : LookupStatus::failed;
        s.error = ::gai_strerror(rc);
        return s;
    }
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        std::optional<IpAddress> address;
        if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(sockaddr_in)) {
            const auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
            address = IpAddress::from_v4_bytes(
                std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(&sin->sin_addr), 4));
        } else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(sockaddr_in6)) {
            const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
            address = IpAddress::from_v6_bytes(
                std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(&sin6->sin6_addr), 16));
        }
        if (!address) continue;
        std::string text = address->to_string();
        if (std::find(s.addresses.begin(), s.addresses.end(), text) == s.addresses.end()) s.addresses.push_back(text);
    }
    ::freeaddrinfo(list);
    s.status = LookupStatus::resolved;
    return s;
}

bool valid_name(const std::string& name) {
    if (name.empty()) return false;
    if (name == ".") return true;
    std::string body = name.back() == '.' ? name.substr(0, name.size() - 1) : name;
    if (body.empty() || body.size() > 253) return false;
    std::size_t start = 0;
    while (start <= body.size()) {
        std::size_t dot = body.find('.', start);
        if (dot == std::string::npos) dot = body.size();
        std::size_t length = dot - start;
        if (length == 0 || length > 63) return false;
        start = dot + 1;
    }
    return true;
}

class Prober {
public:
    Prober(IoContext& io, const DnsCheckRequest& request, DnsCheckResult& result)
        : io_(io), request_(request), result_(result), wire_(io), deadline_(io),
          interrupt_(io, [this] { finish(); }) {}

    void run() {
        start_ = Clock::now();
        deadline_at_ = start_ + request_.timeout;
        deadline_.expires_at(deadline_at_);
        deadline_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) finish();
        });

        const auto spacing = std::min<std::chrono::milliseconds>(
            std::chrono::milliseconds(50), request_.timeout / (3 * std::max(1, request_.count)));
        // Second ping and second large query: soon enough for a healthy run to end early, late enough to be
        // independent of a first packet lost to ARP resolution.
        const auto second_wave = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(150), request_.timeout / 4);

        for (auto& server : result_.servers) {
            ResolverProbes& p = server.probes;
            p.udp.resize(static_cast<std::size_t>(request_.count));
            for (std::size_t k = 0; k < p.udp.size(); ++k) {
                p.udp[k].kind = QueryKind::udp;
                p.udp[k].name = result_.names[k % result_.names.size()];
                p.udp[k].type = 1;
                schedule(spacing * static_cast<int>(k), [this, &p, k] { send_query(p, p.udp[k]); });
            }
            p.tcp.resize(1);
            p.tcp[0].kind = QueryKind::tcp;
            p.tcp[0].name = result_.names.front();
            p.tcp[0].type = 1;
            schedule(std::chrono::milliseconds(0), [this, &p] { send_query(p, p.tcp[0]); });
            // Each large type twice (the second after the first wave, like the pings).
            p.large.resize(2 * result_.large_types.size());
            for (std::size_t k = 0; k < p.large.size(); ++k) {
                p.large[k].kind = QueryKind::large;
                p.large[k].name = request_.large_name;
                p.large[k].type = result_.large_types[k % result_.large_types.size()];
                schedule(k < result_.large_types.size() ? std::chrono::milliseconds(0) : second_wave,
                         [this, &p, k] { send_query(p, p.large[k]); });
            }
            p.large_tcp.resize(result_.large_types.size());
            for (std::size_t k = 0; k < p.large_tcp.size(); ++k) {
                p.large_tcp[k].kind = QueryKind::tcp;
                p.large_tcp[k].name = request_.large_name;
                p.large_tcp[k].type = result_.large_types[k];
                schedule(std::chrono::milliseconds(0), [this, &p, k] { send_query(p, p.large_tcp[k], true); });
            }
            p.local.resize(2);
            for (std::size_t k = 0; k < p.local.size(); ++k) {
                p.local[k].kind = QueryKind::local;
                p.local[k].name = "version.bind";
                p.local[k].type = dns_type::txt;
                p.local[k].klass = 3;  // CHAOS
                schedule(k == 0 ? std::chrono::milliseconds(0) : second_wave,
                         [this, &p, k] { send_query(p, p.local[k]); });
            }
            if (IcmpPinger* pinger = pinger_for(p.server.address, p.icmp_unavailable)) {
                p.icmp.resize(2);
                for (std::size_t k = 0; k < p.icmp.size(); ++k) {
                    schedule(k == 0 ? std::chrono::milliseconds(0) : second_wave, [this, pinger, &p, k] {
                        send_echo(*pinger, p.server.address, p.icmp[k]);
                    });
                }
            }
        }

        ReachCheck& reach = result_.reach;
        if (reach.attempted) {
            if (IcmpPinger* pinger = pinger_for(reach.target, reach.unavailable)) {
                reach.echoes.resize(2);
                for (std::size_t k = 0; k < reach.echoes.size(); ++k) {
                    schedule(k == 0 ? std::chrono::milliseconds(0) : second_wave,
                             [this, pinger, &reach, k] { send_echo(*pinger, reach.target, reach.echoes[k]); });
                }
            }
        }

        if (request_.system_resolver) start_system_lookup();
        io_.run();
        // The io_context ran out of work: finish() ran (deadline, interrupt or everything answered).
        abandon_lookup();
        result_.elapsed_ms = ms_between(start_, Clock::now());
    }

private:
    using Timer = boost::asio::steady_timer;

    void schedule(std::chrono::milliseconds offset, std::function<void()> action) {
        ++pending_;
        auto timer = std::make_unique<Timer>(io_, start_ + offset);
        timer->async_wait([this, action = std::move(action)](const boost::system::error_code& ec) {
            if (ec || finished_) {
                done_one();
                return;
            }
            action();
        });
        timers_.push_back(std::move(timer));
    }

    void done_one() {
        if (pending_ > 0) --pending_;
        maybe_finish();
    }

    void maybe_finish() {
        if (pending_ == 0 && lookup_done_) finish();
    }

    std::chrono::milliseconds remaining() const {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_at_ - Clock::now());
        return std::max(left, std::chrono::milliseconds(1));
    }

    void send_query(const ResolverProbes& p, QueryProbe& probe, bool large_query = false) {
        WireQuery query;
        query.name = probe.name;
        query.type = probe.type;
        query.klass = probe.klass;
        query.tcp = probe.kind == QueryKind::tcp;
        // The local probe must be answered from the server's own data: no recursion asked.
        query.recursion_desired = probe.kind != QueryKind::local;
        if (probe.kind == QueryKind::large || large_query) {
            // The answer as it arrived over UDP (its size, TC bit, whether the fragments made it): EDNS 4096 with
            // DO to make it large, and no retry over TCP that would hide a lost fragment.
            query.edns_udp_size = 4096;
            query.dnssec_ok = true;
        }
        const auto timeout = remaining();
        const auto sent = Clock::now();
        probe.sent_at_ms = ms_between(start_, sent);
        probe.status = QueryStatus::timeout;  // until the callback says otherwise
        probe.waited_ms = static_cast<double>(timeout.count());
        wire_.query(p.server, query, timeout, [this, &probe, sent](WireOutcome r) {
            if (!finished_ || probe.status == QueryStatus::timeout) {
                record_wire_result(probe, r, ms_between(sent, Clock::now()));
            }
            done_one();
        });
    }

    void send_echo(IcmpPinger& pinger, const IpAddress& target, EchoProbe& probe) {
        EchoOptions options;
        options.timeout = remaining();
        probe.status = EchoOutcome::timeout;
        pinger.send_echo(target, next_sequence_++, options, [this, &probe](const EchoResult& r) {
            probe = to_probe(r);
            done_one();
        });
    }

    IcmpPinger* pinger_for(const IpAddress& target, std::string& unavailable) {
        const IpFamily family = target.family;
        auto it = pingers_.find(family);
        if (it == pingers_.end()) {
            auto opened = IcmpPinger::open(io_, family);
            if (opened) {
                it = pingers_.emplace(family, std::move(opened.value())).first;
            } else {
                // The permission hint is long and the same for every target: once in the notes, a short
                // pointer at each probe.
                result_.notes.push_back("ping not tested: " + opened.error().describe());
                pinger_errors_[family] = "could not open an ICMP socket (see the note below)";
                it = pingers_.emplace(family, nullptr).first;
            }
        }
        if (!it->second) unavailable = pinger_errors_[family];
        return it->second.get();
    }

    void start_system_lookup() {
        lookup_done_ = false;
        result_.system.status = LookupStatus::no_answer;
        result_.system.name = result_.names.front();
        channel_ = std::make_shared<LookupChannel>();
        channel_->io = &io_;
        channel_->deliver = [this](SystemLookup lookup) {
            if (finished_) return;
            result_.system = std::move(lookup);
            lookup_done_ = true;
            maybe_finish();
        };
        std::thread([channel = channel_, name = result_.system.name] {
            SystemLookup lookup = system_lookup(name);
            std::lock_guard<std::mutex> lock(channel->mutex);
            if (channel->io == nullptr) return;
            boost::asio::post(*channel->io, [channel, lookup = std::move(lookup)]() mutable {
                std::function<void(SystemLookup)> deliver;
                {
                    std::lock_guard<std::mutex> inner(channel->mutex);
                    deliver = channel->deliver;
                }
                if (deliver) deliver(std::move(lookup));
            });
        }).detach();
    }

    void abandon_lookup() {
        if (!channel_) return;
        std::lock_guard<std::mutex> lock(channel_->mutex);
        channel_->io = nullptr;
        channel_->deliver = nullptr;
    }

    void finish() {
        if (finished_) return;
        finished_ = true;
        if (!lookup_done_) {
            result_.system.elapsed_ms = ms_between(start_, Clock::now());
            lookup_done_ = true;
        }
        abandon_lookup();
        deadline_.cancel();
        for (auto& t : timers_) t->cancel();
        interrupt_.cancel();
        wire_.cancel_all();
        for (auto& [family, pinger] : pingers_) {
            if (pinger) pinger->cancel_all();
        }
    }

    IoContext& io_;
    const DnsCheckRequest& request_;
    DnsCheckResult& result_;
    WireProber wire_;
    std::map<IpFamily, std::unique_ptr<IcmpPinger>> pingers_;
    std::map<IpFamily, std::string> pinger_errors_;
    Timer deadline_;
    InterruptHandler interrupt_;
    std::vector<std::unique_ptr<Timer>> timers_;
    std::shared_ptr<LookupChannel> channel_;
    Clock::time_point start_{};
    Clock::time_point deadline_at_{};
    std::size_t pending_ = 0;
    bool lookup_done_ = true;
    bool finished_ = false;
    std::uint16_t next_sequence_ = 1;
};

}  // namespace

Status validate_request(const DnsCheckRequest& request) {
    if (request.count < 1 || request.count > 100) return usage_error("--count must be between 1 and 100");
    if (request.timeout < std::chrono::milliseconds(100) || request.timeout > std::chrono::milliseconds(60000)) {
        return usage_error("--timeout must be between 100 and 60000 ms");
    }
    if (!(request.high_latency_ms > 0)) return usage_error("--latency-threshold must be above 0 ms");
    for (const auto& name : request.names) {
        if (!valid_name(name)) return usage_error("not a valid DNS name: '" + name + "'");
    }
    if (!valid_name(request.large_name)) return usage_error("not a valid DNS name: '" + request.large_name + "'");
    return Ok{};
}

Result<DnsCheckResult> run_dnscheck(const DnsCheckRequest& request) {
    if (Status valid = validate_request(request); !valid) return valid.error();
    auto selection = find_resolvers(request);
    if (!selection) return selection.error();

    DnsCheckResult result;
    result.names = request.names.empty() ? default_names() : request.names;
    result.large_name = request.large_name;
    result.large_type = request.large_type;
    result.large_types = request.large_types.empty() ? std::vector<std::uint16_t>{request.large_type} : request.large_types;
    result.names_are_defaults = request.names.empty();
    result.count = request.count;
    result.timeout_ms = static_cast<double>(request.timeout.count());
    result.high_latency_ms = request.high_latency_ms;
    result.resolver_files = selection->files;
    result.notes = selection->notes;
    result.stub_timeout_s = selection->stub_timeout_s;
    result.stub_attempts = selection->stub_attempts;
    result.stub_rotate = selection->stub_rotate;
    for (const auto& r : selection->resolvers) {
        ResolverReport report;
        report.probes.server = r.server;
        report.probes.source = r.source;
        result.servers.push_back(std::move(report));
    }

    if (request.reach) {
        result.reach.attempted = true;
        result.reach.target = *request.reach;
        result.reach.target_source = "--reach";
    } else if (auto table = read_text_file(request.proc_net_route_path)) {
        if (auto gateway = parse_default_gateway(*table)) {
            result.reach.attempted = true;
            result.reach.target = *gateway;
            result.reach.target_source = "default gateway (" + request.proc_net_route_path + ")";
        } else {
            result.reach.not_attempted_reason = "no IPv4 default gateway in " + request.proc_net_route_path;
        }
    } else {
        result.reach.not_attempted_reason = request.proc_net_route_path + " could not be read";
    }

    {
        IoContext io;
        Prober prober(io, request, result);
        prober.run();
    }

    for (auto& server : result.servers) server.diagnoses = diagnose_resolver(server.probes, request.high_latency_ms);
    diagnose_overall(result);
    return result;
}

}  // namespace nettool::dnscheck
