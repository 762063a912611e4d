// The pure part of ping: request validation, iputils-style counters and the diagnosis of a finished run.
#include "nettool/ping/ping.hpp"

#include "nettool/core/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

namespace nettool {
namespace {

std::string ms_text(double ms) { return format_ping_ms(ms) + " ms"; }

std::string percent_text(double fraction) {
    // iputils prints the loss with %g: 0%, 25%, 33.3333%, 100%.
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g%%", fraction * 100.0);
    return buffer;
}

// "1, 2, 5-9, 12" for up to `limit` indexes, then "... (N more)".
std::string index_list(const std::vector<std::uint32_t>& indexes, std::size_t limit = 20) {
    std::ostringstream out;
    std::size_t shown = 0;
    for (std::size_t i = 0; i < indexes.size() && shown < limit; ++shown) {
        std::size_t j = i;
        while (j + 1 < indexes.size() && indexes[j + 1] == indexes[j] + 1) ++j;
        if (shown > 0) out << ", ";
        out << indexes[i];
        if (j > i) out << '-' << indexes[j];
        i = j + 1;
        if (i < indexes.size() && shown + 1 == limit) out << ", ...";
    }
    return out.str();
}

double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    std::size_t mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
}

bool is_error(EchoStatus status) {
    return status == EchoStatus::unreachable || status == EchoStatus::time_exceeded ||
           status == EchoStatus::send_error;
}

std::string error_advice(const std::string& detail, int type, int code, const IpAddress& from,
                         const IpAddress& target, bool v6) {
    bool admin = (!v6 && type == 3 && (code == 9 || code == 10 || code == 13)) || (v6 && type == 1 && code == 1);
    bool host = (!v6 && type == 3 && (code == 1 || code == 7)) || (v6 && type == 1 && code == 3);
    bool net = (!v6 && type == 3 && (code == 0 || code == 6)) || (v6 && type == 1 && code == 0);
    bool self = from == target;
    if (admin) {
        return "a firewall at " + from.to_string() + " rejects ICMP echo to " + target.to_string() +
               ": the host may well be up; test the service itself, or allow ICMP echo in that firewall";
    }
    if (host) {
        return "nobody answered ARP/neighbour discovery for " + target.to_string() + " on the last link" +
               (self ? "" : " (reported by " + from.to_string() + ")") +
               ": the host is off, unplugged, on another subnet, or its address is wrong";
    }
    if (net) {
        return "no route to " + target.to_string() + " at " + from.to_string() +
               ": check the routing table / default gateway there";
    }
    if (detail.find("Time to live") != std::string::npos || detail.find("Hop limit") != std::string::npos) {
        return "the probe expired in transit at " + from.to_string() +
               ": a routing loop, or a TTL (-t) too small for the path";
    }
    return "an ICMP error from " + from.to_string() + " stopped the probe: " + detail;
}

// What the kernel's refusal means, from its errno and what the run found out (never a firewall on a guess).
std::string send_failed_advice(const PingResult& result, int error_number) {
    const std::string target = result.address.to_string();
    switch (error_number) {
        case EACCES:
        case EPERM: {
            if (result.output_drop_rules && !result.output_drop_rules->empty()) {
                return "a local firewall rule drops or rejects packets to " + target + " (" +
                       result.output_drop_rules->front() + "): change that rule, or test from another host";
            }
            std::string advice = "the kernel refused the packet (" + std::string(std::strerror(error_number)) + ")";
            if (result.output_drop_rules) {
                advice += " but nft lists no output rule that drops or rejects: look at iptables-legacy rules "
                          "(iptables-legacy -S OUTPUT) and cgroup/BPF filters";
            } else {
                advice += ": a local firewall rule (nft list ruleset, iptables -S OUTPUT)";
            }
            if (result.address.is_v4() && !result.broadcast) {
                advice += "; if " + target + " is a broadcast address, ping it with -b";
            }
            return advice;
        }
        case ENETUNREACH:
            return "no route to " + target + " (network unreachable): the routing table has no entry for it - check "
                   "`ip route get " + target + "` and the default gateway";
        case EHOSTUNREACH:
            return "the kernel has no way to " + target + " (host unreachable): address resolution for the next hop "
                   "failed, or an unreachable/prohibit route matches (`ip route get " + target + "`)";
        case EMSGSIZE: return "the packet is larger than the path MTU: lower the size (-s)";
        case ENOBUFS:
        case ENOMEM: return "the kernel ran out of buffers sending to " + target + ": the interface queue is full";
        default: break;
    }
    return "the local system refused the packet: check the routing table (ip route get " + target +
           ") and local firewall rules (nft list ruleset)";
}

std::string probe_range(std::size_t first, std::size_t last) {
    return first == last ? "icmp_seq " + std::to_string(first)
                         : "icmp_seq " + std::to_string(first) + "-" + std::to_string(last);
}

std::optional<double> arrival_ms(const PingProbe& probe) {
    if (probe.status == EchoStatus::reply && probe.rtt_ms) return probe.sent_ms + *probe.rtt_ms;
    if (probe.status == EchoStatus::timeout && probe.late_reply_ms) return probe.sent_ms + *probe.late_reply_ms;
    return std::nullopt;
}

// The diagnosis for leading probes held by one address resolution (first_probe_lost or first_probe_slow).
Diagnosis held_probes_diagnosis(const PingResult& result, const HeldProbes& held) {
    const auto& n = result.neighbour;
    const std::string who = n.next_hop.valid() ? n.next_hop.to_string() : result.address.to_string();
    const std::size_t answered_later = result.probes.size() - held.held;
    Diagnosis d;
    d.severity = Severity::info;
    d.code = held.timed_out > 0 ? "first_probe_lost" : "first_probe_slow";
    std::string which = held.held == 1 ? "the first probe" : "the first " + std::to_string(held.held) + " probes";
    d.summary = which + " waited for address resolution (ARP/neighbour discovery) of " + who +
                (held.held == 1 ? ": its reply came " : ": their replies all came together ") +
                ms_text(held.released_after_ms) + " after the first was sent" +
                (held.timed_out > 0 ? " (" + std::to_string(held.timed_out) + " after the " +
                                          ms_text(result.timeout_ms) + " timeout)"
                                    : std::string()) +
                ", and every later probe answered: this is not packet loss";
    std::string observed;
    if (held.held == 1) {
        const auto& first = result.probes.front();
        const double waited = first.late_reply_ms ? *first.late_reply_ms : first.rtt_ms.value_or(0.0);
        observed = "reply after " + ms_text(waited) + (held.timed_out > 0 ? ", past the timeout (late)" : "");
    } else if (held.timed_out > 0) {
        observed = std::to_string(held.timed_out) + " replied after the timeout (late)";
    }
    if (held.held > 1 && held.held > held.timed_out) {
        if (!observed.empty()) observed += ", ";
        observed += std::to_string(held.held - held.timed_out) + " answered slowly";
    }
    d.evidence.push_back({"held probes", observed, "replies within " + ms_text(result.timeout_ms),
                          probe_range(1, held.held)});
    if (held.held > 1) {
        d.evidence.push_back({"replies of the held probes", "arrived within " + ms_text(held.spread_ms) +
                                                                " of each other",
                              "", "receive times"});
    }
    d.evidence.push_back({"later probes answered", std::to_string(answered_later) + " of " +
                                                       std::to_string(answered_later) + ", median " +
                                                       ms_text(held.typical_rtt_ms),
                          "", probe_range(held.held + 1, result.probes.back().index)});
    if (n.retrans_time_ms && *n.retrans_time_ms > 0) {
        const double retries = held.released_after_ms / *n.retrans_time_ms;
        const double whole = std::round(retries);
        std::string observed_retrans = std::to_string(*n.retrans_time_ms) + " ms";
        if (whole >= 1.0 && std::fabs(retries - whole) <= 0.25) {
            observed_retrans += "; the hold lasted " + std::to_string(static_cast<int>(whole)) + " retr" +
                                (whole == 1.0 ? "y" : "ies") +
                                " (the first request" + (whole == 1.0 ? " was" : "s were") + " not answered)";
        }
        d.evidence.push_back({"ARP retry interval on " + n.interface, observed_retrans, "",
                              "/proc/sys/net/" + std::string(result.address.is_v6() ? "ipv6" : "ipv4") + "/neigh/" +
                                  n.interface + "/retrans_time_ms"});
    }
    if (!n.state_before.empty() || !n.state_after.empty()) {
        d.evidence.push_back({"neighbour entry for " + who + (n.interface.empty() ? "" : " on " + n.interface),
                              "before the run: " + (n.state_before.empty() ? "unknown" : n.state_before) +
                                  ", after: " + (n.state_after.empty() ? "unknown" : n.state_after),
                              "", "ip neigh"});
    }
    d.advice = "nothing to fix when it happens only on the first ping after a quiet spell (the neighbour entry "
               "had expired). If it happens every time, the first ARP request goes unanswered: capture ARP on " +
               (n.interface.empty() ? std::string("the interface") : n.interface) +
               " (tshark -f arp) to see whether " + who + " answers it. If the network is slow anyway, look "
               "beyond ICMP: a host saturating the link or router shows up in a capture (nettool p2p).";
    d.confidence = 0.9;
    return d;
}

}  // namespace

