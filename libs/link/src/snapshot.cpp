#include "nettool/link/snapshot.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace nettool::link {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    return text;
}

constexpr std::size_t max_sysfs_file = 4096;
constexpr std::size_t max_statistics = 256;
constexpr std::size_t max_driver_stats = 8192;
constexpr std::size_t max_modes = 512;
constexpr std::size_t max_text = 256;
constexpr std::size_t max_notes = 64;
constexpr std::size_t max_interfaces = 4096;

struct FileRead {
    std::optional<std::string> text;
    int error = 0;  // errno when text is empty
};

// Reads a small regular file (sysfs attribute). Never blocks on FIFOs, never reads more than max_sysfs_file.
FileRead read_small_file(const std::filesystem::path& path) {
    FileRead result;
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        result.error = errno;
        return result;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        result.error = EINVAL;
        ::close(fd);
        return result;
    }
    std::string text;
    char buffer[1024];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            result.error = errno;
            ::close(fd);
            return result;
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > max_sysfs_file) {
            result.error = EFBIG;
            ::close(fd);
            return result;
        }
    }
    ::close(fd);
    result.text = std::move(text);
    return result;
}

bool valid_counter_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

void add_note(std::vector<std::string>& notes, std::string note) {
    if (notes.size() < max_notes) notes.push_back(std::move(note));
}

}  // namespace

std::optional<std::uint64_t> parse_sysfs_uint(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() > 20) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

std::optional<std::uint64_t> parse_sysfs_speed(std::string_view text) {
    auto value = parse_sysfs_uint(text);
    // SPEED_UNKNOWN is -1, printed as "-1" (signed) or 4294967295 by older kernels.
    if (!value || *value == 0 || *value >= 0xFFFFFFFFULL) return std::nullopt;
    return value;
}

Duplex parse_sysfs_duplex(std::string_view text) {
    text = trim(text);
    if (text == "full") return Duplex::full;
    if (text == "half") return Duplex::half;
    return Duplex::unknown;
}

std::optional<std::uint32_t> parse_sysfs_flags(std::string_view text) {
    text = trim(text);
    if (text.size() < 3 || text.size() > 10 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
        return std::nullopt;
    std::uint32_t value = 0;
    for (char c : text.substr(2)) {
        std::uint32_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<std::uint32_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<std::uint32_t>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = static_cast<std::uint32_t>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        value = (value << 4) | digit;
    }
    return value;
}

std::string parse_sysfs_operstate(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() > 32) return {};
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; })) return {};
    return std::string(text);
}

bool valid_interface_name(std::string_view name) {
    if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F && c != '/' && c != ':';
    });
}

InterfaceSnapshot merge_snapshot(const SysfsInterface& sysfs, const EthtoolData& ethtool) {
    InterfaceSnapshot snap;
    snap.name = sysfs.name;
    snap.operstate = sysfs.operstate;
    snap.carrier = sysfs.carrier;
    if (sysfs.flags) snap.admin_up = (*sysfs.flags & 0x1U) != 0;
    snap.mtu = sysfs.mtu;
    snap.carrier_changes = sysfs.carrier_changes;
    snap.type = sysfs.type;
    snap.has_device = sysfs.has_device;
    if (ethtool.settings) {
        snap.settings = *ethtool.settings;
        // A driver that reports no speed through ethtool may still have one in sysfs (and vice versa it never does).
        if (!snap.settings.speed_mbps && sysfs.speed_mbps) snap.settings.speed_mbps = sysfs.speed_mbps;
        if (snap.settings.duplex == Duplex::unknown) snap.settings.duplex = sysfs.duplex;
    } else {
        snap.settings.source = "sysfs";
        snap.settings.speed_mbps = sysfs.speed_mbps;
        snap.settings.duplex = sysfs.duplex;
    }
    snap.driver = ethtool.driver;
    snap.counters = sysfs.statistics;
    snap.driver_stats = ethtool.driver_stats;
    snap.notes = sysfs.notes;
    for (const auto& note : ethtool.notes) add_note(snap.notes, note);
    return snap;
}

