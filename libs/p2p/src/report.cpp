// JSON and human renderers of P2pReport.
#include "nettool/p2p/report.hpp"

#include "nettool/core/render.hpp"
#include "nettool/core/table.hpp"
#include "nettool/core/text.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>
#include <iomanip>
#include <sstream>

namespace nettool::p2p {
namespace {

std::string utc_time(double epoch_seconds) {
    if (!(epoch_seconds > 0)) return "";
    auto whole = static_cast<std::time_t>(std::floor(epoch_seconds));
    int millis = static_cast<int>(std::lround((epoch_seconds - static_cast<double>(whole)) * 1000.0));
    if (millis >= 1000) {
        millis -= 1000;
        ++whole;
    }
    std::tm tm{};
    if (gmtime_r(&whole, &tm) == nullptr) return "";
    std::ostringstream out;
    out << std::put_time(&tm, "%Y-%m-%dT%H:%M:%S") << '.' << std::setw(3) << std::setfill('0') << millis << 'Z';
    return out.str();
}

std::string duration_text(double seconds) {
    if (seconds < 60) {
        std::ostringstream out;
        out << std::fixed << std::setprecision(1) << seconds << " s";
        return out.str();
    }
    auto total = static_cast<long long>(seconds);
    std::ostringstream out;
    if (total >= 3600) out << total / 3600 << " h ";
    out << (total % 3600) / 60 << " min " << total % 60 << " s";
    return out.str();
}

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

Colour verdict_colour(Verdict v) {
    return v == Verdict::p2p ? Colour::red : v == Verdict::suspect ? Colour::yellow : Colour::green;
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

std::string owner_text(const HostReport& h) {
    if (!h.owner) return "";
    std::string text = h.owner->owner;
    if (!h.owner->host_name.empty()) text += (text.empty() ? "" : ", ") + h.owner->host_name;
    return text;
}

}  // namespace

const char* to_string(Verdict verdict) {
    switch (verdict) {
        case Verdict::clean: return "clean";
        case Verdict::suspect: return "suspect";
        case Verdict::p2p: return "p2p";
    }
    return "clean";
}

bool P2pReport::any_flagged() const {
    for (const auto& h : hosts) {
        if (h.verdict != Verdict::clean) return true;
    }
    return false;
}

void to_json(nlohmann::json& j, const HostReport& h) {
    nlohmann::json evidence = nlohmann::json::array();
    for (const auto& e : h.evidence) {
        nlohmann::json item = {{"rule", e.rule}, {"kind", e.kind}, {"detail", e.detail}};
        if (!e.protocol.empty()) item["protocol"] = e.protocol;
        if (e.flows > 0) item["flows"] = e.flows;
        item["example_flows"] = e.example_flows;
        item["packets"] = e.packets;
        evidence.push_back(std::move(item));
    }
    j = {{"address", h.address.to_string()},
         {"verdict", to_string(h.verdict)},
         {"confidence", round3(h.confidence)},
         {"protocols", h.protocols},
         {"peers",
          {{"distinct", h.peers},
           {"p2p", h.p2p_peers},
           {"distinct_ports", h.peer_ports},
           {"capped", h.peers_capped},
           {"examples", h.peer_examples}}},
         {"bytes", {{"sent", h.bytes_sent}, {"received", h.bytes_received}, {"share", round3(h.share)}}},
         {"packets", {{"sent", h.packets_sent}, {"received", h.packets_received}}},
         {"first_seen", utc_time(h.first_seen)},
         {"last_seen", utc_time(h.last_seen)},
         {"owner", nullptr},
         {"evidence", std::move(evidence)}};
    if (h.owner) {
        j["owner"] = {{"owner", h.owner->owner},
                      {"host_name", h.owner->host_name},
                      {"note", h.owner->note},
                      {"entry", h.owner->entry}};
    }
    if (!h.peer_of.empty()) j["peer_of"] = h.peer_of;
}

void to_json(nlohmann::json& j, const TopTalker& t) {
    j = {{"address", t.address.to_string()}, {"bytes", t.bytes},   {"packets", t.packets},
         {"share", round3(t.share)},         {"local", t.local}};
    j["verdict"] = t.verdict.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.verdict);
    j["owner"] = t.owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.owner);
}

