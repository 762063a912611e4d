#include "nettool/link/link_check.hpp"

#include "nettool/core/render.hpp"
#include "nettool/core/table.hpp"
#include "nettool/core/text.hpp"

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace nettool::link {
namespace {

constexpr std::uint32_t arphrd_loopback = 772;

std::string format_number(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

bool is_loopback(const SysfsInterface& iface) {
    return iface.name == "lo" || (iface.type && *iface.type == arphrd_loopback);
}

std::string read_text_file(const std::filesystem::path& path, std::size_t limit, bool& ok) {
    std::ifstream in(path, std::ios::binary);
    ok = static_cast<bool>(in);
    if (!ok) return {};
    std::string text;
    std::vector<char> buffer(65536);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        text.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
        if (text.size() > limit) {
            ok = false;
            return {};
        }
    }
    return text;
}

struct Sample {
    std::map<std::string, SysfsInterface> sysfs;
    std::map<std::string, EthtoolData> ethtool;
    std::map<std::string, InterfaceSnapshot> merged;
};

// Reads the named interfaces (or all non-loopback ones) from a sysfs root and an ethtool source.
Result<Sample> take_sample(const std::filesystem::path& root, const std::vector<std::string>& wanted,
                           EthtoolSource& ethtool, bool missing_is_error, ErrorKind missing_kind) {
    Sample sample;
    std::vector<std::string> names = wanted;
    const bool all = names.empty();
    if (all) {
        auto listed = list_sysfs_interfaces(root);
        if (!listed) return listed.error();
        names = *listed;
    }
    for (const auto& name : names) {
        auto iface = read_sysfs_interface(root, name);
        if (!iface) {
            if (!missing_is_error) continue;
            Error e = iface.error();
            e.kind = missing_kind;
            return e;
        }
        if (all && is_loopback(*iface)) continue;
        EthtoolData data = ethtool.query(name);
        sample.merged[name] = merge_snapshot(*iface, data);
        sample.ethtool[name] = std::move(data);
        sample.sysfs[name] = std::move(iface).value();
    }
    return sample;
}

std::vector<InterfaceReport> analyze_samples(const Sample& start, const Sample& end, double window,
                                             const std::vector<std::string>& order_hint) {
    std::vector<std::string> order = order_hint;
    if (order.empty()) {
        for (const auto& [name, snap] : start.merged) order.push_back(name);
    }
    std::vector<InterfaceReport> reports;
    for (const auto& name : order) {
        auto s = start.merged.find(name);
        if (s == start.merged.end()) continue;
        auto e = end.merged.find(name);
        if (e == end.merged.end()) {
            reports.push_back(analyze_vanished(s->second, window));
        } else {
            reports.push_back(analyze_interface(s->second, e->second, window));
        }
    }
    return reports;
}

Status write_recording(const std::filesystem::path& dir, const Sample& start, const Sample* end, double window) {
    std::error_code ec;
    if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
        return usage_error("refusing to record into a directory that is not empty", dir.string());
    }
    std::filesystem::create_directories(dir / "sysfs", ec);
    if (ec) return environment_error("cannot create the recording directory: " + ec.message(), dir.string());
    RecordedEthtool recorded;
    if (end == nullptr) {
        for (const auto& [name, iface] : start.sysfs) {
            if (auto st = write_sysfs_interface(dir / "sysfs", iface); !st) return st.error();
        }
        recorded.samples["start"] = start.ethtool;
    } else {
        for (const auto& [name, iface] : start.sysfs) {
            if (auto st = write_sysfs_interface(dir / "sysfs" / "start", iface); !st) return st.error();
        }
        for (const auto& [name, iface] : end->sysfs) {
            if (auto st = write_sysfs_interface(dir / "sysfs" / "end", iface); !st) return st.error();
        }
        std::ofstream w(dir / "sysfs" / "window_seconds");
        w << format_number(window, 6) << '\n';
        if (!w) return environment_error("cannot write window_seconds", dir.string());
        recorded.samples["start"] = start.ethtool;
        recorded.samples["end"] = end->ethtool;
    }
    std::ofstream out(dir / "ethtool.json");
    out << json_dump(ethtool_json(recorded)) << '\n';
    if (!out) return environment_error("cannot write ethtool.json", dir.string());
    return Ok{};
}

}  // namespace

