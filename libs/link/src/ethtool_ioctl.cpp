// The live ethtool source: SIOCETHTOOL requests on an ordinary datagram socket. Every "get" used here is allowed
// without privilege by the kernel; when something (seccomp, an LSM, a container policy) refuses one anyway, the
// refusal becomes a note that names the request, and the reading falls back (GLINKSETTINGS -> GSET -> sysfs).
#include "nettool/link/snapshot.hpp"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace nettool::link {
namespace {

constexpr std::uint32_t max_string_count = 8192;

std::string bounded(const char* text, std::size_t size) { return std::string(text, ::strnlen(text, size)); }

std::string port_name(std::uint8_t port) {
    switch (port) {
        case PORT_TP: return "twisted_pair";
        case PORT_AUI: return "aui";
        case PORT_BNC: return "bnc";
        case PORT_MII: return "mii";
        case PORT_FIBRE: return "fibre";
        case PORT_DA: return "direct_attach";
        case PORT_NONE: return "none";
        case PORT_OTHER: return "other";
        default: return "other";
    }
}

Duplex duplex_of(std::uint8_t duplex) {
    if (duplex == DUPLEX_HALF) return Duplex::half;
    if (duplex == DUPLEX_FULL) return Duplex::full;
    return Duplex::unknown;
}

std::optional<std::uint64_t> speed_of(std::uint32_t speed) {
    if (speed == 0 || speed == static_cast<std::uint32_t>(SPEED_UNKNOWN) || speed > 10'000'000) return std::nullopt;
    return speed;
}

std::optional<bool> autoneg_of(std::uint8_t autoneg) {
    if (autoneg == AUTONEG_ENABLE) return true;
    if (autoneg == AUTONEG_DISABLE) return false;
    return std::nullopt;
}

class IoctlEthtoolSource : public EthtoolSource {
public:
    explicit IoctlEthtoolSource(int fd) : fd_(fd) {}
    ~IoctlEthtoolSource() override { ::close(fd_); }
    IoctlEthtoolSource(const IoctlEthtoolSource&) = delete;
    IoctlEthtoolSource& operator=(const IoctlEthtoolSource&) = delete;

    EthtoolData query(const std::string& interface) override {
        EthtoolData data;
        n_stats_hint_ = 0;
        if (!valid_interface_name(interface)) {
            data.notes.push_back("not a valid interface name for ethtool");
            return data;
        }
        read_settings(interface, data);
        read_driver(interface, data);
        read_stats(interface, data);
        return data;
    }

private:
    // 0 on success, else errno.
    int request(const std::string& interface, void* payload) {
        struct ifreq ifr {};
        std::memcpy(ifr.ifr_name, interface.data(), interface.size());
        ifr.ifr_data = static_cast<char*>(payload);
        for (;;) {
            if (::ioctl(fd_, SIOCETHTOOL, &ifr) == 0) return 0;
            if (errno != EINTR) return errno;
        }
    }

    void note_failure(EthtoolData& data, const char* what, int error) {
        if (error == EOPNOTSUPP || error == ENOTSUP) return;  // the driver does not offer it: not worth a note
        std::string text = std::string(what) + " failed: " + std::strerror(error);
        if (error == EPERM || error == EACCES) {
            text = std::string(what) + " was refused (" + std::strerror(error) +
                   "); the kernel lets anyone read this, so a security policy (seccomp, LSM, container) blocks it";
        } else if (error == ENODEV) {
            text = std::string(what) + " failed: the interface disappeared";
        }
        data.notes.push_back(std::move(text));
    }