Result<std::vector<std::string>> list_sysfs_interfaces(const std::filesystem::path& root) {
    std::error_code ec;
    auto dir = root / "class" / "net";
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) return environment_error("cannot list interfaces: " + ec.message(), dir.string());
    std::vector<std::string> names;
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) return environment_error("cannot list interfaces: " + ec.message(), dir.string());
        std::string name = it->path().filename().string();
        // Skip files such as bonding_masters: interfaces are directories (symlinks to them in the real sysfs).
        std::error_code type_ec;
        if (!valid_interface_name(name) || !std::filesystem::is_directory(it->path(), type_ec)) continue;
        names.push_back(std::move(name));
        if (names.size() > max_interfaces) return input_error("more than 4096 interfaces", dir.string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

Result<SysfsInterface> read_sysfs_interface(const std::filesystem::path& root, const std::string& name) {
    if (!valid_interface_name(name)) return usage_error("not a valid interface name: " + name);
    auto dir = root / "class" / "net" / name;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return environment_error("no such interface", name + " (" + dir.string() + ")");
    }
    SysfsInterface iface;
    iface.name = name;
    const auto read = [&](const char* attribute) { return read_small_file(dir / attribute); };

    if (auto r = read("operstate"); r.text) iface.operstate = parse_sysfs_operstate(*r.text);
    if (auto r = read("carrier"); r.text) {
        if (auto v = parse_sysfs_uint(*r.text); v && *v <= 1) iface.carrier = *v == 1;
    } else if (r.error == EINVAL) {
        // The kernel refuses `carrier` on an administratively down interface.
        iface.carrier = std::nullopt;
    }
    if (auto r = read("flags"); r.text) iface.flags = parse_sysfs_flags(*r.text);
    if (auto r = read("mtu"); r.text) {
        if (auto v = parse_sysfs_uint(*r.text); v && *v <= 0xFFFFFFFFULL) iface.mtu = static_cast<std::uint32_t>(*v);
    }
    if (auto r = read("type"); r.text) {
        if (auto v = parse_sysfs_uint(*r.text); v && *v <= 0xFFFFULL) iface.type = static_cast<std::uint32_t>(*v);
    }
    if (auto r = read("carrier_changes"); r.text) iface.carrier_changes = parse_sysfs_uint(*r.text);
    auto speed = read("speed");
    if (speed.text) {
        iface.speed_mbps = parse_sysfs_speed(*speed.text);
    } else if (speed.error == EINVAL) {
        // The kernel refuses `speed` for a link that is down, and for interfaces that have none at all (loopback).
        if (iface.type == 772u) {
            add_note(iface.notes, "sysfs speed/duplex unreadable (EINVAL): a loopback interface has no speed");
        } else if (iface.carrier == false || iface.operstate == "down" || iface.operstate == "lowerlayerdown") {
            add_note(iface.notes, "sysfs speed/duplex unreadable (EINVAL): the kernel gives no speed while the link is down");
        } else {
            add_note(iface.notes, "sysfs speed/duplex unreadable (EINVAL): the driver reports no speed for this interface");
        }
    }
    if (auto r = read("duplex"); r.text) iface.duplex = parse_sysfs_duplex(*r.text);
    iface.has_device = std::filesystem::exists(dir / "device", ec);

    std::filesystem::directory_iterator it(dir / "statistics", ec);
    if (!ec) {
        std::size_t skipped = 0;
        for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
            if (ec) break;
            std::string counter = it->path().filename().string();
            if (!valid_counter_name(counter) || iface.statistics.size() >= max_statistics) {
                ++skipped;
                continue;
            }
            auto r = read_small_file(it->path());
            auto value = r.text ? parse_sysfs_uint(*r.text) : std::nullopt;
            if (!value) {
                ++skipped;
                continue;
            }
            iface.statistics[counter] = *value;
        }
        if (skipped > 0) {
            add_note(iface.notes, "skipped " + std::to_string(skipped) + " unreadable or malformed statistics file(s)");
        }
    }
    return iface;
}

Status write_sysfs_interface(const std::filesystem::path& root, const SysfsInterface& iface) {
    if (!valid_interface_name(iface.name)) return usage_error("not a valid interface name: " + iface.name);
    auto dir = root / "class" / "net" / iface.name;
    std::error_code ec;
    std::filesystem::create_directories(dir / "statistics", ec);
    if (ec) return environment_error("cannot create directory: " + ec.message(), dir.string());
    bool ok = true;
    const auto put = [&](const std::filesystem::path& path, const std::string& text) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text << '\n';
        if (!out) ok = false;
    };
    if (!iface.operstate.empty()) put(dir / "operstate", iface.operstate);
    if (iface.carrier) put(dir / "carrier", *iface.carrier ? "1" : "0");
    if (iface.flags) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%x", *iface.flags);
        put(dir / "flags", buf);
    }
    if (iface.mtu) put(dir / "mtu", std::to_string(*iface.mtu));
    if (iface.type) put(dir / "type", std::to_string(*iface.type));
    if (iface.carrier_changes) put(dir / "carrier_changes", std::to_string(*iface.carrier_changes));
    if (iface.speed_mbps) put(dir / "speed", std::to_string(*iface.speed_mbps));
    if (iface.duplex != Duplex::unknown) put(dir / "duplex", to_string(iface.duplex));
    // A marker file where sysfs has the `device` link (read back by the same exists() test): a recording must
    // survive git, which drops empty directories, so a hardware NIC does not replay as a virtual one.
    if (iface.has_device) put(dir / "device", "hardware device (nettool link --record marker for the sysfs device link)\n");
    for (const auto& [counter, value] : iface.statistics) put(dir / "statistics" / counter, std::to_string(value));
    if (!ok || ec) return environment_error("cannot write the recording", dir.string());
    return Ok{};
}

