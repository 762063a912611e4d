// The link readers: the sysfs file parsers (speed, duplex, flags, operstate, counters) on the input as file
// contents, the recorded-ethtool JSON reader, the link-mode bitmap decoder on the input as 32-bit words; then the
// merged snapshots of both samples analysed, as `nettool link` does with what it read.
#include "fuzz_input.hpp"
#include "fuzz_target.hpp"
#include "nettool/link/analysis.hpp"
#include "nettool/link/link_modes.hpp"
#include "nettool/link/snapshot.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

NETTOOL_FUZZ_TARGET(link) {
    using namespace nettool::link;
    const std::string_view text = nettool::fuzz::as_text(data, size);

    SysfsInterface sysfs;
    sysfs.name = "eth0";
    sysfs.operstate = parse_sysfs_operstate(text);
    sysfs.speed_mbps = parse_sysfs_speed(text);
    sysfs.duplex = parse_sysfs_duplex(text);
    sysfs.flags = parse_sysfs_flags(text);
    if (auto value = parse_sysfs_uint(text)) {
        sysfs.carrier = *value != 0;
        sysfs.mtu = static_cast<std::uint32_t>(*value);
        sysfs.carrier_changes = *value;
        sysfs.statistics["rx_crc_errors"] = *value;
    }
    (void)valid_interface_name(text);

    std::vector<std::uint32_t> words(size / 4);
    if (!words.empty()) std::memcpy(words.data(), data, words.size() * 4);
    const auto modes = decode_link_modes(words);
    NETTOOL_FUZZ_CHECK(modes.size() <= words.size() * 32);
    for (const auto& mode : modes) {
        (void)link_mode_bit(mode);
        (void)link_mode_speed(mode);
        (void)link_mode_duplex(mode);
    }
    (void)best_link_mode(modes);
    (void)common_link_modes(modes, {"1000baseT/Full", "100baseT/Full"});

    EthtoolData start_ethtool, end_ethtool;
    if (auto recorded = parse_ethtool_json(text)) {
        (void)ethtool_json(*recorded);
        auto sample = recorded->samples.begin();
        if (sample != recorded->samples.end() && !sample->second.empty()) {
            start_ethtool = sample->second.begin()->second;
            end_ethtool = std::prev(recorded->samples.end())->second.begin()->second;
        }
    }
    if (start_ethtool.settings) start_ethtool.settings->supported = modes;
    const auto start = merge_snapshot(sysfs, start_ethtool);
    const auto end = merge_snapshot(sysfs, end_ethtool);
    for (double window : {0.0, 1.5}) {
        const auto report = analyze_interface(start, end, window);
        NETTOOL_FUZZ_CHECK(!report.diagnoses.empty());
        nlohmann::json document;
        to_json(document, report);
        (void)document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return 0;
}
