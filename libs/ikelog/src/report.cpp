// The report's two renderers (JSON document and human text), enum names, and --resolve arguments.
#include "nettool/ikelog/ike_log.hpp"

#include "nettool/core/render.hpp"
#include "nettool/core/table.hpp"
#include "nettool/core/text.hpp"
#include "nettool/wire/ip_address.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nettool::ikelog {

const char* to_string(EventKind kind) {
    switch (kind) {
    case EventKind::unknown: return "unknown";
    case EventKind::negotiation_start: return "negotiation_start";
    case EventKind::message_sent: return "message_sent";
    case EventKind::message_received: return "message_received";
    case EventKind::notify_sent: return "notify_sent";
    case EventKind::notify_received: return "notify_received";
    case EventKind::retransmit: return "retransmit";
    case EventKind::give_up: return "give_up";
    case EventKind::phase1_established: return "phase1_established";
    case EventKind::child_established: return "child_established";
    case EventKind::child_failed: return "child_failed";
    case EventKind::deleted: return "deleted";
    case EventKind::dpd: return "dpd";
    case EventKind::dpd_timeout: return "dpd_timeout";
    case EventKind::proposals: return "proposals";
    case EventKind::error: return "error";
    }
    return "unknown";
}

const char* to_string(Role role) {
    switch (role) {
    case Role::unknown: return "unknown";
    case Role::initiator: return "initiator";
    case Role::responder: return "responder";
    }
    return "unknown";
}

const char* to_string(Exchange exchange) {
    switch (exchange) {
    case Exchange::unknown: return "unknown";
    case Exchange::main_mode: return "main_mode";
    case Exchange::aggressive_mode: return "aggressive_mode";
    case Exchange::quick_mode: return "quick_mode";
    case Exchange::informational: return "informational";
    case Exchange::ike_sa_init: return "IKE_SA_INIT";
    case Exchange::ike_auth: return "IKE_AUTH";
    case Exchange::create_child_sa: return "CREATE_CHILD_SA";
    }
    return "unknown";
}

namespace {

nlohmann::json attempt_json(const AttemptSummary& a) {
    nlohmann::json j = {{"number", a.number},         {"role", to_string(a.role)},
                        {"ike_version", a.ike_version}, {"outcome", a.outcome},
                        {"code", a.code.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.code)},
                        {"last_state", a.last_state}, {"first_line", a.first_line},
                        {"notes", a.notes}};
    if (!a.start_time.empty()) j["start_time"] = a.start_time;
    if (!a.spi.empty()) j["spi"] = a.spi;
    return j;
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f s", s);
    return buf;
}

}  // namespace

