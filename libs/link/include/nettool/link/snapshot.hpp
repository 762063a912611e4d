#pragma once
// What one look at an interface yields: the sysfs view (/sys/class/net/IFACE) merged with what the ethtool ioctls
// report. Readers fill these structs; the analysis (analysis.hpp) only ever sees the structs, so live data,
// a recorded directory and hand-written test snapshots all take the same path.
#include "nettool/core/error.hpp"
#include "nettool/link/link_modes.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::link {

// Link settings from ETHTOOL_GLINKSETTINGS, ETHTOOL_GSET, or (speed/duplex only) sysfs.
struct LinkSettings {
    std::string source;                       // "ETHTOOL_GLINKSETTINGS", "ETHTOOL_GSET", "sysfs"
    std::optional<std::uint64_t> speed_mbps;  // nullopt: unknown (down link, virtual NIC)
    Duplex duplex = Duplex::unknown;
    std::optional<bool> autoneg;
    std::string port;  // "twisted_pair", "fibre", "direct_attach", "aui", "bnc", "mii", "none", "other", "" unknown
    std::vector<std::string> supported;
    std::vector<std::string> advertised;
    std::vector<std::string> lp_advertised;  // what the link partner advertises
};

struct DriverInfo {
    std::string driver;
    std::string version;
    std::string firmware;
    std::string bus_info;
};

// Everything the ethtool ioctls gave for one interface. `notes` say what could not be read and why.
struct EthtoolData {
    std::optional<LinkSettings> settings;
    std::optional<DriverInfo> driver;
    std::map<std::string, std::uint64_t> driver_stats;  // ETHTOOL_GSTATS, by ETH_SS_STATS name
    std::vector<std::string> notes;
};

// The sysfs view of one interface.
struct SysfsInterface {
    std::string name;
    std::string operstate;  // "up", "down", "unknown", "lowerlayerdown", "dormant", ... ("" unreadable)
    std::optional<bool> carrier;
    std::optional<std::uint32_t> flags;  // IFF_* bits; IFF_UP (0x1) = administratively up
    std::optional<std::uint64_t> speed_mbps;
    Duplex duplex = Duplex::unknown;
    std::optional<std::uint32_t> mtu;
    std::optional<std::uint64_t> carrier_changes;
    std::optional<std::uint32_t> type;  // ARPHRD_*: 1 ethernet, 772 loopback
    bool has_device = false;            // a `device` link: backed by hardware (or a paravirtual bus device)
    std::map<std::string, std::uint64_t> statistics;  // class/net/IFACE/statistics/*
    std::vector<std::string> notes;
};

// One interface at one instant: sysfs and ethtool merged.
struct InterfaceSnapshot {
    std::string name;
    std::string operstate;
    std::optional<bool> carrier;
    std::optional<bool> admin_up;
    std::optional<std::uint32_t> mtu;
    std::optional<std::uint64_t> carrier_changes;
    std::optional<std::uint32_t> type;
    bool has_device = false;
    LinkSettings settings;
    std::optional<DriverInfo> driver;
    std::map<std::string, std::uint64_t> counters;      // sysfs statistics
    std::map<std::string, std::uint64_t> driver_stats;  // ETHTOOL_GSTATS
    std::vector<std::string> notes;
};

// ---- pure parsers for sysfs file contents (trailing newline allowed) ----
// Unsigned decimal; nullopt for empty, signs, junk or overflow.
std::optional<std::uint64_t> parse_sysfs_uint(std::string_view text);
// sysfs `speed`: Mb/s, nullopt for -1 / 4294967295 (SPEED_UNKNOWN), 0 and junk.
std::optional<std::uint64_t> parse_sysfs_speed(std::string_view text);
// sysfs `duplex`: "full" / "half"; unknown otherwise.
Duplex parse_sysfs_duplex(std::string_view text);
// sysfs `flags`: "0x1003".
std::optional<std::uint32_t> parse_sysfs_flags(std::string_view text);
// sysfs `operstate`: one lowercase word; "" when it is not one.
std::string parse_sysfs_operstate(std::string_view text);

// True for a usable interface name (1..15 bytes, no '/', no whitespace or control bytes, not "." or "..").
bool valid_interface_name(std::string_view name);

// Merges the two views: ethtool link settings win when present; sysfs speed/duplex otherwise.
InterfaceSnapshot merge_snapshot(const SysfsInterface& sysfs, const EthtoolData& ethtool);

// ---- sysfs reader ----
// Interface names under ROOT/class/net, sorted. Error when the directory cannot be listed.
Result<std::vector<std::string>> list_sysfs_interfaces(const std::filesystem::path& root);
// Reads ROOT/class/net/NAME. Environment error when the interface does not exist.
Result<SysfsInterface> read_sysfs_interface(const std::filesystem::path& root, const std::string& name);
// Writes the subset read_sysfs_interface uses, so a recording can be read back (used by --record).
Status write_sysfs_interface(const std::filesystem::path& root, const SysfsInterface& interface);

// ---- ethtool sources ----
class EthtoolSource {
public:
    virtual ~EthtoolSource() = default;
    virtual EthtoolData query(const std::string& interface) = 0;
};

// SIOCETHTOOL on an AF_INET datagram socket in the current network namespace. Reading needs no privilege;
// refusals (EPERM/EACCES) and unsupported requests become notes, never errors.
Result<std::unique_ptr<EthtoolSource>> make_ioctl_ethtool_source();

// Recorded ethtool data: per sample ("start", "end") per interface.
struct RecordedEthtool {
    std::map<std::string, std::map<std::string, EthtoolData>> samples;  // sample -> interface -> data
};

// Parses the --ethtool-json format (see docs/link.md). Input error, naming the JSON path, on anything malformed.
Result<RecordedEthtool> parse_ethtool_json(std::string_view text);
// The document parse_ethtool_json reads.
nlohmann::json ethtool_json(const RecordedEthtool& recorded);
void to_json(nlohmann::json& j, const LinkSettings& settings);
void to_json(nlohmann::json& j, const DriverInfo& driver);
void to_json(nlohmann::json& j, const EthtoolData& data);

// An EthtoolSource answering from one recorded sample; interfaces it lacks get an empty result with a note.
std::unique_ptr<EthtoolSource> make_recorded_ethtool_source(std::map<std::string, EthtoolData> sample);

}  // namespace nettool::link