void to_json(nlohmann::json& j, const Summary& s) {
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& src : s.sources) {
        nlohmann::json item = {{"name", src.name}, {"live", src.live}, {"packets", src.packets},
                               {"truncated", src.truncated}, {"span_seconds", round3(src.span_seconds)}};
        if (!src.error.empty()) item["error"] = src.error;
        if (src.live) {
            item["kernel_dropped"] = src.kernel_dropped;
            item["interface_dropped"] = src.interface_dropped;
            item["nic_rx_dropped"] = src.nic_rx_dropped;
            if (!src.written_to.empty()) {
                item["written_to"] = src.written_to;
                item["written_packets"] = src.written_packets;
            }
            if (!src.run_as.empty()) item["run_as"] = src.run_as;
        }
        sources.push_back(std::move(item));
    }
    j = {{"packets", s.packets},
         {"bytes", s.bytes},
         {"ip_packets", s.ip_packets},
         {"flows", s.flows},
         {"flows_active", s.flows_active},
         {"flows_expired", s.flows_expired},
         {"flows_evicted", s.flows_evicted},
         {"p2p_flows", s.p2p_flows},
         {"hosts_seen", s.hosts_seen},
         {"hosts_untracked", s.hosts_untracked},
         {"duration", round3(s.duration)},
         {"first_packet", utc_time(s.first_packet)},
         {"last_packet", utc_time(s.last_packet)},
         {"skipped",
          {{"total", s.skipped.total()},
           {"not_ip", s.skipped.not_ip},
           {"truncated", s.skipped.truncated},
           {"malformed", s.skipped.malformed},
           {"unsupported_link", s.skipped.unsupported_link}}},
         {"malformed", s.skipped.malformed + s.skipped.truncated},
         {"non_first_fragments", s.skipped.non_first_fragments},
         {"sources", std::move(sources)},
         {"local_networks", s.local_networks},
         {"inventory_entries", s.inventory_entries},
         {"inventory_skipped_lines", s.inventory_skipped_lines}};
}

void to_json(nlohmann::json& j, const P2pReport& r) {
    j = {{"hosts", r.hosts}, {"top_talkers", r.top_talkers}, {"summary", r.summary}, {"diagnoses", r.diagnoses}};
}

void render_human(std::ostream& out, const P2pReport& r, const Style& style) {
    const auto& s = r.summary;
    std::string sources;
    for (const auto& src : s.sources) sources += (sources.empty() ? "" : ", ") + sanitize_for_terminal(src.name);
    out << style.paint("nettool p2p", Colour::bold) << ": " << s.packets << " packets, " << format_bytes(s.bytes)
        << " over " << duration_text(s.duration) << " from " << (sources.empty() ? "-" : sources) << '\n';
    out << "  " << s.flows << " flows (" << s.p2p_flows << " identified as P2P), " << s.hosts_seen
        << " addresses; local: " << join(s.local_networks) << '\n';

    std::size_t flagged = 0;
    std::size_t clean = 0;
    for (const auto& h : r.hosts) (h.verdict == Verdict::clean ? clean : flagged)++;

    out << '\n' << style.paint("Local hosts with P2P file sharing", Colour::bold) << '\n';
    if (flagged == 0) {
        out << "  none (" << clean << " local hosts checked)\n";
    } else {
        Table table({{"HOST"}, {"VERDICT"}, {"CONF", Align::right}, {"PROTOCOLS"}, {"PEERS", Align::right},
                     {"PORTS", Align::right}, {"SENT", Align::right}, {"RECEIVED", Align::right},
                     {"SHARE", Align::right}, {"OWNER"}});
        for (const auto& h : r.hosts) {
            if (h.verdict == Verdict::clean) continue;
            table.add_row({h.address.to_string(), to_string(h.verdict), format_percent(h.confidence, 0),
                           h.protocols.empty() ? "(behaviour)" : join(h.protocols),
                           std::to_string(h.verdict == Verdict::p2p ? h.p2p_peers : h.peers),
                           std::to_string(h.peer_ports), format_bytes(h.bytes_sent), format_bytes(h.bytes_received),
                           format_percent(h.share), owner_text(h)},
                          {Colour::bold, verdict_colour(h.verdict)});
        }
        table.render(out, style, "  ");
        for (const auto& h : r.hosts) {
            if (h.verdict == Verdict::clean) continue;
            out << '\n' << "  " << style.paint(h.address.to_string(), Colour::bold);
            if (h.owner) {
                out << "  owner: " << sanitize_for_terminal(h.owner->owner);
                if (!h.owner->host_name.empty()) out << ", host " << sanitize_for_terminal(h.owner->host_name);
                if (!h.owner->note.empty()) out << " (" << sanitize_for_terminal(h.owner->note) << ")";
                out << style.paint(" [" + sanitize_for_terminal(h.owner->entry) + "]", Colour::dim);
            }
            out << '\n';
            out << "    seen " << utc_time(h.first_seen) << " .. " << utc_time(h.last_seen) << ", " << h.packets_sent
                << " packets sent, " << h.packets_received << " received\n";
            if (!h.peer_examples.empty()) out << "    peers e.g. " << join(h.peer_examples) << '\n';
            for (const auto& e : h.evidence) {
                out << "    - " << style.paint(e.rule, Colour::cyan) << " [" << e.kind << "]";
                if (!e.protocol.empty()) out << " " << e.protocol;
                if (e.flows > 0) out << ", " << e.flows << " flow" << (e.flows == 1 ? "" : "s");
                if (e.kind == "behaviour" || e.kind == "port_hint") out << ": " << sanitize_for_terminal(e.detail);
                out << '\n';
                for (const auto& f : e.example_flows) out << "        " << sanitize_for_terminal(f) << '\n';
                if (!e.packets.empty()) {
                    out << "        packets";
                    for (auto n : e.packets) out << ' ' << n;
                    out << '\n';
                }
            }
        }
    }

    out << '\n' << style.paint("Top talkers", Colour::bold) << '\n';
    if (r.top_talkers.empty()) {
        out << "  none\n";
    } else {
        Table table({{"ADDRESS"}, {"BYTES", Align::right}, {"PACKETS", Align::right}, {"SHARE", Align::right},
                     {"LOCAL"}, {"VERDICT"}, {"OWNER"}});
        for (const auto& t : r.top_talkers) {
            Colour c = t.verdict == "p2p" ? Colour::red : t.verdict == "suspect" ? Colour::yellow : Colour::none;
            table.add_row({t.address.to_string(), format_bytes(t.bytes), std::to_string(t.packets),
                           format_percent(t.share), t.local ? "yes" : "no", t.verdict, t.owner},
                          {Colour::none, Colour::none, Colour::none, Colour::none, Colour::none, c});
        }
        table.render(out, style, "  ");
    }

    out << '\n' << style.paint("Summary", Colour::bold) << '\n';
    out << "  " << s.ip_packets << " IP packets; skipped " << s.skipped.total() << " (not IP " << s.skipped.not_ip
        << ", truncated " << s.skipped.truncated << ", malformed " << s.skipped.malformed << ", unsupported link "
        << s.skipped.unsupported_link << ")\n";
    out << "  flows: " << s.flows << " created, " << s.flows_expired << " expired idle, " << s.flows_evicted
        << " evicted (table full)\n";
    out << "  local hosts: " << flagged << " flagged, " << clean << " clean\n";

    out << '\n';
    render_diagnoses(out, r.diagnoses, style);
}