Status validate_request(const LinkRequest& request) {
    if (!std::isfinite(request.watch_seconds) || request.watch_seconds < 0 || request.watch_seconds > 3600) {
        return usage_error("--watch must be between 0 and 3600 seconds");
    }
    if (request.sysfs_root && request.record_dir) {
        return usage_error("--record saves live readings; it cannot be combined with --sysfs-root");
    }
    if (request.ethtool_json && !request.sysfs_root) {
        return usage_error("--ethtool-json needs --sysfs-root (the recorded sysfs view of the same interfaces)");
    }
    std::set<std::string> seen;
    for (const auto& name : request.interfaces) {
        if (!valid_interface_name(name)) {
            return usage_error("not a valid interface name: '" + sanitize_for_terminal(name) + "'");
        }
        if (!seen.insert(name).second) return usage_error("interface named twice: " + name);
    }
    return Ok{};
}

Result<LinkReport> analyze_recording(const LinkRequest& request) {
    if (auto st = validate_request(request); !st) return st.error();
    if (!request.sysfs_root) return usage_error("no recording given (--sysfs-root DIR)");
    std::filesystem::path root = *request.sysfs_root;
    std::optional<std::filesystem::path> ethtool_path = request.ethtool_json;
    std::error_code ec;
    // A `nettool link --record DIR` directory can be given as it is.
    if (std::filesystem::is_directory(root / "sysfs", ec)) {
        if (!ethtool_path && std::filesystem::exists(root / "ethtool.json", ec)) ethtool_path = root / "ethtool.json";
        root = root / "sysfs";
    }
    LinkReport report;
    report.source = "recorded";
    report.sysfs_root = request.sysfs_root->string();

    // Two samples: start/ and the window length. end/ may hold nothing (every interface gone by then), and git
    // keeps no empty directory, so its class/net may be missing.
    const bool two = std::filesystem::is_directory(root / "start" / "class" / "net", ec) &&
                     (std::filesystem::is_directory(root / "end" / "class" / "net", ec) ||
                      std::filesystem::is_regular_file(root / "window_seconds", ec));
    if (!two && !std::filesystem::is_directory(root / "class" / "net", ec)) {
        return input_error("no class/net directory (expected a sysfs root, or the directory nettool link --record "
                           "wrote)",
                           root.string());
    }
    double window = 0;
    if (two) {
        bool ok = false;
        std::string text = read_text_file(root / "window_seconds", 64, ok);
        char* endp = nullptr;
        double value = ok ? std::strtod(text.c_str(), &endp) : 0;
        if (!ok || endp == text.c_str() || !std::isfinite(value) || value <= 0 || value > 86400) {
            return input_error("two samples need a window_seconds file holding the window length (0 < s <= 86400)",
                               (root / "window_seconds").string());
        }
        window = value;
    }

    RecordedEthtool recorded;
    if (ethtool_path) {
        bool ok = false;
        std::string text = read_text_file(*ethtool_path, 64 * 1024 * 1024, ok);
        if (!ok) return input_error("cannot read the ethtool JSON (missing, unreadable or over 64 MiB)",
                                    ethtool_path->string());
        auto parsed = parse_ethtool_json(text);
        if (!parsed) {
            Error e = parsed.error();
            e.context = ethtool_path->string();
            return e;
        }
        recorded = std::move(parsed).value();
    }
    auto start_ethtool = make_recorded_ethtool_source(recorded.samples["start"]);
    auto end_ethtool = make_recorded_ethtool_source(
        recorded.samples.count("end") != 0 ? recorded.samples["end"] : recorded.samples["start"]);
    if (!ethtool_path) {
        // No ethtool data recorded: the sysfs view alone, without notes for every interface.
        struct Empty : EthtoolSource {
            EthtoolData query(const std::string&) override { return {}; }
        };
        start_ethtool = std::make_unique<Empty>();
        end_ethtool = std::make_unique<Empty>();
    }

    auto start = take_sample(two ? root / "start" : root, request.interfaces, *start_ethtool, true, ErrorKind::input);
    if (!start) return start.error();
    Sample end_sample;
    if (two) {
        if (std::filesystem::is_directory(root / "end" / "class" / "net", ec)) {
            auto end = take_sample(root / "end", request.interfaces, *end_ethtool, false, ErrorKind::input);
            if (!end) return end.error();
            end_sample = std::move(end).value();
        }
    } else {
        end_sample = *start;
    }
    report.window_seconds = window;
    report.interfaces = analyze_samples(*start, end_sample, window, request.interfaces);
    return report;
}