    void read_settings(const std::string& interface, EthtoolData& data) {
        // Two-step handshake: with link_mode_masks_nwords = 0 the kernel answers with -nwords it needs.
        constexpr std::size_t max_words = 127;
        static_assert(sizeof(struct ethtool_link_settings) % alignof(std::uint32_t) == 0);
        std::vector<unsigned char> raw(sizeof(struct ethtool_link_settings) + 3 * max_words * sizeof(std::uint32_t));
        struct ethtool_link_settings header {};
        header.cmd = ETHTOOL_GLINKSETTINGS;
        std::memcpy(raw.data(), &header, sizeof header);
        int error = request(interface, raw.data());
        if (error == 0) {
            std::memcpy(&header, raw.data(), sizeof header);
            if (header.cmd == ETHTOOL_GLINKSETTINGS && header.link_mode_masks_nwords < 0 &&
                static_cast<std::size_t>(-header.link_mode_masks_nwords) <= max_words) {
                const auto words = static_cast<std::size_t>(-header.link_mode_masks_nwords);
                std::fill(raw.begin(), raw.end(), 0);
                header = {};
                header.cmd = ETHTOOL_GLINKSETTINGS;
                header.link_mode_masks_nwords = static_cast<std::int8_t>(words);
                std::memcpy(raw.data(), &header, sizeof header);
                error = request(interface, raw.data());
                if (error == 0) {
                    std::memcpy(&header, raw.data(), sizeof header);
                    if (header.link_mode_masks_nwords == static_cast<std::int8_t>(words)) {
                        std::vector<std::uint32_t> masks(3 * words);
                        std::memcpy(masks.data(), raw.data() + sizeof header, masks.size() * sizeof(std::uint32_t));
                        LinkSettings s;
                        s.source = "ETHTOOL_GLINKSETTINGS";
                        s.speed_mbps = speed_of(header.speed);
                        s.duplex = duplex_of(header.duplex);
                        s.autoneg = autoneg_of(header.autoneg);
                        s.port = port_name(header.port);
                        std::span<const std::uint32_t> all(masks);
                        s.supported = decode_link_modes(all.subspan(0, words));
                        s.advertised = decode_link_modes(all.subspan(words, words));
                        s.lp_advertised = decode_link_modes(all.subspan(2 * words, words));
                        data.settings = std::move(s);
                        return;
                    }
                    data.notes.push_back("ETHTOOL_GLINKSETTINGS handshake failed: the mask size changed between calls");
                } else {
                    note_failure(data, "ETHTOOL_GLINKSETTINGS", error);
                }
            } else {
                data.notes.push_back("ETHTOOL_GLINKSETTINGS handshake failed: the kernel did not state its mask size");
            }
        } else {
            note_failure(data, "ETHTOOL_GLINKSETTINGS", error);
        }
        // Fall back to the legacy request (32-bit masks, no link-partner modes on most drivers).
        struct ethtool_cmd cmd {};
        cmd.cmd = ETHTOOL_GSET;
        error = request(interface, &cmd);
        if (error != 0) {
            note_failure(data, "ETHTOOL_GSET", error);
            return;
        }
        LinkSettings s;
        s.source = "ETHTOOL_GSET";
        s.speed_mbps = speed_of(ethtool_cmd_speed(&cmd));
        s.duplex = duplex_of(cmd.duplex);
        s.autoneg = autoneg_of(cmd.autoneg);
        s.port = port_name(cmd.port);
        std::uint32_t supported = cmd.supported;
        std::uint32_t advertised = cmd.advertising;
        std::uint32_t partner = cmd.lp_advertising;
        s.supported = decode_link_modes(std::span<const std::uint32_t>(&supported, 1));
        s.advertised = decode_link_modes(std::span<const std::uint32_t>(&advertised, 1));
        s.lp_advertised = decode_link_modes(std::span<const std::uint32_t>(&partner, 1));
        data.settings = std::move(s);
    }

    void read_driver(const std::string& interface, EthtoolData& data) {
        struct ethtool_drvinfo info {};
        info.cmd = ETHTOOL_GDRVINFO;
        int error = request(interface, &info);
        if (error != 0) {
            note_failure(data, "ETHTOOL_GDRVINFO", error);
            return;
        }
        DriverInfo d;
        d.driver = bounded(info.driver, sizeof info.driver);
        d.version = bounded(info.version, sizeof info.version);
        d.firmware = bounded(info.fw_version, sizeof info.fw_version);
        d.bus_info = bounded(info.bus_info, sizeof info.bus_info);
        data.driver = std::move(d);
        n_stats_hint_ = info.n_stats;
    }

