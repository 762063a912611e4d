#include "nettool/link/analysis.hpp"

#include "nettool/core/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace nettool::link {
namespace {

// Receive/transmit error counters of /sys/class/net/IFACE/statistics, with the words used in summaries.
struct NamedCounter {
    const char* name;
    const char* label;
};
constexpr std::array<NamedCounter, 10> specific_errors = {{
    {"rx_crc_errors", "CRC"},
    {"rx_frame_errors", "frame/alignment"},
    {"rx_length_errors", "length"},
    {"rx_over_errors", "overrun"},
    {"rx_fifo_errors", "rx FIFO"},
    {"tx_fifo_errors", "tx FIFO"},
    {"tx_carrier_errors", "carrier"},
    {"tx_aborted_errors", "tx aborted"},
    {"tx_heartbeat_errors", "heartbeat"},
    {"tx_window_errors", "late collision"},
}};
constexpr std::array<NamedCounter, 3> drop_counters = {{
    {"rx_dropped", "rx dropped"},
    {"tx_dropped", "tx dropped"},
    {"rx_missed_errors", "rx missed"},
}};

constexpr std::array<std::string_view, 24> software_drivers = {
    "veth",   "tun",         "bridge",   "bonding",  "dummy",     "ifb",       "vxlan",  "macvlan",
    "ipvlan", "virtio_net",  "xen-netfront", "hv_netvsc", "wireguard", "openvswitch", "team", "vrf",
    "geneve", "gre",         "ip_gre",   "ipip",     "sit",       "macvtap",   "nlmon",  "vcan",
};

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool contains_any(const std::string& text, std::initializer_list<std::string_view> needles) {
    return std::any_of(needles.begin(), needles.end(),
                       [&](std::string_view n) { return text.find(n) != std::string::npos; });
}

bool driver_error_like(const std::string& name) {
    std::string l = lower(name);
    return contains_any(l, {"crc", "fcs", "align", "symbol", "frame_err", "jabber"});
}

bool driver_drop_like(const std::string& name) {
    std::string l = lower(name);
    return contains_any(l, {"drop", "discard", "missed", "no_buf", "nobuf"});
}

std::string format_number(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string speed_text(const LinkSettings& s) {
    std::string text = s.speed_mbps ? std::to_string(*s.speed_mbps) + " Mb/s" : "unknown speed";
    if (s.duplex != Duplex::unknown) text += std::string(" ") + to_string(s.duplex) + " duplex";
    return text;
}

std::uint64_t delta_of(const std::map<std::string, CounterChange>& changes, const std::string& name) {
    auto it = changes.find(name);
    if (it == changes.end() || !it->second.delta) return 0;
    return *it->second.delta;
}

std::string counter_source(const std::string& iface, const std::string& counter) {
    return "sysfs class/net/" + iface + "/statistics/" + counter;
}

Evidence change_evidence(const std::string& what, const CounterChange& c, const std::string& source,
                         double window) {
    std::string observed = "+" + std::to_string(c.delta.value_or(0)) + " in " + format_number(window, 1) + " s (" +
                           std::to_string(c.start) + " -> " + std::to_string(c.end);
    if (c.per_second) observed += ", " + format_number(*c.per_second, 1) + "/s";
    observed += ")";
    return {what, observed, "0", source};
}

std::string remedy(const std::string& iface) {
    return "Try a different cable and switch/router port first (a damaged pair or a marginal gigabit link is the "
           "usual cause); if the link only works slower, fix the speed on both ends: ethtool -s " +
           iface + " speed 100 duplex full autoneg off. Then recheck with nettool dnscheck.";
}

}  // namespace

bool is_virtual(const InterfaceSnapshot& snapshot) {
    if (snapshot.driver) {
        for (auto name : software_drivers) {
            if (snapshot.driver->driver == name) return true;
        }
    }
    return !snapshot.has_device;
}

std::map<std::string, CounterChange> counter_changes(const std::map<std::string, std::uint64_t>& start,
                                                     const std::map<std::string, std::uint64_t>& end,
                                                     double window_seconds) {
    std::map<std::string, CounterChange> changes;
    for (const auto& [name, end_value] : end) {
        auto it = start.find(name);
        if (it == start.end()) continue;
        CounterChange c;
        c.start = it->second;
        c.end = end_value;
        if (end_value >= c.start) {
            c.delta = end_value - c.start;
            if (window_seconds > 0) c.per_second = static_cast<double>(*c.delta) / window_seconds;
        }
        changes[name] = c;
    }
    return changes;
}

InterfaceReport analyze_interface(const InterfaceSnapshot& start, const InterfaceSnapshot& end,
                                  double window_seconds) {
    const bool two_samples = window_seconds > 0;
    const std::string& iface = end.name;
    InterfaceReport r;
    r.name = end.name;
    r.operstate = end.operstate;
    r.carrier = end.carrier;
    r.admin_up = end.admin_up;
    r.virtual_nic = is_virtual(end);
    r.settings = end.settings;
    r.driver = end.driver;
    r.mtu = end.mtu;
    r.notes = end.notes;
    for (const auto& note : start.notes) {
        if (std::find(r.notes.begin(), r.notes.end(), note) == r.notes.end()) r.notes.push_back(note);
    }
    if (start.carrier_changes && end.carrier_changes) {
        r.carrier_changes = counter_changes({{"c", *start.carrier_changes}}, {{"c", *end.carrier_changes}},
                                            window_seconds)
                                .at("c");
    } else if (end.carrier_changes) {
        r.carrier_changes = CounterChange{*end.carrier_changes, *end.carrier_changes, std::nullopt, std::nullopt};
    }
    r.counters = counter_changes(start.counters, end.counters, window_seconds);
    r.driver_stats = counter_changes(start.driver_stats, end.driver_stats, window_seconds);
    std::size_t went_back = 0;
    for (const auto* map : {&r.counters, &r.driver_stats}) {
        for (const auto& [name, c] : *map) {
            if (!c.delta) ++went_back;
        }
    }
    if (went_back > 0) {
        r.notes.push_back(std::to_string(went_back) +
                          " counter(s) went backwards during the window (reset or wrap): their change is not counted");
    }
    if (!two_samples) r.notes.push_back("one sample only: no rates, and rising counters cannot be judged");

    const auto rate = [&](const char* counter, double factor) -> std::optional<double> {
        auto it = r.counters.find(counter);
        if (it == r.counters.end() || !it->second.per_second) return std::nullopt;
        return *it->second.per_second * factor;
    };
    r.traffic.rx_bits_per_second = rate("rx_bytes", 8.0);
    r.traffic.tx_bits_per_second = rate("tx_bytes", 8.0);
    r.traffic.rx_packets_per_second = rate("rx_packets", 1.0);
    r.traffic.tx_packets_per_second = rate("tx_packets", 1.0);

    const LinkSettings& s = end.settings;
    const bool admin_down = end.admin_up == false;
    const bool no_carrier = end.carrier == false || end.operstate == "down" || end.operstate == "lowerlayerdown" ||
                            end.operstate == "notpresent";
    const bool link_up = !admin_down && !no_carrier;
    const std::string sysfs_dir = "sysfs class/net/" + iface;
    const std::string window_text = format_number(window_seconds, 1) + " s";

    // link_down
    if (admin_down) {
        r.diagnoses.push_back({"link_down", Severity::info,
                               "administratively down: nobody has brought " + iface + " up, so it carries no traffic",
                               {{"admin state (IFF_UP)", "down", "", sysfs_dir + "/flags"},
                                {"operstate", end.operstate.empty() ? "unknown" : end.operstate, "", sysfs_dir + "/operstate"}},
                               "Nothing to fix if the interface is unused; otherwise: ip link set " + iface + " up",
                               std::nullopt});
    } else if (no_carrier) {
        std::vector<Evidence> ev;
        ev.push_back({"operstate", end.operstate.empty() ? "unknown" : end.operstate, "up", sysfs_dir + "/operstate"});
        if (end.carrier) ev.push_back({"carrier", *end.carrier ? "1" : "0", "1", sysfs_dir + "/carrier"});
        r.diagnoses.push_back({"link_down", Severity::critical,
                               "no link: " + iface + " is up but sees no carrier (cable, peer or port)", std::move(ev),
                               "Check the cable and the port lights on both ends, that the peer (switch, router, ONU) "
                               "is powered and its port enabled; try another cable or port. Then rerun nettool link.",
                               std::nullopt});
    }

    // link_flapping
    if (two_samples && r.carrier_changes && r.carrier_changes->delta && *r.carrier_changes->delta > 0) {
        const std::uint64_t changes = *r.carrier_changes->delta;
        Severity sev = (changes >= 4 || !link_up) ? Severity::critical : Severity::warning;
        r.diagnoses.push_back(
            {"link_flapping", sev,
             "the link went down and up: carrier changed " + std::to_string(changes) + " time(s) in " + window_text,
             {change_evidence("carrier_changes", *r.carrier_changes, sysfs_dir + "/carrier_changes", window_seconds)},
             "A flapping link drops every packet while it renegotiates. Reseat or replace the cable, try another "
             "switch port, check the peer's power and port. " + remedy(iface),
             std::nullopt});
    }

    if (link_up && !s.speed_mbps) {
        std::string who = end.driver && !end.driver->driver.empty() ? " (driver " + end.driver->driver + ")" : "";
        if (r.virtual_nic) {
            r.diagnoses.push_back({"speed_unknown", Severity::info,
                                   "virtual NIC" + who + " reports no link speed; that is normal, not a fault",
                                   {{"speed", "unknown", "", s.source.empty() ? sysfs_dir + "/speed" : s.source},
                                    {"hardware device", end.has_device ? "yes" : "none (software interface)", "",
                                     sysfs_dir + "/device"}},
                                   "Nothing to do: judge this link by the host or hypervisor NIC underneath.",
                                   std::nullopt});
        } else {
            r.diagnoses.push_back({"speed_unknown", Severity::info,
                                   "the driver" + who + " reports no speed although the link is up",
                                   {{"speed", "unknown", "", s.source.empty() ? sysfs_dir + "/speed" : s.source}},
                                   "Not a fault in itself; read the speed on the switch port, or update the driver.",
                                   std::nullopt});
        }
    }

    // half_duplex
    if (link_up && s.duplex == Duplex::half) {
        const std::uint64_t late = two_samples ? delta_of(r.counters, "tx_window_errors") : 0;
        const std::uint64_t collisions = two_samples ? delta_of(r.counters, "collisions") : 0;
        std::vector<Evidence> ev{{"duplex", "half", "full", s.source},
                                 {"speed", s.speed_mbps ? std::to_string(*s.speed_mbps) + " Mb/s" : "unknown", "",
                                  s.source}};
        if (late > 0) {
            ev.push_back(change_evidence("late collisions (tx_window_errors)", r.counters.at("tx_window_errors"),
                                         counter_source(iface, "tx_window_errors"), window_seconds));
        }
        if (collisions > 0) {
            ev.push_back(change_evidence("collisions", r.counters.at("collisions"), counter_source(iface, "collisions"),
                                         window_seconds));
        }
        std::string summary = "half duplex at " +
                              (s.speed_mbps ? std::to_string(*s.speed_mbps) + " Mb/s" : std::string("unknown speed")) +
                              ": no modern switch port runs half duplex, a duplex mismatch is suspected";
        if (late > 0) summary = "half duplex with late collisions: duplex mismatch (one end full, the other half)";
        r.diagnoses.push_back({"half_duplex", late > 0 ? Severity::critical : Severity::warning, summary, std::move(ev),
                               "Set both ends the same: auto-negotiation on both (ethtool -s " + iface +
                                   " autoneg on), or the same forced mode on both. " + remedy(iface),
                               late > 0 ? std::optional<double>() : std::optional<double>(0.8)});
    }

    // speed_downshift
    if (link_up && s.speed_mbps && s.autoneg != false) {
        auto common = common_link_modes(s.advertised, s.lp_advertised);
        auto best_common = best_link_mode(common);
        if (best_common && *link_mode_speed(*best_common) > *s.speed_mbps) {
            r.diagnoses.push_back(
                {"speed_downshift", Severity::warning,
                 "negotiated " + speed_text(s) + " although both ends advertise " + *best_common +
                     ": the link fell back (typically a damaged pair in the cable)",
                 {{"speed", std::to_string(*s.speed_mbps) + " Mb/s", std::to_string(*link_mode_speed(*best_common)) + " Mb/s",
                   s.source},
                  {"best mode both ends advertise", *best_common, "", s.source},
                  {"advertised (this end)", std::to_string(s.advertised.size()) + " modes, best " +
                                                best_link_mode(s.advertised).value_or("none"), "", s.source},
                  {"link partner advertises", std::to_string(s.lp_advertised.size()) + " modes, best " +
                                                  best_link_mode(s.lp_advertised).value_or("none"), "", s.source}},
                 remedy(iface), 0.9});
        } else if (s.lp_advertised.empty() && s.autoneg == true) {
            auto best_ours = best_link_mode(s.advertised.empty() ? s.supported : s.advertised);
            if (best_ours && *link_mode_speed(*best_ours) > *s.speed_mbps) {
                r.diagnoses.push_back(
                    {"speed_downshift", Severity::info,
                     "running at " + speed_text(s) + " although this end can do " + *best_ours +
                         "; the partner's modes are not reported, so it may simply be a slower partner",
                     {{"speed", std::to_string(*s.speed_mbps) + " Mb/s", "", s.source},
                      {"best mode this end advertises", *best_ours, "", s.source},
                      {"link partner advertises", "not reported by the driver", "", s.source}},
                     "Check the speed the switch or router port shows. If both can do " + *best_ours + ": " +
                         remedy(iface),
                     0.4});
            }
        }
    }

    // autoneg_off
    if (s.autoneg == false && std::find(s.supported.begin(), s.supported.end(), "Autoneg") != s.supported.end()) {
        r.diagnoses.push_back(
            {"autoneg_off", Severity::warning,
             "auto-negotiation is off: " + iface + " is forced to " + speed_text(s) +
                 "; an auto-negotiating partner will then fall back to half duplex (duplex mismatch)",
             {{"auto-negotiation", "off", "on, or forced identically on the partner", s.source},
              {"supported modes include", "Autoneg", "", s.source},
              {"forced mode", speed_text(s), "", s.source}},
             "If this was deliberate (e.g. the 100 Mb/s workaround: ethtool -s " + iface +
                 " speed 100 duplex full autoneg off), force the very same mode on the partner port; otherwise turn "
                 "it back on with ethtool -s " + iface + " autoneg on. Then recheck with nettool dnscheck.",
             std::nullopt});
    }

    if (two_samples) {
        // errors_rising
        std::uint64_t aggregate = delta_of(r.counters, "rx_errors") + delta_of(r.counters, "tx_errors");
        std::uint64_t specific = 0;
        std::vector<Evidence> ev;
        std::string breakdown;
        for (const auto& c : specific_errors) {
            std::uint64_t d = delta_of(r.counters, c.name);
            if (d == 0) continue;
            specific += d;
            ev.push_back(change_evidence(c.name, r.counters.at(c.name), counter_source(iface, c.name), window_seconds));
            breakdown += (breakdown.empty() ? "" : ", ") + std::string(c.label) + " " + std::to_string(d);
        }
        for (const char* agg : {"rx_errors", "tx_errors"}) {
            if (delta_of(r.counters, agg) > 0) {
                ev.push_back(change_evidence(agg, r.counters.at(agg), counter_source(iface, agg), window_seconds));
            }
        }
        std::uint64_t driver_errors = 0;
        for (const auto& [name, c] : r.driver_stats) {
            if (!driver_error_like(name) || !c.delta || *c.delta == 0) continue;
            driver_errors += *c.delta;
            if (ev.size() < 24) {
                ev.push_back(change_evidence(name, c, "ETHTOOL_GSTATS " + iface + " " + name, window_seconds));
            }
        }
        std::uint64_t total = std::max({aggregate, specific, driver_errors});
        if (total > 0) {
            std::uint64_t packets = delta_of(r.counters, "rx_packets") + delta_of(r.counters, "tx_packets");
            double share = static_cast<double>(total) / static_cast<double>(packets + total);
            std::string summary = "error counters grew by " + std::to_string(total) + " in " + window_text + " (" +
                                  format_number(static_cast<double>(total) / window_seconds, 1) + "/s, " +
                                  format_percent(share, 2) + " of packets)";
            if (!breakdown.empty()) summary += ": " + breakdown;
            ev.push_back({"share of packets", format_percent(share, 2) + " (" + std::to_string(total) + " errors, " +
                                                  std::to_string(packets) + " good packets)",
                          "0%", "rx_packets + tx_packets over the window"});
            r.diagnoses.push_back({"errors_rising", share >= 0.01 ? Severity::critical : Severity::warning, summary,
                                   std::move(ev),
                                   "CRC/frame errors are damaged frames on the wire: every one is a lost packet "
                                   "(lost DNS queries first of all). " + remedy(iface),
                                   std::nullopt});
        }

        // drops_rising
        std::uint64_t drops = 0;
        std::vector<Evidence> drop_ev;
        std::string drop_breakdown;
        for (const auto& c : drop_counters) {
            std::uint64_t d = delta_of(r.counters, c.name);
            if (d == 0) continue;
            drops += d;
            drop_ev.push_back(change_evidence(c.name, r.counters.at(c.name), counter_source(iface, c.name), window_seconds));
            drop_breakdown += (drop_breakdown.empty() ? "" : ", ") + std::string(c.label) + " " + std::to_string(d);
        }
        std::uint64_t driver_drops = 0;
        for (const auto& [name, c] : r.driver_stats) {
            if (!driver_drop_like(name) || !c.delta || *c.delta == 0) continue;
            driver_drops += *c.delta;
            if (drop_ev.size() < 24) {
                drop_ev.push_back(change_evidence(name, c, "ETHTOOL_GSTATS " + iface + " " + name, window_seconds));
            }
        }
        drops = std::max(drops, driver_drops);
        if (drops > 0) {
            std::uint64_t packets = delta_of(r.counters, "rx_packets") + delta_of(r.counters, "tx_packets");
            double share = static_cast<double>(drops) / static_cast<double>(packets + drops);
            // A few rx drops are normal (frames for protocols nobody listens to); sustained drops are not.
            Severity sev = (drops >= 10 || share >= 0.005) ? Severity::warning : Severity::info;
            std::string summary = "packets dropped: +" + std::to_string(drops) + " in " + window_text + " (" +
                                  format_number(static_cast<double>(drops) / window_seconds, 1) + "/s, " +
                                  format_percent(share, 2) + " of packets)";
            if (!drop_breakdown.empty()) summary += ": " + drop_breakdown;
            r.diagnoses.push_back({"drops_rising", sev, summary, std::move(drop_ev),
                                   "Drops mean the host or NIC could not keep up (full ring or queue) or discarded "
                                   "frames nobody wanted. If they grow with load: enlarge the ring (ethtool -G " +
                                       iface + " rx 4096), check CPU load and qdisc limits (tc -s qdisc show dev " +
                                       iface + ").",
                                   std::nullopt});
        }
    }

    if (!admin_down && !has_problem(r.diagnoses)) {
        std::string summary = !link_up ? "link state " + end.operstate
                              : s.speed_mbps ? "link up at " + speed_text(s)
                                             : std::string("link up (no speed reported)");
        summary += two_samples ? "; no errors, drops or carrier changes in " + window_text
                               : "; one sample only, so counters were not watched";
        std::vector<Evidence> ev{{"operstate", end.operstate.empty() ? "unknown" : end.operstate, "up",
                                  sysfs_dir + "/operstate"}};
        if (r.traffic.rx_packets_per_second) {
            ev.push_back({"traffic", format_number(*r.traffic.rx_packets_per_second, 1) + " rx / " +
                                         format_number(r.traffic.tx_packets_per_second.value_or(0), 1) +
                                         " tx packets/s",
                          "", sysfs_dir + "/statistics"});
        }
        r.diagnoses.insert(r.diagnoses.begin(), Diagnosis{"ok", Severity::info, summary, std::move(ev), "", std::nullopt});
    }
    return r;
}

InterfaceReport analyze_vanished(const InterfaceSnapshot& start, double window_seconds) {
    InterfaceReport r = analyze_interface(start, start, 0);
    r.vanished = true;
    r.diagnoses.clear();
    r.notes.push_back("the interface disappeared during the window: the values shown are from before");
    r.diagnoses.push_back(
        {"interface_vanished", Severity::critical,
         start.name + " disappeared during the " + format_number(window_seconds, 1) + " s window",
         {{"interface", "present (" + (start.operstate.empty() ? std::string("state unknown") : start.operstate) +
                            ") at the start, gone at the end",
           "present throughout", "sysfs class/net/" + start.name}},
         "Something removed the interface while it was watched: a cable modem or USB NIC unplugged or reset, a "
         "driver reloaded, a VPN/virtual link torn down (veth, tun, PPP). Check the kernel log (dmesg) for the "
         "moment it went, and what manages the interface.",
         std::nullopt});
    return r;
}

void to_json(nlohmann::json& j, const CounterChange& c) {
    j = {{"start", c.start},
         {"end", c.end},
         {"delta", c.delta ? nlohmann::json(*c.delta) : nlohmann::json(nullptr)},
         {"per_second", c.per_second ? nlohmann::json(*c.per_second) : nlohmann::json(nullptr)}};
}

void to_json(nlohmann::json& j, const TrafficRate& t) {
    const auto opt = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    j = {{"rx_bits_per_second", opt(t.rx_bits_per_second)},
         {"tx_bits_per_second", opt(t.tx_bits_per_second)},
         {"rx_packets_per_second", opt(t.rx_packets_per_second)},
         {"tx_packets_per_second", opt(t.tx_packets_per_second)}};
}

void to_json(nlohmann::json& j, const InterfaceReport& r) {
    const auto opt_bool = [](const std::optional<bool>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    j = nlohmann::json::object();
    j["name"] = r.name;
    j["operstate"] = r.operstate.empty() ? "unknown" : r.operstate;
    j["carrier"] = opt_bool(r.carrier);
    j["admin_up"] = opt_bool(r.admin_up);
    j["virtual"] = r.virtual_nic;
    j["vanished"] = r.vanished;
    j["speed_mbps"] = r.settings.speed_mbps ? nlohmann::json(*r.settings.speed_mbps) : nlohmann::json(nullptr);
    j["duplex"] = to_string(r.settings.duplex);
    j["autoneg"] = opt_bool(r.settings.autoneg);
    j["port"] = r.settings.port.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.settings.port);
    j["supported_modes"] = r.settings.supported;
    j["advertised_modes"] = r.settings.advertised;
    j["link_partner_modes"] = r.settings.lp_advertised;
    j["link_settings_source"] = r.settings.source;
    j["driver"] = r.driver ? nlohmann::json(*r.driver) : nlohmann::json(nullptr);
    j["mtu"] = r.mtu ? nlohmann::json(*r.mtu) : nlohmann::json(nullptr);
    j["carrier_changes"] = r.carrier_changes ? nlohmann::json(*r.carrier_changes) : nlohmann::json(nullptr);
    j["counters"] = r.counters;
    j["driver_stats"] = r.driver_stats;
    j["traffic"] = r.traffic;
    j["notes"] = r.notes;
    j["diagnoses"] = r.diagnoses;
}

}  // namespace nettool::link