std::optional<HeldProbes> find_held_probes(const PingResult& result) {
    const auto& probes = result.probes;
    if (probes.size() < 3 || result.statistics.errors != 0) return std::nullopt;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        if (probes[i].index != i + 1) return std::nullopt;
    }
    auto first_arrival = arrival_ms(probes.front());
    if (!first_arrival) return std::nullopt;
    // Candidates: every probe sent before the first reply came, i.e. while the neighbour was still unresolved.
    std::size_t sent_before = 0;
    while (sent_before < probes.size() && probes[sent_before].sent_ms < *first_arrival) ++sent_before;
    std::vector<double> after;
    for (std::size_t i = sent_before; i < probes.size(); ++i) {
        if (probes[i].status != EchoStatus::reply || !probes[i].rtt_ms) return std::nullopt;
        after.push_back(*probes[i].rtt_ms);
    }
    if (after.empty()) return std::nullopt;
    // Held: those that waited far longer than a normal round trip (one sent just as the queue left is not).
    const double held_wait = std::max(20.0, 10.0 * median(after));
    auto waited = [&](const PingProbe& probe) { return *arrival_ms(probe) - probe.sent_ms; };
    std::size_t held = 0;
    while (held < sent_before && arrival_ms(probes[held]) && waited(probes[held]) >= held_wait) ++held;
    if (held == 0 || probes.size() - held < 2) return std::nullopt;  // "everything after answered" needs an after
    std::vector<double> rest;
    for (std::size_t i = held; i < probes.size(); ++i) {
        if (probes[i].status != EchoStatus::reply || !probes[i].rtt_ms) return std::nullopt;
        rest.push_back(*probes[i].rtt_ms);
    }
    HeldProbes found;
    found.held = held;
    found.typical_rtt_ms = median(rest);
    double earliest = *first_arrival;
    double latest = *first_arrival;
    for (std::size_t i = 0; i < held; ++i) {
        auto arrival = arrival_ms(probes[i]);
        if (!arrival) return std::nullopt;  // a held probe never answered: that is loss, not just waiting
        earliest = std::min(earliest, *arrival);
        latest = std::max(latest, *arrival);
        if (probes[i].status == EchoStatus::timeout) ++found.timed_out;
    }
    // Released together: the kernel sends its queue for that neighbour at once.
    const double tolerance = std::max(30.0, 5.0 * found.typical_rtt_ms);
    found.spread_ms = latest - earliest;
    if (found.spread_ms > tolerance) return std::nullopt;
    found.released_after_ms = earliest - probes.front().sent_ms;
    // The hold must stand out from the normal round trip.
    if (found.released_after_ms < 20.0 || found.released_after_ms < 10.0 * found.typical_rtt_ms) return std::nullopt;
    return found;
}