void to_json(nlohmann::json& j, const IkeReport& r) {
    j = nlohmann::json::object();
    auto& files = j["files"] = nlohmann::json::array();
    for (const auto& f : r.files) {
        nlohmann::json fj = {{"path", f.path},
                             {"format", f.format},
                             {"format_confidence", std::round(f.confidence * 100) / 100},
                             {"format_forced", f.forced},
                             {"lines", f.lines},
                             {"skipped", f.skipped},
                             {"skipped_reasons",
                              {{"binary", f.skipped_binary},
                               {"too_long", f.skipped_too_long},
                               {"unrecognised", f.skipped_unrecognised}}},
                             {"events", f.events}};
        if (!f.other_formats.empty()) fj["other_formats"] = f.other_formats;
        fj["order"] = f.newest_first ? "newest_first" : "oldest_first";
        files.push_back(std::move(fj));
    }
    auto& peers = j["peers"] = nlohmann::json::array();
    for (const auto& p : r.peers) {
        nlohmann::json pj = {{"peer", p.peer},
                             {"peer_is_address", p.peer_is_address},
                             {"connection", p.connection.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.connection)},
                             {"file", p.file},
                             {"local", p.local.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.local)},
                             {"role", to_string(p.role)},
                             {"ike_version", p.ike_version == 0 ? nlohmann::json(nullptr) : nlohmann::json(p.ike_version)},
                             {"attempts", p.attempts},
                             {"phase1_established", p.phase1_established},
                             {"established", p.established},
                             {"established_counts_phase1", p.established_counts_phase1},
                             {"failed", p.failed},
                             {"time_to_establish_s", p.time_to_establish_s ? nlohmann::json(*p.time_to_establish_s)
                                                                           : nlohmann::json(nullptr)},
                             {"last_state", p.last_state},
                             {"last_attempt_established", p.last_attempt_established},
                             {"flaps", p.flaps},
                             {"failure", p.failure}};
        auto& failures = pj["failures"] = nlohmann::json::array();
        for (const auto& f : p.failures) {
            failures.push_back({{"code", f.code}, {"count", f.count}, {"evidence", f.evidence}});
        }
        if (p.root_cause) {
            nlohmann::json rc = {{"code", p.root_cause->code},
                                 {"summary", p.root_cause->summary},
                                 {"explains", p.root_cause->explains}};
            rc["proved_by"] = p.root_cause->proved_by.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(p.root_cause->proved_by);
            pj["root_cause"] = std::move(rc);
        } else {
            pj["root_cause"] = nullptr;
        }
        pj["diagnoses"] = p.diagnoses;
        for (auto& dj : pj["diagnoses"]) {
            bool follows = p.root_cause && dj["code"] != p.root_cause->code &&
                           std::find(p.root_cause->explains.begin(), p.root_cause->explains.end(),
                                     dj["code"].get<std::string>()) != p.root_cause->explains.end();
            dj["follows_from"] = follows ? nlohmann::json(p.root_cause->code) : nlohmann::json(nullptr);
        }
        auto& attempts = pj["recent_attempts"] = nlohmann::json::array();
        for (const auto& a : p.recent_attempts) attempts.push_back(attempt_json(a));
        peers.push_back(std::move(pj));
    }
    auto& correlations = j["correlation"] = nlohmann::json::array();
    for (const auto& c : r.correlations) {
        nlohmann::json cj = {{"a", {{"file", c.file_a}, {"peer", c.peer_a}}},
                             {"b", {{"file", c.file_b}, {"peer", c.peer_b}}},
                             {"matched_by", c.matched_by},
                             {"paired_by", c.paired_by}};
        auto& pairs = cj["pairs"] = nlohmann::json::array();
        for (const auto& pair : c.pairs) {
            pairs.push_back({{"a", pair.a ? attempt_json(*pair.a) : nlohmann::json(nullptr)},
                             {"b", pair.b ? attempt_json(*pair.b) : nlohmann::json(nullptr)}});
        }
        if (c.verdict) {
            cj["verdict"] = c.verdict->diagnosis;
            cj["verdict"]["change"] = {{"file", c.verdict->change_file.empty() ? nlohmann::json(nullptr)
                                                                               : nlohmann::json(c.verdict->change_file)},
                                       {"role", c.verdict->change_role},
                                       {"what", c.verdict->change}};
        } else {
            cj["verdict"] = nullptr;
        }
        correlations.push_back(std::move(cj));
    }
    auto& names = j["name_checks"] = nlohmann::json::array();
    for (const auto& n : r.name_checks) {
        nlohmann::json nj = {{"name", n.name}, {"addresses", n.addresses}, {"source", n.source}};
        if (!n.error.empty()) nj["error"] = n.error;
        names.push_back(std::move(nj));
    }
    j["diagnoses"] = r.diagnoses;
    j["all_established"] = r.all_established();
}