// ---- recorded ethtool JSON ----

void to_json(nlohmann::json& j, const LinkSettings& s) {
    j = nlohmann::json::object();
    j["source"] = s.source;
    j["speed_mbps"] = s.speed_mbps ? nlohmann::json(*s.speed_mbps) : nlohmann::json(nullptr);
    j["duplex"] = to_string(s.duplex);
    j["autoneg"] = s.autoneg ? nlohmann::json(*s.autoneg) : nlohmann::json(nullptr);
    j["port"] = s.port;
    j["supported"] = s.supported;
    j["advertised"] = s.advertised;
    j["lp_advertised"] = s.lp_advertised;
}

void to_json(nlohmann::json& j, const DriverInfo& d) {
    j = {{"driver", d.driver}, {"version", d.version}, {"firmware", d.firmware}, {"bus_info", d.bus_info}};
}

void to_json(nlohmann::json& j, const EthtoolData& data) {
    j = nlohmann::json::object();
    j["link_settings"] = data.settings ? nlohmann::json(*data.settings) : nlohmann::json(nullptr);
    j["driver"] = data.driver ? nlohmann::json(*data.driver) : nlohmann::json(nullptr);
    j["driver_stats"] = data.driver_stats;
    j["notes"] = data.notes;
}

nlohmann::json ethtool_json(const RecordedEthtool& recorded) {
    nlohmann::json samples = nlohmann::json::object();
    for (const auto& [label, interfaces] : recorded.samples) {
        nlohmann::json sample = nlohmann::json::object();
        for (const auto& [name, data] : interfaces) sample[name] = data;
        samples[label] = sample;
    }
    return {{"format", "nettool-link-ethtool"}, {"version", 1}, {"samples", samples}};
}

namespace {

using Json = nlohmann::json;

struct JsonError {
    std::string path;
    std::string message;
};

void require(bool condition, const std::string& path, const std::string& message) {
    if (!condition) throw JsonError{path, message};
}

std::string text_field(const Json& object, const char* key, const std::string& path) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return {};
    require(it->is_string(), path + "." + key, "expected a string");
    const auto& text = it->get_ref<const std::string&>();
    require(text.size() <= max_text, path + "." + key, "string longer than 256 bytes");
    return text;
}

std::vector<std::string> mode_list(const Json& object, const char* key, const std::string& path) {
    std::vector<std::string> modes;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return modes;
    require(it->is_array(), path + "." + key, "expected an array of link mode names");
    require(it->size() <= max_modes, path + "." + key, "more than 512 link modes");
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& mode = (*it)[i];
        std::string where = path + "." + key + "[" + std::to_string(i) + "]";
        require(mode.is_string(), where, "expected a string");
        const auto& name = mode.get_ref<const std::string&>();
        require(!name.empty() && name.size() <= 64, where, "link mode name must be 1..64 bytes");
        modes.push_back(name);
    }
    return modes;
}

LinkSettings parse_settings(const Json& j, const std::string& path) {
    require(j.is_object(), path, "expected an object");
    LinkSettings s;
    s.source = text_field(j, "source", path);
    if (s.source.empty()) s.source = "recorded";
    if (auto it = j.find("speed_mbps"); it != j.end() && !it->is_null()) {
        require(it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0),
                path + ".speed_mbps", "expected a non-negative integer or null");
        auto speed = it->get<std::uint64_t>();
        require(speed <= 10'000'000, path + ".speed_mbps", "speed above 10 Tb/s");
        if (speed > 0) s.speed_mbps = speed;
    }
    if (auto it = j.find("duplex"); it != j.end() && !it->is_null()) {
        require(it->is_string(), path + ".duplex", "expected \"half\", \"full\" or \"unknown\"");
        auto duplex = duplex_from_string(it->get_ref<const std::string&>());
        require(duplex.has_value(), path + ".duplex", "expected \"half\", \"full\" or \"unknown\"");
        s.duplex = *duplex;
    }
    if (auto it = j.find("autoneg"); it != j.end() && !it->is_null()) {
        require(it->is_boolean(), path + ".autoneg", "expected true, false or null");
        s.autoneg = it->get<bool>();
    }
    s.port = text_field(j, "port", path);
    s.supported = mode_list(j, "supported", path);
    s.advertised = mode_list(j, "advertised", path);
    s.lp_advertised = mode_list(j, "lp_advertised", path);
    return s;
}

