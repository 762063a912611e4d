// The two forms of a ping result: human lines in iputils' wording, and JSON with the same numbers.
#include "nettool/ping/ping.hpp"

#include "nettool/core/render.hpp"
#include "nettool/core/text.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace nettool {
namespace {

std::string three_decimals(double ms) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%.3f", std::isfinite(ms) ? ms : 0.0);
    return buffer;
}

std::string loss_text(double fraction) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g%%", fraction * 100.0);
    return buffer;
}

nlohmann::json optional_number(const std::optional<double>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string reply_line(const PingProbe& probe) {
    std::string line = std::to_string(probe.bytes) + " bytes from " + probe.from.to_string() +
                       ": icmp_seq=" + std::to_string(probe.index);
    if (probe.ttl >= 0) line += " ttl=" + std::to_string(probe.ttl);
    if (probe.rtt_ms) line += " time=" + format_ping_ms(*probe.rtt_ms) + " ms";
    return line;
}

}  // namespace

void render_ping_start(std::ostream& out, const PingResult& result, const Style& style) {
    std::string host = sanitize_for_terminal(result.host);
    const std::string zone = result.address.is_v6() && !result.interface.empty() &&
                                     result.host.find('%') != std::string::npos
                                 ? "%" + sanitize_for_terminal(result.interface)
                                 : std::string();
    if (!result.canonical_name.empty()) {
        // Which name finally answered: "router → router.office.lan → 10.0.0.1 (system resolver)".
        out << host;
        if (result.canonical_name != result.host) out << " → " << sanitize_for_terminal(result.canonical_name);
        out << " → " << result.address.to_string() << " (" << result.resolved_by << ")\n";
        host = sanitize_for_terminal(result.canonical_name);
    }
    out << style.paint("PING", Colour::bold) << ' ' << host << " (" << result.address.to_string() << zone << ") ";
    if (result.address.is_v6()) {
        out << result.payload_size << " data bytes";
    } else {
        out << result.payload_size << '(' << result.payload_size + 28 << ") bytes of data.";
    }
    if (!result.interface.empty() && zone.empty()) out << " via " << sanitize_for_terminal(result.interface);
    if (result.broadcast) out << " Broadcast: every host that answers is counted.";
    out << '\n';
}

void render_ping_probe(std::ostream& out, const PingProbe& probe, const Style& style) {
    switch (probe.status) {
        case EchoStatus::reply: out << reply_line(probe) << '\n'; break;
        case EchoStatus::unreachable:
        case EchoStatus::time_exceeded:
            out << "From " << probe.from.to_string() << " icmp_seq=" << probe.index << ' '
                << style.paint(sanitize_for_terminal(probe.detail), Colour::red) << '\n';
            break;
        case EchoStatus::send_error:
            out << "icmp_seq=" << probe.index << ' '
                << style.paint("send failed: " + sanitize_for_terminal(probe.detail), Colour::red) << '\n';
            break;
        case EchoStatus::timeout:
            out << style.paint("no answer yet for icmp_seq=" + std::to_string(probe.index), Colour::yellow) << '\n';
            break;
    }
    out.flush();
}

void render_ping_extra_reply(std::ostream& out, const PingProbe& extra, bool duplicate, const Style& style) {
    out << reply_line(extra) << ' '
        << style.paint(duplicate ? "(DUP!)" : "(LATE: after the timeout)", Colour::yellow) << '\n';
    out.flush();
}

void render_ping_summary(std::ostream& out, const PingResult& result, const Style& style) {
    const auto& s = result.statistics;
    out << '\n' << "--- " << sanitize_for_terminal(result.host) << " ping statistics ---\n";
    out << s.transmitted << " packets transmitted, " << s.received << " received";
    if (s.duplicates > 0) out << ", +" << s.duplicates << " duplicates";
    if (s.errors > 0) out << ", +" << s.errors << " errors";
    if (s.late > 0) out << ", +" << s.late << " late";
    out << ", " << loss_text(s.loss) << " packet loss, time " << std::llround(s.elapsed_ms) << "ms\n";
    if (s.min_ms) {
        out << "rtt min/avg/max/mdev = " << three_decimals(*s.min_ms) << '/' << three_decimals(*s.avg_ms) << '/'
            << three_decimals(*s.max_ms) << '/' << three_decimals(*s.mdev_ms) << " ms\n";
    }
    if (s.cancelled > 0) {
        out << style.paint("(" + std::to_string(s.cancelled) + " probe(s) still in flight when interrupted, not counted)",
                           Colour::dim)
            << '\n';
    }
    if (result.corrupted_messages > 0) {
        out << "(" << result.corrupted_messages << " corrupted ICMP message(s) ignored)\n";
    }
    if (!result.diagnoses.empty()) {
        out << '\n';
        render_diagnoses(out, result.diagnoses, style);
    }
}