Result<LinkReport> run_link_check(const LinkRequest& request, IoContext& io) {
    if (auto st = validate_request(request); !st) return st.error();
    if (request.sysfs_root) return analyze_recording(request);

    const std::filesystem::path root = "/sys";
    auto source = make_ioctl_ethtool_source();
    if (!source) return source.error();
    EthtoolSource& ethtool = **source;

    LinkReport report;
    report.source = "live";
    report.sysfs_root = root.string();
    report.requested_seconds = request.watch_seconds;

    const auto t0 = std::chrono::steady_clock::now();
    auto start = take_sample(root, request.interfaces, ethtool, true, ErrorKind::environment);
    if (!start) return start.error();

    if (request.watch_seconds <= 0) {
        report.interfaces = analyze_samples(*start, *start, 0, request.interfaces);
        if (request.record_dir) {
            if (auto st = write_recording(*request.record_dir, *start, nullptr, 0); !st) return st.error();
            report.recorded_to = request.record_dir->string();
        }
        return report;
    }

    // The window: one timer on the shared io_context; Ctrl-C cancels it so the report still comes out.
    boost::asio::steady_timer timer(io);
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(request.watch_seconds)));
    bool interrupted = false;
    InterruptHandler interrupt(io, [&] {
        interrupted = true;
        timer.cancel();
    });
    timer.async_wait([&](const boost::system::error_code&) { interrupt.cancel(); });
    io.restart();
    io.run();
    io.restart();

    const auto t1 = std::chrono::steady_clock::now();
    auto end = take_sample(root, request.interfaces, ethtool, false, ErrorKind::environment);
    if (!end) return end.error();
    const double window = std::chrono::duration<double>(t1 - t0).count();
    report.window_seconds = window;
    report.interrupted = interrupted;
    report.interfaces = analyze_samples(*start, *end, window, request.interfaces);
    if (request.record_dir) {
        if (auto st = write_recording(*request.record_dir, *start, &end.value(), window); !st) return st.error();
        report.recorded_to = request.record_dir->string();
    }
    return report;
}

std::vector<Diagnosis> all_diagnoses(const LinkReport& report) {
    std::vector<Diagnosis> all;
    for (const auto& iface : report.interfaces) all.insert(all.end(), iface.diagnoses.begin(), iface.diagnoses.end());
    return all;
}

void to_json(nlohmann::json& j, const LinkReport& report) {
    j = nlohmann::json::object();
    j["source"] = report.source;
    j["sysfs_root"] = report.sysfs_root;
    j["window_seconds"] = report.window_seconds;
    if (report.source == "live") j["requested_seconds"] = report.requested_seconds;
    j["interrupted"] = report.interrupted;
    j["recorded_to"] = report.recorded_to ? nlohmann::json(*report.recorded_to) : nlohmann::json(nullptr);
    j["interfaces"] = report.interfaces;
}

std::string format_bit_rate(double bps) {
    if (!std::isfinite(bps) || bps < 0) return "?";
    if (bps >= 1e9) return format_number(bps / 1e9, 2) + " Gbit/s";
    if (bps >= 1e6) return format_number(bps / 1e6, 2) + " Mbit/s";
    if (bps >= 1e3) return format_number(bps / 1e3, 2) + " kbit/s";
    return format_number(bps, 0) + " bit/s";
}

namespace {

bool interesting_counter(const std::string& name) {
    return name.find("error") != std::string::npos || name.find("drop") != std::string::npos ||
           name.find("missed") != std::string::npos || name == "collisions";
}

std::string list_or_dash(const std::vector<std::string>& modes) {
    if (modes.empty()) return "-";
    std::string text;
    for (const auto& m : modes) text += (text.empty() ? "" : " ") + m;
    return text;
}

std::string delta_text(const CounterChange& c) {
    return c.delta ? "+" + std::to_string(*c.delta) : "reset";
}

}  // namespace