void render_human(std::ostream& out, const IkeReport& r, const Style& style) {
    for (const auto& f : r.files) {
        out << style.paint(sanitize_for_terminal(f.path), Colour::bold) << ": " << f.format;
        if (f.forced) {
            out << " (forced)";
        } else if (f.format != "unknown") {
            out << " (detected, " << format_percent(f.confidence, 0) << " sure)";
        }
        out << ", " << f.lines << " lines, " << f.events << " events";
        if (f.skipped > 0) out << ", " << f.skipped << " skipped";
        for (const auto& [name, n] : f.other_formats) out << ", " << n << " lines of " << name;
        if (f.newest_first) out << ", newest first (read in reverse)";
        out << '\n';
    }
    if (r.peers.empty()) {
        out << "\nNo IKE negotiation found in the input.\n";
    }
    for (const auto& p : r.peers) {
        out << '\n'
            << style.paint("peer " + sanitize_for_terminal(p.peer), Colour::bold)
            << (p.peer_is_address ? "" : " (connection name; the log never prints the address)");
        if (!p.connection.empty() && p.peer_is_address) out << "  connection \"" << sanitize_for_terminal(p.connection) << '"';
        out << "  [" << sanitize_for_terminal(p.file) << "]\n";
        Table t({{"role"}, {"IKE"}, {"attempts", Align::right}, {"phase 1 up", Align::right},
                 {"established", Align::right}, {"failed", Align::right}, {"flaps", Align::right},
                 {"time to establish"}, {"last state"}});
        t.add_row({to_string(p.role), p.ike_version ? "v" + std::to_string(p.ike_version) : "?",
                   std::to_string(p.attempts), std::to_string(p.phase1_established),
                   std::to_string(p.established) + (p.established_counts_phase1 ? " (phase 1)" : ""),
                   std::to_string(p.failed), std::to_string(p.flaps),
                   p.time_to_establish_s ? seconds_text(*p.time_to_establish_s) : "-", p.last_state},
                  {Colour::none, Colour::none, Colour::none, Colour::none,
                   p.last_attempt_established ? Colour::green : Colour::red});
        t.render(out, style, "  ");
        if (p.root_cause) {
            out << "  root cause: " << style.paint(p.root_cause->code, Colour::red) << " - "
                << sanitize_for_terminal(p.root_cause->summary);
            if (!p.root_cause->proved_by.empty()) out << " (proved by " << sanitize_for_terminal(p.root_cause->proved_by) << ")";
            out << '\n';
        }
        out << "  failure: "
            << style.paint(p.failure, p.failure == codes::none ? Colour::green : Colour::red) << '\n';
        render_diagnoses(out, p.diagnoses, style, "  ");
    }
    for (const auto& c : r.correlations) {
        out << '\n'
            << style.paint("side by side", Colour::bold) << ": " << sanitize_for_terminal(c.file_a) << " (peer "
            << sanitize_for_terminal(c.peer_a) << ") <-> " << sanitize_for_terminal(c.file_b) << " (peer "
            << sanitize_for_terminal(c.peer_b) << "), matched by " << c.matched_by << ", paired by " << c.paired_by
            << '\n';
        Table t({{"#", Align::right}, {"A outcome"}, {"A saw"}, {"B outcome"}, {"B saw"}});
        std::size_t n = 0;
        for (const auto& pair : c.pairs) {
            auto outcome = [](const std::optional<AttemptSummary>& a) {
                if (!a) return std::string("-");
                return a->outcome + (a->code.empty() ? "" : " (" + a->code + ")") + " line " +
                       std::to_string(a->first_line);
            };
            t.add_row({std::to_string(++n), outcome(pair.a), pair.a ? pair.a->notes : "(no attempt)", outcome(pair.b),
                       pair.b ? pair.b->notes : "(no attempt)"});
        }
        t.render(out, style, "  ");
        if (c.verdict) {
            out << "  " << style.paint("tunnel verdict", Colour::bold) << ": " << c.verdict->diagnosis.code;
            if (c.verdict->change_role != "none") {
                out << "; change: "
                    << (c.verdict->change_file.empty() || c.verdict->change_role == "both" ||
                                c.verdict->change_role == "path"
                            ? c.verdict->change_role
                            : sanitize_for_terminal(c.verdict->change_file) + " (" + c.verdict->change_role + ")");
            }
            out << '\n';
            render_diagnoses(out, {c.verdict->diagnosis}, style, "  ");
        }
    }
    if (!r.diagnoses.empty()) {
        out << '\n';
        render_diagnoses(out, r.diagnoses, style);
    }
}

Result<NameCheck> parse_resolve_argument(const std::string& argument) {
    NameCheck n;
    auto eq = argument.find('=');
    n.name = argument.substr(0, eq);
    if (n.name.empty() || n.name.size() > 253 || n.name.find_first_of(" \t/") != std::string::npos) {
        return usage_error("--resolve wants NAME=ADDR or NAME, got '" + argument + "'");
    }
    if (eq == std::string::npos) {
        n.source = "dns";
        return n;
    }
    n.source = "given";
    std::string rest = argument.substr(eq + 1);
    std::size_t start = 0;
    while (start <= rest.size()) {
        auto comma = rest.find(',', start);
        std::string item = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto addr = IpAddress::parse(item);
        if (!addr) return usage_error("--resolve " + argument + ": '" + item + "' is not an IP address");
        n.addresses.push_back(addr->to_string());
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return n;
}

}  // namespace nettool::ikelog
