// The ping run: resolve the target, send `count` echo requests `interval` apart on the io_context, collect the
// outcomes into iputils-style counters, stop early on SIGINT/SIGTERM, judge the result.
#include "nettool/ping/ping.hpp"

#include "nettool/io/dns_client.hpp"
#include "nettool/io/host_resolver.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

#include <algorithm>
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

// IP literals without DNS; names through the hosts file and then the given (or resolv.conf) DNS servers.
Result<std::vector<IpAddress>> resolve_target(IoContext& io, const PingRequest& request, bool& interrupted) {
    std::string literal = strip_brackets(request.host);
    if (auto address = IpAddress::parse(literal)) {
        if (!family_allowed(request.family, *address)) {
            return usage_error(std::string(address->is_v4() ? "-6" : "-4") + " given with the " +
                               (address->is_v4() ? "IPv4" : "IPv6") + " address " + literal);
        }
        return std::vector<IpAddress>{*address};
    }
    std::vector<DnsServer> servers = request.dns_servers;
    if (servers.empty()) {
        auto conf = read_resolv_conf();
        if (conf) servers = conf->nameservers;
    }
    DnsClient dns(io, servers);
    HostResolver resolver(dns);
    HostResolveOptions options;
    options.family = request.family;
    options.dns.servers = request.dns_servers;
    options.dns.timeout = request.dns_timeout;
    options.dns.tries = 2;
    options.hosts_path = request.hosts_path;
    std::optional<Result<std::vector<IpAddress>>> outcome;
    InterruptHandler interrupt(io, [&] {
        interrupted = true;
        resolver.cancel_all();
    });
    resolver.resolve(request.host, options, [&](Result<std::vector<IpAddress>> result) {
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
          index_of_sequence_(65536, 0) {}
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

    double elapsed_ms() const {
        auto end = finished_at_ ? *finished_at_ : Clock::now();
        return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(end - started_).count()) /
               1000.0;
    }
    const PingCounters& counters() const { return counters_; }

private:
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
        ++outstanding_;
        EchoOptions options;
        options.payload_size = request_.payload_size;
        options.timeout = request_.timeout;
        options.ttl = request_.ttl;
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
            switch (echo.status) {
                case EchoStatus::reply:
                    probe.rtt_ms = to_ms(echo.rtt);
                    counters_.reply(*probe.rtt_ms);
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

    bool interrupted = false;
    auto addresses = resolve_target(io, request, interrupted);
    if (!addresses) return addresses.error();
    result.resolved = *addresses;
    result.address = result.resolved.front();

    auto pinger = IcmpPinger::open(io, result.address.family, request.socket);
    if (!pinger) return pinger.error();
    result.socket = (*pinger)->uses_raw_socket() ? "raw" : "datagram";
    if (observer.on_start) observer.on_start(result);

    PingSession session(io, request, observer, **pinger, result);
    session.start();
    io.restart();
    io.run();
    io.restart();

    std::sort(result.probes.begin(), result.probes.end(),
              [](const PingProbe& a, const PingProbe& b) { return a.index < b.index; });
    result.statistics = session.counters().statistics(session.elapsed_ms());
    result.ignored_messages = (*pinger)->ignored_messages();
    result.corrupted_messages = (*pinger)->corrupted_messages();
    result.diagnoses = diagnose_ping(result);
    return result;
}

}  // namespace nettool