void render_ping_report(std::ostream& out, const PingResult& result, const Style& style) {
    render_ping_start(out, result, style);
    for (const auto& probe : result.probes) {
        render_ping_probe(out, probe, style);
        if (probe.late_reply_ms) {
            PingProbe late = probe;
            late.status = EchoStatus::reply;
            late.rtt_ms = probe.late_reply_ms;
            render_ping_extra_reply(out, late, false, style);
        }
    }
    if (result.probes_not_recorded > 0) {
        out << "(" << result.probes_not_recorded << " more probes not listed)\n";
    }
    render_ping_summary(out, result, style);
}

void to_json(nlohmann::json& j, const PingProbe& p) {
    j = nlohmann::json{
        {"icmp_seq", p.index},
        {"sequence", p.sequence},
        {"status", to_string(p.status)},
        {"from", p.from.valid() ? nlohmann::json(p.from.to_string()) : nlohmann::json(nullptr)},
        {"rtt_ms", optional_number(p.rtt_ms)},
        {"ttl", p.ttl >= 0 ? nlohmann::json(p.ttl) : nlohmann::json(nullptr)},
        {"bytes", p.bytes},
        {"icmp_type", p.icmp_type >= 0 ? nlohmann::json(p.icmp_type) : nlohmann::json(nullptr)},
        {"icmp_code", p.icmp_code >= 0 ? nlohmann::json(p.icmp_code) : nlohmann::json(nullptr)},
        {"detail", p.detail},
        {"late_reply_ms", optional_number(p.late_reply_ms)},
        {"sent_ms", p.sent_ms},
    };
}

void to_json(nlohmann::json& j, const PingStatistics& s) {
    j = nlohmann::json{
        {"transmitted", s.transmitted},
        {"received", s.received},
        {"duplicates", s.duplicates},
        {"errors", s.errors},
        {"late", s.late},
        {"cancelled", s.cancelled},
        {"loss_percent", s.loss * 100.0},
        {"time_ms", s.elapsed_ms},
        {"rtt_min_ms", optional_number(s.min_ms)},
        {"rtt_avg_ms", optional_number(s.avg_ms)},
        {"rtt_max_ms", optional_number(s.max_ms)},
        {"rtt_mdev_ms", optional_number(s.mdev_ms)},
    };
}

void to_json(nlohmann::json& j, const PingResult& r) {
    nlohmann::json resolved = nlohmann::json::array();
    for (const auto& a : r.resolved) resolved.push_back(a.to_string());
    nlohmann::json responders = nlohmann::json::array();
    for (const auto& responder : r.responders) {
        responders.push_back({{"address", responder.address.to_string()}, {"replies", responder.replies}});
    }
    const auto& n = r.neighbour;
    nlohmann::json neighbour = {
        {"interface", n.interface.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.interface)},
        {"next_hop", n.next_hop.valid() ? nlohmann::json(n.next_hop.to_string()) : nlohmann::json(nullptr)},
        {"state_before", n.state_before.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.state_before)},
        {"state_after", n.state_after.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.state_after)},
        {"retrans_time_ms", n.retrans_time_ms ? nlohmann::json(*n.retrans_time_ms) : nlohmann::json(nullptr)},
    };
    j = nlohmann::json{
        {"host", r.host},
        {"address", r.address.valid() ? nlohmann::json(r.address.to_string()) : nlohmann::json(nullptr)},
        {"family", r.address.is_v6() ? "ipv6" : "ipv4"},
        {"resolved", resolved},
        {"canonical_name", r.canonical_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.canonical_name)},
        {"resolved_by", r.resolved_by},
        {"search_tried", r.search_tried},
        {"interface", r.interface.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.interface)},
        {"broadcast", r.broadcast},
        {"responders", responders},
        {"neighbour", neighbour},
        {"socket", r.socket},
        {"payload_size", r.payload_size},
        {"count", r.count},
        {"interval_ms", r.interval_ms},
        {"timeout_ms", r.timeout_ms},
        {"ttl", r.ttl > 0 ? nlohmann::json(r.ttl) : nlohmann::json(nullptr)},
        {"interrupted", r.interrupted},
        {"statistics", r.statistics},
        {"probes", r.probes},
        {"probes_not_recorded", r.probes_not_recorded},
        {"ignored_messages", r.ignored_messages},
        {"corrupted_messages", r.corrupted_messages},
        {"diagnoses", r.diagnoses},
    };
}

}  // namespace nettool
