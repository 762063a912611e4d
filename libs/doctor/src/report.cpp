// Request checks, the JSON document and the human report (verdict first, one line per layer, then evidence).
#include "nettool/doctor/doctor.hpp"

#include "nettool/core/render.hpp"
#include "nettool/dnscheck/dnscheck.hpp"
#include "nettool/dnscheck/text.hpp"
#include "nettool/link/link_check.hpp"
#include "nettool/link/snapshot.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace nettool::doctor {

const char* to_string(NeighbourState state) {
    switch (state) {
        case NeighbourState::unknown: return "unknown";
        case NeighbourState::resolved: return "resolved";
        case NeighbourState::failed: return "failed";
        case NeighbourState::not_read: return "not_read";
    }
    return "unknown";
}

const char* to_string(LayerStatus status) {
    switch (status) {
        case LayerStatus::ok: return "ok";
        case LayerStatus::problem: return "problem";
        case LayerStatus::inconclusive: return "inconclusive";
        case LayerStatus::skipped: return "skipped";
    }
    return "unknown";
}

Result<TcpTarget> TcpTarget::parse(std::string_view text) {
    auto bad = [&] {
        return usage_error("--tcp wants IP:PORT or [IPv6]:PORT (an address, not a name: DNS is under test), got '" +
                           std::string(text) + "'");
    };
    std::string_view host;
    std::string_view port;
    if (text.starts_with("[")) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return bad();
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) return bad();
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    auto address = IpAddress::parse(host);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (!address || ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) return bad();
    return TcpTarget{*address, static_cast<std::uint16_t>(value)};
}

std::string TcpTarget::to_string() const {
    return address.is_v6() ? "[" + address.to_string() + "]:" + std::to_string(port)
                           : address.to_string() + ":" + std::to_string(port);
}

Status validate_request(const DoctorRequest& request) {
    if (!std::isfinite(request.capture_seconds) || request.capture_seconds < 0 || request.capture_seconds > 3600) {
        return usage_error("--capture must be between 0 and 3600 seconds");
    }
    if (request.ethtool_json && !request.sysfs_root) {
        return usage_error("--ethtool-json needs --sysfs-root (the recorded sysfs view of the same interface)");
    }
    if (!request.interface.empty() && !link::valid_interface_name(request.interface)) {
        return usage_error("not a valid interface name: '" + sanitize_for_terminal(request.interface) + "'");
    }
    if (request.probe_deadline < std::chrono::milliseconds(100) || request.probe_deadline > std::chrono::seconds(60)) {
        return usage_error("the probe deadline must be between 100 ms and 60 s");
    }
    dnscheck::DnsCheckRequest names;
    names.names = request.names;
    if (auto st = dnscheck::validate_request(names); !st) return st;
    return Ok{};
}

void to_json(nlohmann::json& j, const LayerReport& layer) {
    j = nlohmann::json{{"name", layer.name}, {"status", to_string(layer.status)}, {"why", layer.why},
                       {"diagnoses", layer.diagnoses}};
}

void to_json(nlohmann::json& j, const RootCause& cause) {
    j = nlohmann::json{{"code", cause.code},       {"layer", cause.layer},   {"summary", cause.summary},
                       {"advice", cause.advice},   {"explains", cause.explains}};
}

namespace {

nlohmann::json observations_json(const Observations& obs) {
    nlohmann::json j;
    const AddressObservation& a = obs.address;
    j["address"] = {{"interface", a.interface},
                    {"addresses", a.addresses},
                    {"default_route_v4", a.default_route_v4},
                    {"default_route_v6", a.default_route_v6},
                    {"gateway_v4", a.gateway_v4 ? nlohmann::json(a.gateway_v4->to_string()) : nlohmann::json()},
                    {"gateway_v6", a.gateway_v6 ? nlohmann::json(a.gateway_v6->to_string()) : nlohmann::json()}};
    j["link"] = obs.link.report ? nlohmann::json(*obs.link.report) : nlohmann::json();
    j["link_source"] = obs.link.source;
    nlohmann::json gateways = nlohmann::json::array();
    for (const auto& g : obs.gateways) {
        gateways.push_back({{"address", g.address.to_string()},
                            {"echoes", g.echoes},
                            {"icmp_unavailable", g.icmp_unavailable},
                            {"neighbour", to_string(g.neighbour)},
                            {"neighbour_detail", g.neighbour_detail}});
    }
    j["gateways"] = gateways;
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& t : obs.targets) {
        targets.push_back({{"kind", t.kind}, {"target", t.target}, {"reached", t.reached}, {"rtt_ms", t.rtt_ms},
                           {"detail", t.detail}});
    }
    j["targets"] = targets;
    j["dns"] = obs.dns;
    j["traffic"] = obs.traffic.report ? nlohmann::json(*obs.traffic.report) : nlohmann::json();
    return j;
}

}  // namespace

void to_json(nlohmann::json& j, const DoctorResult& result) {
    j = nlohmann::json::object();
    j["verdict"] = result.verdict;
    j["interface"] = result.interface;
    j["interface_source"] = result.interface_source;
    j["elapsed_ms"] = std::round(result.elapsed_ms * 10) / 10;
    j["root_cause"] = result.root_cause ? nlohmann::json(*result.root_cause) : nlohmann::json();
    j["independent_causes"] = result.independent;
    j["layers"] = result.layers;
    j["observations"] = observations_json(result.observations);
}

void render_doctor(std::ostream& out, const DoctorResult& result, const Style& style) {
    const Colour verdict_colour = result.root_cause ? Colour::red : Colour::green;
    out << style.paint(sanitize_for_terminal(result.verdict), verdict_colour) << '\n';
    for (const auto& c : result.independent) {
        out << "  also: " << c.layer << " (" << c.code << "): " << sanitize_for_terminal(c.summary) << '\n';
    }
    out << '\n';
    for (const auto& layer : result.layers) {
        const Colour colour = layer.status == LayerStatus::ok        ? Colour::green
                              : layer.status == LayerStatus::problem ? Colour::red
                                                                     : Colour::dim;
        std::ostringstream name;
        name << std::left << std::setw(10) << layer.name;
        std::ostringstream status;
        status << std::left << std::setw(13) << to_string(layer.status);
        out << "  " << name.str() << style.paint(status.str(), colour) << sanitize_for_terminal(layer.why) << '\n';
    }
    bool any = false;
    for (const auto& layer : result.layers) {
        bool header = false;
        for (const auto& d : layer.diagnoses) {
            if (d.severity == Severity::info) continue;
            if (!any) out << "\nEvidence:\n";
            any = true;
            if (!header) out << "  " << style.paint(layer.name, Colour::bold) << '\n';
            header = true;
            render_diagnosis(out, d, style, "    ");
        }
    }
    if (result.root_cause) {
        out << "\nWhat to do: " << sanitize_for_terminal(result.root_cause->advice) << '\n';
        for (const auto& c : result.independent) {
            out << "And for " << c.layer << ": " << sanitize_for_terminal(c.advice) << '\n';
        }
    }
    out << "\n" << style.paint("interface " + (result.interface.empty() ? std::string("(none)") : result.interface) +
                                   (result.interface_source.empty() ? "" : " (" + result.interface_source + ")") +
                                   ", " + dnscheck::ms_text(result.elapsed_ms),
                               Colour::dim)
        << '\n';
}

}  // namespace nettool::doctor