void render_link_report(std::ostream& out, const LinkReport& report, const Style& style) {
    out << style.paint("nettool link", Colour::bold) << ": " << report.interfaces.size() << " interface"
        << (report.interfaces.size() == 1 ? "" : "s");
    if (report.source == "live") {
        if (report.window_seconds > 0) {
            out << ", watched " << format_number(report.window_seconds, 1) << " s";
            if (report.interrupted) out << " (interrupted)";
        } else {
            out << ", one sample";
        }
    } else {
        out << ", recorded data from " << sanitize_for_terminal(report.sysfs_root);
        if (report.window_seconds > 0) out << " (window " << format_number(report.window_seconds, 1) << " s)";
    }
    out << "\n";

    for (const auto& r : report.interfaces) {
        const auto& s = r.settings;
        out << "\n" << style.paint(sanitize_for_terminal(r.name), Colour::bold) << ": ";
        std::string state = r.admin_up == false ? "admin down"
                            : (r.operstate.empty() || r.operstate == "unknown") ? "operstate unknown"
                                                                                 : r.operstate;
        out << sanitize_for_terminal(state);
        if (r.carrier) out << ", carrier " << (*r.carrier ? "yes" : "no");
        out << ", " << (s.speed_mbps ? std::to_string(*s.speed_mbps) + " Mb/s" : "speed unknown");
        if (s.duplex != Duplex::unknown) out << " " << to_string(s.duplex) << " duplex";
        if (s.autoneg) out << ", autoneg " << (*s.autoneg ? "on" : "off");
        if (!s.port.empty()) out << ", port " << sanitize_for_terminal(s.port);
        if (!s.source.empty()) out << style.paint("  [" + sanitize_for_terminal(s.source) + "]", Colour::dim);
        out << "\n";

        std::string line;
        if (r.driver) {
            line += "driver " + (r.driver->driver.empty() ? std::string("?") : r.driver->driver);
            if (!r.driver->version.empty()) line += " " + r.driver->version;
            if (!r.driver->firmware.empty() && r.driver->firmware != "N/A") line += ", firmware " + r.driver->firmware;
            if (!r.driver->bus_info.empty()) line += ", bus " + r.driver->bus_info;
            line += "; ";
        }
        if (r.mtu) line += "MTU " + std::to_string(*r.mtu) + "; ";
        line += r.virtual_nic ? "virtual NIC" : "hardware NIC";
        out << "    " << sanitize_for_terminal(line) << "\n";
        if (!s.supported.empty() || !s.advertised.empty() || !s.lp_advertised.empty()) {
            out << "    supported: " << sanitize_for_terminal(list_or_dash(s.supported)) << "\n";
            out << "    advertised: " << sanitize_for_terminal(list_or_dash(s.advertised)) << "\n";
            out << "    link partner: " << sanitize_for_terminal(list_or_dash(s.lp_advertised)) << "\n";
        }
        if (r.carrier_changes) {
            out << "    carrier changes: " << r.carrier_changes->end;
            if (r.carrier_changes->delta) out << " (" << delta_text(*r.carrier_changes) << " in the window)";
            out << "\n";
        }
        if (r.traffic.rx_bits_per_second || r.traffic.tx_bits_per_second) {
            out << "    traffic: rx " << format_bit_rate(r.traffic.rx_bits_per_second.value_or(0)) << " ("
                << format_number(r.traffic.rx_packets_per_second.value_or(0), 1) << " pkt/s), tx "
                << format_bit_rate(r.traffic.tx_bits_per_second.value_or(0)) << " ("
                << format_number(r.traffic.tx_packets_per_second.value_or(0), 1) << " pkt/s)\n";
        }
        Table table({{"counter"}, {"start", Align::right}, {"end", Align::right}, {"change", Align::right},
                     {"per s", Align::right}});
        const auto add = [&](const std::string& name, const CounterChange& c, bool driver) {
            bool moved = !c.delta || *c.delta > 0;
            if (!(moved || c.end > 0)) return;
            if (!interesting_counter(name) && !(driver && moved && (name.find("crc") != std::string::npos))) return;
            std::vector<Colour> colours;
            if (moved) colours = {Colour::none, Colour::none, Colour::none, Colour::yellow, Colour::none};
            table.add_row({(driver ? "driver " : "") + name, std::to_string(c.start), std::to_string(c.end),
                           delta_text(c), c.per_second ? format_number(*c.per_second, 1) : "-"},
                          colours);
        };
        for (const auto& [name, c] : r.counters) add(name, c, false);
        std::size_t driver_rows = 0;
        for (const auto& [name, c] : r.driver_stats) {
            if (driver_rows >= 20) break;
            std::size_t before = table.rows();
            add(name, c, true);
            driver_rows += table.rows() - before;
        }
        if (table.rows() > 0) {
            out << "    error and drop counters (non-zero or changed):\n";
            table.render(out, style, "      ");
        }
        for (const auto& note : r.notes) out << "    note: " << sanitize_for_terminal(note) << "\n";
        render_diagnoses(out, r.diagnoses, style, "  ");
    }

    std::vector<std::string> problems;
    for (const auto& r : report.interfaces) {
        if (has_problem(r.diagnoses)) {
            std::string codes;
            for (const auto& d : r.diagnoses) {
                if (d.severity != Severity::info) codes += (codes.empty() ? "" : ", ") + d.code;
            }
            problems.push_back(r.name + " (" + codes + ")");
        }
    }
    out << "\n";
    if (report.interfaces.empty()) {
        out << "no interfaces to check\n";
    } else if (problems.empty()) {
        out << style.paint("no link problem found", Colour::green) << "\n";
    } else {
        std::string text;
        for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
        out << style.paint("link problems: ", Colour::red) << sanitize_for_terminal(text) << "\n";
    }
    if (report.recorded_to) {
        out << "recorded to " << sanitize_for_terminal(*report.recorded_to) << " (analyse later with: nettool link "
            << "--sysfs-root " << sanitize_for_terminal(*report.recorded_to) << ")\n";
    }
}

}  // namespace nettool::link
