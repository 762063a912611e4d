#pragma once
// The pure analysis: two snapshots of one interface (start and end of the watch window) in, a report with the
// counter changes, rates and diagnoses out. No system calls, no clock: the window length is an argument.
#include "nettool/core/diagnosis.hpp"
#include "nettool/link/snapshot.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nettool::link {

// One counter over the window. `delta`/`per_second` are empty when the counter went backwards (reset or wrap)
// or the window is empty.
struct CounterChange {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::optional<std::uint64_t> delta;
    std::optional<double> per_second;
};

struct TrafficRate {
    std::optional<double> rx_bits_per_second;
    std::optional<double> tx_bits_per_second;
    std::optional<double> rx_packets_per_second;
    std::optional<double> tx_packets_per_second;
};

struct InterfaceReport {
    std::string name;
    std::string operstate;
    std::optional<bool> carrier;
    std::optional<bool> admin_up;
    bool virtual_nic = false;  // no hardware device behind it, or a known software driver
    bool vanished = false;     // gone before the end of the window: the values are the last sample before
    LinkSettings settings;     // at the end of the window
    std::optional<DriverInfo> driver;
    std::optional<std::uint32_t> mtu;
    std::optional<CounterChange> carrier_changes;
    std::map<std::string, CounterChange> counters;      // sysfs statistics
    std::map<std::string, CounterChange> driver_stats;  // ETHTOOL_GSTATS
    TrafficRate traffic;
    std::vector<std::string> notes;
    std::vector<Diagnosis> diagnoses;
};

// Heuristic for "virtual NIC": software drivers (veth, tun, bridge, virtio_net, ...) or no `device` in sysfs.
bool is_virtual(const InterfaceSnapshot& snapshot);

// The change of every counter present in both maps.
std::map<std::string, CounterChange> counter_changes(const std::map<std::string, std::uint64_t>& start,
                                                     const std::map<std::string, std::uint64_t>& end,
                                                     double window_seconds);

// Analyses one interface. `window_seconds` <= 0 means one sample only: no rates and no "rising" codes.
// Every report carries at least one diagnosis; "ok" when nothing is wrong.
InterfaceReport analyze_interface(const InterfaceSnapshot& start, const InterfaceSnapshot& end,
                                  double window_seconds);

// An interface present at the start of the window and gone at its end (deleted, driver unloaded, USB NIC
// unplugged): the start snapshot, kept, with the critical interface_vanished finding instead of a verdict on it.
InterfaceReport analyze_vanished(const InterfaceSnapshot& start, double window_seconds);

void to_json(nlohmann::json& j, const CounterChange& change);
void to_json(nlohmann::json& j, const TrafficRate& traffic);
void to_json(nlohmann::json& j, const InterfaceReport& report);

}  // namespace nettool::link