std::string format_ping_ms(double milliseconds) {
    if (!(milliseconds >= 0.0) || !std::isfinite(milliseconds)) milliseconds = 0.0;
    auto micros = static_cast<long long>(std::llround(milliseconds * 1000.0));
    char buffer[48];
    if (micros >= 100000 - 50) {
        std::snprintf(buffer, sizeof buffer, "%lld", (micros + 500) / 1000);
    } else if (micros >= 10000 - 5) {
        std::snprintf(buffer, sizeof buffer, "%lld.%01lld", (micros + 50) / 1000, ((micros + 50) % 1000) / 100);
    } else if (micros >= 1000) {
        std::snprintf(buffer, sizeof buffer, "%lld.%02lld", (micros + 5) / 1000, ((micros + 5) % 1000) / 10);
    } else {
        std::snprintf(buffer, sizeof buffer, "%lld.%03lld", micros / 1000, micros % 1000);
    }
    return buffer;
}

Status validate_ping_request(const PingRequest& r, bool privileged) {
    using std::chrono::microseconds;
    if (r.host.empty()) return usage_error("no host given");
    if (r.count == 0 || r.count > max_ping_count) {
        return usage_error("count must be between 1 and " + std::to_string(max_ping_count) + ", got " +
                           std::to_string(r.count));
    }
    if (r.interval.count() < 0) return usage_error("interval cannot be negative");
    if (r.interval > max_ping_interval) return usage_error("interval (-i) must be 0 to 3600 seconds");
    if (!privileged && r.interval < min_unprivileged_interval) {
        return usage_error("an interval below 0.002 s needs root (got " +
                           format_ms(static_cast<double>(r.interval.count()) / 1000.0) + ")");
    }
    if (r.timeout.count() <= 0 || r.timeout > max_ping_timeout) {
        return usage_error("timeout (-W) must be 0.001 to 3600 seconds");
    }
    if (r.payload_size > max_ping_payload) {
        return usage_error("packet size " + std::to_string(r.payload_size) + " is too large: at most " +
                           std::to_string(max_ping_payload) + " bytes fit in one IP packet");
    }
    if (r.ttl < 0 || r.ttl > 255) return usage_error("TTL must be between 1 and 255, got " + std::to_string(r.ttl));
    if (r.dns_timeout.count() <= 0) return usage_error("DNS timeout must be above 0");
    return Ok{};
}