void render_live(std::ostream& out, const P2pReport& r, const Style& style, double elapsed_seconds,
                 const LiveCounters* counters, const LiveCounters* previous) {
    const auto& s = r.summary;
    out << "\x1b[H\x1b[2J";
    out << style.paint("nettool p2p (live)", Colour::bold) << "  " << duration_text(elapsed_seconds) << ", " << s.packets
        << " packets, " << format_bytes(s.bytes) << ", " << s.flows_active << " active flows  (Ctrl-C to stop)\n";
    if (counters) {
        LiveCounters before = previous ? *previous : LiveCounters{};
        std::uint64_t dropped = counters->kernel_dropped + counters->interface_dropped;
        std::uint64_t dropped_before = before.kernel_dropped + before.interface_dropped;
        std::string line = "capture: " + std::to_string(counters->captured - std::min(counters->captured, before.captured)) +
                           " packets/s captured, " + std::to_string(dropped - std::min(dropped, dropped_before)) +
                           " dropped/s (total " + std::to_string(counters->captured) + " captured, " +
                           std::to_string(dropped) + " dropped)";
        out << (dropped > 0 ? style.paint(line, Colour::red) : line) << '\n';
    }
    out << '\n';
    out << style.paint("Top talkers", Colour::bold) << '\n';
    Table talkers({{"ADDRESS"}, {"BYTES", Align::right}, {"SHARE", Align::right}, {"VERDICT"}, {"OWNER"}});
    for (const auto& t : r.top_talkers) {
        Colour c = t.verdict == "p2p" ? Colour::red : t.verdict == "suspect" ? Colour::yellow : Colour::none;
        talkers.add_row({t.address.to_string(), format_bytes(t.bytes), format_percent(t.share), t.verdict, t.owner},
                        {Colour::none, Colour::none, Colour::none, c});
    }
    talkers.render(out, style, "  ");
    out << '\n' << style.paint("Suspected P2P hosts", Colour::bold) << '\n';
    Table hosts({{"HOST"}, {"VERDICT"}, {"CONF", Align::right}, {"PROTOCOLS"}, {"PEERS", Align::right},
                 {"SHARE", Align::right}, {"OWNER"}});
    for (const auto& h : r.hosts) {
        if (h.verdict == Verdict::clean) continue;
        hosts.add_row({h.address.to_string(), to_string(h.verdict), format_percent(h.confidence, 0),
                       h.protocols.empty() ? "(behaviour)" : join(h.protocols),
                       std::to_string(h.verdict == Verdict::p2p ? h.p2p_peers : h.peers), format_percent(h.share),
                       owner_text(h)},
                      {Colour::bold, verdict_colour(h.verdict)});
    }
    if (hosts.rows() == 0) {
        out << "  none so far\n";
    } else {
        hosts.render(out, style, "  ");
    }
    out.flush();
}

}  // namespace nettool::p2p