EthtoolData parse_interface(const Json& j, const std::string& path) {
    require(j.is_object(), path, "expected an object");
    EthtoolData data;
    if (auto it = j.find("link_settings"); it != j.end() && !it->is_null()) {
        data.settings = parse_settings(*it, path + ".link_settings");
    }
    if (auto it = j.find("driver"); it != j.end() && !it->is_null()) {
        require(it->is_object(), path + ".driver", "expected an object");
        DriverInfo d;
        d.driver = text_field(*it, "driver", path + ".driver");
        d.version = text_field(*it, "version", path + ".driver");
        d.firmware = text_field(*it, "firmware", path + ".driver");
        d.bus_info = text_field(*it, "bus_info", path + ".driver");
        data.driver = d;
    }
    if (auto it = j.find("driver_stats"); it != j.end() && !it->is_null()) {
        require(it->is_object(), path + ".driver_stats", "expected an object of counters");
        require(it->size() <= max_driver_stats, path + ".driver_stats", "more than 8192 counters");
        for (const auto& [name, value] : it->items()) {
            std::string where = path + ".driver_stats." + name;
            require(!name.empty() && name.size() <= 64, where, "counter name must be 1..64 bytes");
            require(value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0),
                    where, "expected a non-negative integer");
            data.driver_stats[name] = value.get<std::uint64_t>();
        }
    }
    if (auto it = j.find("notes"); it != j.end() && !it->is_null()) {
        require(it->is_array(), path + ".notes", "expected an array of strings");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& note = (*it)[i];
            require(note.is_string(), path + ".notes[" + std::to_string(i) + "]", "expected a string");
            const auto& text = note.get_ref<const std::string&>();
            add_note(data.notes, text.substr(0, 512));
        }
    }
    return data;
}

std::map<std::string, EthtoolData> parse_sample(const Json& j, const std::string& path) {
    require(j.is_object(), path, "expected an object keyed by interface name");
    require(j.size() <= max_interfaces, path, "more than 4096 interfaces");
    std::map<std::string, EthtoolData> sample;
    for (const auto& [name, value] : j.items()) {
        require(valid_interface_name(name), path + "." + name, "not a valid interface name");
        sample[name] = parse_interface(value, path + "." + name);
    }
    return sample;
}

}  // namespace

Result<RecordedEthtool> parse_ethtool_json(std::string_view text) {
    if (text.size() > 64 * 1024 * 1024) return input_error("ethtool JSON larger than 64 MiB");
    Json doc = Json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded()) return input_error("not valid JSON");
    try {
        require(doc.is_object(), "$", "expected a JSON object");
        if (auto it = doc.find("format"); it != doc.end()) {
            require(it->is_string() && it->get_ref<const std::string&>() == "nettool-link-ethtool", "$.format",
                    "expected \"nettool-link-ethtool\"");
        }
        if (auto it = doc.find("version"); it != doc.end()) {
            require(it->is_number_integer() && it->get<std::int64_t>() == 1, "$.version",
                    "unsupported version (this nettool reads version 1)");
        }
        RecordedEthtool recorded;
        auto samples = doc.find("samples");
        auto interfaces = doc.find("interfaces");
        require(samples != doc.end() || interfaces != doc.end(), "$",
                "needs \"samples\" ({\"start\": {...}, \"end\": {...}}) or \"interfaces\"");
        if (samples != doc.end()) {
            require(samples->is_object(), "$.samples", "expected an object with \"start\" and optionally \"end\"");
            for (const auto& [label, sample] : samples->items()) {
                require(label == "start" || label == "end", "$.samples." + label,
                        "unknown sample (expected \"start\" or \"end\")");
                recorded.samples[label] = parse_sample(sample, "$.samples." + label);
            }
            require(recorded.samples.count("start") == 1, "$.samples", "missing the \"start\" sample");
        } else {
            recorded.samples["start"] = parse_sample(*interfaces, "$.interfaces");
        }
        return recorded;
    } catch (const JsonError& e) {
        return input_error(e.path + ": " + e.message);
    } catch (const nlohmann::json::exception& e) {
        return input_error(std::string("malformed ethtool JSON: ") + e.what());
    }
}

namespace {

class RecordedEthtoolSource : public EthtoolSource {
public:
    explicit RecordedEthtoolSource(std::map<std::string, EthtoolData> sample) : sample_(std::move(sample)) {}
    EthtoolData query(const std::string& interface) override {
        auto it = sample_.find(interface);
        if (it != sample_.end()) return it->second;
        EthtoolData none;
        none.notes.push_back("no ethtool data recorded for this interface");
        return none;
    }

private:
    std::map<std::string, EthtoolData> sample_;
};

}  // namespace

std::unique_ptr<EthtoolSource> make_recorded_ethtool_source(std::map<std::string, EthtoolData> sample) {
    return std::make_unique<RecordedEthtoolSource>(std::move(sample));
}

}  // namespace nettool::link