void PingCounters::sample(double rtt_ms) {
    if (samples_ == 0 || rtt_ms < min_) min_ = rtt_ms;
    if (samples_ == 0 || rtt_ms > max_) max_ = rtt_ms;
    ++samples_;
    sum_ += rtt_ms;
    sum_squares_ += rtt_ms * rtt_ms;
}

void PingCounters::reply(double rtt_ms) {
    ++received_;
    sample(rtt_ms);
}

void PingCounters::duplicate(double rtt_ms) {
    ++duplicates_;
    sample(rtt_ms);
}

PingStatistics PingCounters::statistics(double elapsed_ms) const {
    PingStatistics s;
    s.transmitted = transmitted_;
    s.received = received_;
    s.duplicates = duplicates_;
    s.errors = errors_;
    s.late = late_;
    s.cancelled = cancelled_;
    s.elapsed_ms = elapsed_ms;
    s.loss = transmitted_ == 0 ? 0.0
                               : static_cast<double>(transmitted_ - std::min(received_, transmitted_)) /
                                     static_cast<double>(transmitted_);
    if (samples_ > 0) {
        double n = static_cast<double>(samples_);
        double avg = sum_ / n;
        double variance = sum_squares_ / n - avg * avg;
        s.min_ms = min_;
        s.avg_ms = avg;
        s.max_ms = max_;
        s.mdev_ms = std::sqrt(std::max(0.0, variance));
    }
    return s;
}