    void read_stats(const std::string& interface, EthtoolData& data) {
        // How many ETH_SS_STATS strings: ETHTOOL_GSSET_INFO, or the drvinfo n_stats of older drivers.
        std::uint32_t count = 0;
        std::vector<unsigned char> info_raw(sizeof(struct ethtool_sset_info) + sizeof(std::uint32_t));
        struct ethtool_sset_info info {};
        info.cmd = ETHTOOL_GSSET_INFO;
        info.sset_mask = 1ULL << ETH_SS_STATS;
        std::memcpy(info_raw.data(), &info, sizeof info);
        int error = request(interface, info_raw.data());
        if (error == 0) {
            std::memcpy(&info, info_raw.data(), sizeof info);
            if (info.sset_mask & (1ULL << ETH_SS_STATS)) {
                std::memcpy(&count, info_raw.data() + sizeof info, sizeof count);
            }
        } else if (error == EOPNOTSUPP) {
            count = n_stats_hint_;
        } else {
            note_failure(data, "ETHTOOL_GSSET_INFO", error);
            return;
        }
        if (count == 0) return;
        if (count > max_string_count) {
            data.notes.push_back("driver statistics skipped: the driver claims " + std::to_string(count) +
                                 " counters (more than 8192)");
            return;
        }
        // The kernel fills as many entries as it counts at the time of the call, so leave room for growth.
        const std::uint32_t room = count + 64;
        std::vector<unsigned char> strings_raw(sizeof(struct ethtool_gstrings) + std::size_t{room} * ETH_GSTRING_LEN);
        struct ethtool_gstrings strings {};
        strings.cmd = ETHTOOL_GSTRINGS;
        strings.string_set = ETH_SS_STATS;
        strings.len = count;
        std::memcpy(strings_raw.data(), &strings, sizeof strings);
        error = request(interface, strings_raw.data());
        if (error != 0) {
            note_failure(data, "ETHTOOL_GSTRINGS", error);
            return;
        }
        std::memcpy(&strings, strings_raw.data(), sizeof strings);
        std::vector<unsigned char> stats_raw(sizeof(struct ethtool_stats) + std::size_t{room} * sizeof(std::uint64_t));
        struct ethtool_stats stats {};
        stats.cmd = ETHTOOL_GSTATS;
        stats.n_stats = count;
        std::memcpy(stats_raw.data(), &stats, sizeof stats);
        error = request(interface, stats_raw.data());
        if (error != 0) {
            note_failure(data, "ETHTOOL_GSTATS", error);
            return;
        }
        std::memcpy(&stats, stats_raw.data(), sizeof stats);
        if (strings.len != stats.n_stats || stats.n_stats > room) {
            data.notes.push_back("driver statistics skipped: the counter list changed while reading it");
            return;
        }
        for (std::uint32_t i = 0; i < stats.n_stats; ++i) {
            const auto* name = reinterpret_cast<const char*>(strings_raw.data() + sizeof strings +
                                                             std::size_t{i} * ETH_GSTRING_LEN);
            std::string key = bounded(name, ETH_GSTRING_LEN);
            std::uint64_t value = 0;
            std::memcpy(&value, stats_raw.data() + sizeof stats + std::size_t{i} * sizeof(std::uint64_t),
                        sizeof value);
            if (key.empty()) continue;
            // Some drivers repeat names (per-queue counters without a prefix): keep them apart.
            if (data.driver_stats.count(key) != 0) key += "#" + std::to_string(i);
            data.driver_stats[key] = value;
        }
    }

    int fd_;
    std::uint32_t n_stats_hint_ = 0;
};

}  // namespace

Result<std::unique_ptr<EthtoolSource>> make_ioctl_ethtool_source() {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return environment_error(std::string("cannot open a socket for ethtool requests: ") + std::strerror(errno));
    return std::unique_ptr<EthtoolSource>(std::make_unique<IoctlEthtoolSource>(fd));
}

}  // namespace nettool::link