std::vector<Diagnosis> diagnose_ping(const PingResult& result) {
    std::vector<Diagnosis> out;
    const auto& s = result.statistics;
    const std::string target = result.address.valid() ? result.address.to_string() : result.host;
    const bool v6 = result.address.is_v6();
    const std::string lost_by = "statistics";
    if (s.transmitted == 0 && s.cancelled > 0) {
        // Interrupted while every probe sent was still waiting: nothing answered, though none had timed out yet.
        Diagnosis d;
        d.code = "no_reply";
        d.severity = Severity::warning;
        d.summary = "no reply to the " + std::to_string(s.cancelled) + " probe(s) sent to " + target +
                    " before the run was interrupted (each still within its " + ms_text(result.timeout_ms) +
                    " timeout)";
        d.evidence.push_back({"replies", "0 of " + std::to_string(s.cancelled) + " (interrupted)",
                              std::to_string(s.cancelled), lost_by});
        d.advice = "let the run finish (or lower -W) to tell a slow host from an unreachable one";
        out.push_back(std::move(d));
        return out;
    }
    if (s.transmitted == 0) {
        Diagnosis d;
        d.code = "no_probes_sent";
        d.severity = Severity::info;
        d.summary = "the run was stopped before any probe finished";
        d.evidence.push_back({"probes finished", "0", "", lost_by});
        out.push_back(std::move(d));
        return out;
    }

    std::vector<std::uint32_t> lost;
    std::vector<std::uint32_t> errored;
    std::vector<double> rest_rtts;
    for (const auto& p : result.probes) {
        if (p.status == EchoStatus::timeout) lost.push_back(p.index);
        if (is_error(p.status)) errored.push_back(p.index);
    }
    std::uint64_t lost_count = s.transmitted - std::min(s.transmitted, s.received + s.errors);

    // ICMP errors and local send errors, grouped by who said what.
    if (s.errors > 0) {
        struct Group {
            std::uint64_t count = 0;
            std::vector<std::uint32_t> probes;
            int type = -1;
            int code = -1;
            EchoStatus status = EchoStatus::unreachable;
            std::string detail;
            IpAddress from;
        };
        std::map<std::string, Group> groups;
        for (const auto& p : result.probes) {
            if (!is_error(p.status)) continue;
            std::string key = std::string(to_string(p.status)) + "|" + p.from.to_string() + "|" + p.detail;
            auto& g = groups[key];
            ++g.count;
            g.probes.push_back(p.index);
            g.type = p.icmp_type;
            g.code = p.icmp_code;
            g.status = p.status;
            g.detail = p.detail;
            g.from = p.from;
        }
        for (EchoStatus kind : {EchoStatus::unreachable, EchoStatus::time_exceeded, EchoStatus::send_error}) {
            Diagnosis d;
            d.severity = Severity::critical;
            std::uint64_t count = 0;
            std::string first_detail;
            IpAddress first_from;
            int first_type = -1;
            int first_code = -1;
            for (const auto& [key, g] : groups) {
                if (g.status != kind) continue;
                count += g.count;
                if (first_detail.empty()) {
                    first_detail = g.detail;
                    first_from = g.from;
                    first_type = g.type;
                    first_code = g.code;
                }
                Evidence e;
                e.what = kind == EchoStatus::send_error ? "local send error" : "ICMP error from " + g.from.to_string();
                e.observed = g.detail + " x" + std::to_string(g.count);
                e.expected = "echo reply";
                e.source = "icmp_seq " + index_list(g.probes);
                d.evidence.push_back(std::move(e));
            }
            if (count == 0) continue;
            std::string share = std::to_string(count) + " of " + std::to_string(s.transmitted) + " probes";
            if (kind == EchoStatus::unreachable) {
                d.code = "host_unreachable";
                d.summary = share + " were answered with \"" + first_detail + "\" from " + first_from.to_string();
                d.advice = error_advice(first_detail, first_type, first_code, first_from, result.address, v6);
            } else if (kind == EchoStatus::time_exceeded) {
                d.code = "ttl_exceeded";
                d.summary = share + " expired in transit (\"" + first_detail + "\" from " +
                            first_from.to_string() + ")";
                d.advice = error_advice(first_detail, first_type, first_code, first_from, result.address, v6);
            } else {
                d.code = "send_failed";
                d.summary = share + " could not be sent: " + first_detail;
                int error_number = 0;
                for (const auto& p : result.probes) {
                    if (p.status == EchoStatus::send_error && error_number == 0) error_number = p.error_number;
                }
                d.advice = send_failed_advice(result, error_number);
                if (result.output_drop_rules) {
                    for (const auto& rule : *result.output_drop_rules) {
                        d.evidence.push_back({"nft rule on outgoing packets", rule, "", "nft list ruleset"});
                    }
                }
            }
            out.push_back(std::move(d));
        }
    }

    // The field pattern: leading probes held by one address resolution, every later one answered.
    const auto held = result.broadcast ? std::nullopt : find_held_probes(result);
    // Without a late reply to look at, only "the first probe alone unanswered" is read as the same cause.
    bool first_lost_pattern = !held && s.transmitted >= 3 && s.errors == 0 && !result.probes.empty() &&
                              result.probes.front().index == 1 && result.probes.front().status == EchoStatus::timeout &&
                              s.received == s.transmitted - 1;
    if (held && held->timed_out > 0) {
        first_lost_pattern = true;
        out.push_back(held_probes_diagnosis(result, *held));
    } else if (first_lost_pattern) {
        const auto& first = result.probes.front();
        for (std::size_t i = 1; i < result.probes.size(); ++i) {
            if (result.probes[i].rtt_ms) rest_rtts.push_back(*result.probes[i].rtt_ms);
        }
        Diagnosis d;
        d.code = "first_probe_lost";
        d.severity = Severity::info;
        d.summary = "only the first probe went unanswered, the other " + std::to_string(s.received) +
                    " all answered: the first packet waited for address resolution (ARP/neighbour discovery) or a "
                    "waking link; this is not packet loss";
        d.evidence.push_back({"icmp_seq 1", first.late_reply_ms ? "reply after " + ms_text(*first.late_reply_ms)
                                                                : "no reply",
                              "reply within " + ms_text(result.timeout_ms), "probe 1"});
        d.evidence.push_back({"later probes answered", std::to_string(s.received) + " of " +
                                                           std::to_string(s.transmitted - 1),
                              "", "icmp_seq 2-" + std::to_string(s.transmitted)});
        if (!rest_rtts.empty()) d.evidence.push_back({"median RTT of the rest", ms_text(median(rest_rtts)), "", ""});
        d.advice = "nothing to fix when it happens only on the first ping after a quiet spell (the neighbour entry "
                   "had expired). If the network is slow anyway, look beyond ICMP: a host saturating the link or "
                   "router shows up in a capture (nettool p2p).";
        d.confidence = first.late_reply_ms ? 0.9 : 0.75;
        out.push_back(std::move(d));
    } else if (s.received == 0 && s.errors == 0) {
        Diagnosis d;
        if (s.late > 0) {
            d.code = "replies_too_late";
            d.severity = Severity::warning;
            d.summary = "no reply within " + ms_text(result.timeout_ms) + ", but " + std::to_string(s.late) +
                        " came later: the host is up and very slow to answer";
            d.evidence.push_back({"late replies", std::to_string(s.late), "0", lost_by});
            d.advice = "raise the timeout (-W) to measure it; a congested link or overloaded router delays the "
                       "replies";
        } else {
            d.code = "no_reply";
            d.severity = Severity::critical;
            d.summary = "no reply to any of the " + std::to_string(s.transmitted) + " probes to " + target +
                        " (100% packet loss)";
            d.evidence.push_back({"replies", "0 of " + std::to_string(s.transmitted),
                                  std::to_string(s.transmitted), lost_by});
            d.advice = result.broadcast
                           ? "nobody answered the broadcast: hosts ignore broadcast pings by default (Linux: "
                             "net.ipv4.icmp_echo_ignore_broadcasts = 1), so silence does not mean nobody is there"
                           : "the host is down or unreachable, or a firewall drops ICMP echo silently; an unanswered "
                             "ping alone does not prove the host is down";
        }
        out.push_back(std::move(d));
    } else if (lost_count > 0) {
        Diagnosis d;
        d.code = "packet_loss";
        d.severity = Severity::warning;
        d.summary = std::to_string(lost_count) + " of " + std::to_string(s.transmitted) + " probes lost (" +
                    percent_text(static_cast<double>(lost_count) / static_cast<double>(s.transmitted)) + ")";
        d.evidence.push_back({"packet loss", percent_text(s.loss), "0%", lost_by});
        if (!lost.empty()) d.evidence.push_back({"unanswered probes", "icmp_seq " + index_list(lost), "", ""});
        if (s.late > 0) {
            d.evidence.push_back({"replies after the timeout", std::to_string(s.late), "0", lost_by});
        }
        d.advice = "loss on a healthy LAN is 0%: check the link (duplex, errors: nettool link), a congested uplink, "
                   "or a host flooding the network";
        out.push_back(std::move(d));
    }

    if (result.broadcast && !result.responders.empty()) {
        Diagnosis d;
        d.code = "broadcast_replies";
        d.severity = Severity::info;
        d.summary = std::to_string(result.responders.size()) + " host" + (result.responders.size() == 1 ? "" : "s") +
                    " answered the broadcast to " + target;
        for (const auto& responder : result.responders) {
            d.evidence.push_back({"answered", responder.address.to_string(),
                                  "", std::to_string(responder.replies) + " repl" +
                                          (responder.replies == 1 ? "y" : "ies")});
        }
        d.advice = "only hosts that answer broadcast pings are listed (Linux ignores them unless "
                   "net.ipv4.icmp_echo_ignore_broadcasts = 0): a missing host may still be there";
        out.push_back(std::move(d));
    } else if (s.duplicates > 0) {
        Diagnosis d;
        d.code = "duplicate_replies";
        d.severity = Severity::warning;
        d.summary = std::to_string(s.duplicates) + " duplicate replies: packets are delivered twice";
        d.evidence.push_back({"duplicates", std::to_string(s.duplicates), "0", lost_by});
        d.advice = "a switching loop, a bridge forwarding twice, or two hosts answering for " + target;
        out.push_back(std::move(d));
    }

    // Probes held by address resolution say nothing about the path's latency.
    const std::optional<double> typical_avg = held ? std::optional<double>(held->typical_rtt_ms) : s.avg_ms;
    if (typical_avg && *typical_avg >= high_latency_ms) {
        Diagnosis d;
        d.code = "high_latency";
        d.severity = Severity::warning;
        d.summary = "average round trip " + ms_text(*typical_avg) + " to " + target;
        d.evidence.push_back({held ? "rtt median after the held probes" : "rtt avg", ms_text(*typical_avg),
                              "below " + ms_text(high_latency_ms), lost_by});
        d.evidence.push_back({"rtt max", ms_text(s.max_ms.value_or(0.0)), "", lost_by});
        d.advice = "a saturated link or overloaded router queues the packets: look for a host using all the "
                   "bandwidth";
        out.push_back(std::move(d));
    }

    // Held probes that all made their timeout: resolution before the first packets, not a problem.
    if (held && held->timed_out == 0) out.push_back(held_probes_diagnosis(result, *held));

    if (!has_problem(out) && !first_lost_pattern && s.received > 0) {
        Diagnosis d;
        d.code = "ok";
        d.severity = Severity::info;
        d.summary = target + " answered " + std::to_string(s.received) + " of " + std::to_string(s.transmitted) +
                    " probes" + (s.avg_ms ? ", average " + ms_text(*s.avg_ms) : std::string());
        if (held) {
            d.summary += " (median " + ms_text(held->typical_rtt_ms) + " without the " + std::to_string(held->held) +
                         " held by address resolution)";
        }
        d.evidence.push_back({"packet loss", percent_text(s.loss), "0%", lost_by});
        out.insert(out.begin(), std::move(d));
    }
    return out;
}

}  // namespace nettool
