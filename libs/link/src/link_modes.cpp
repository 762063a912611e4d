#include "nettool/link/link_modes.hpp"

#include <array>
#include <cctype>

namespace nettool::link {
namespace {

// Index = the kernel's ETHTOOL_LINK_MODE_*_BIT number (include/uapi/linux/ethtool.h), names as ethtool prints them.
constexpr std::array<std::string_view, 93> mode_names = {
    "10baseT/Half",          "10baseT/Full",          "100baseT/Half",          "100baseT/Full",
    "1000baseT/Half",        "1000baseT/Full",        "Autoneg",                "TP",
    "AUI",                   "MII",                   "FIBRE",                  "BNC",
    "10000baseT/Full",       "Pause",                 "Asym_Pause",             "2500baseX/Full",
    "Backplane",             "1000baseKX/Full",       "10000baseKX4/Full",      "10000baseKR/Full",
    "10000baseR_FEC",        "20000baseMLD2/Full",    "20000baseKR2/Full",      "40000baseKR4/Full",
    "40000baseCR4/Full",     "40000baseSR4/Full",     "40000baseLR4/Full",      "56000baseKR4/Full",
    "56000baseCR4/Full",     "56000baseSR4/Full",     "56000baseLR4/Full",      "25000baseCR/Full",
    "25000baseKR/Full",      "25000baseSR/Full",      "50000baseCR2/Full",      "50000baseKR2/Full",
    "100000baseKR4/Full",    "100000baseSR4/Full",    "100000baseCR4/Full",     "100000baseLR4_ER4/Full",
    "50000baseSR2/Full",     "1000baseX/Full",        "10000baseCR/Full",       "10000baseSR/Full",
    "10000baseLR/Full",      "10000baseLRM/Full",     "10000baseER/Full",       "2500baseT/Full",
    "5000baseT/Full",        "FEC_NONE",              "FEC_RS",                 "FEC_BASER",
    "50000baseKR/Full",      "50000baseSR/Full",      "50000baseCR/Full",       "50000baseLR_ER_FR/Full",
    "50000baseDR/Full",      "100000baseKR2/Full",    "100000baseSR2/Full",     "100000baseCR2/Full",
    "100000baseLR2_ER2_FR2/Full", "100000baseDR2/Full", "200000baseKR4/Full",   "200000baseSR4/Full",
    "200000baseLR4_ER4_FR4/Full", "200000baseDR4/Full", "200000baseCR4/Full",   "100baseT1/Full",
    "1000baseT1/Full",       "400000baseKR8/Full",    "400000baseSR8/Full",     "400000baseLR8_ER8_FR8/Full",
    "400000baseDR8/Full",    "400000baseCR8/Full",    "FEC_LLRS",               "100000baseKR/Full",
    "100000baseSR/Full",     "100000baseLR_ER_FR/Full", "100000baseCR/Full",    "100000baseDR/Full",
    "200000baseKR2/Full",    "200000baseSR2/Full",    "200000baseLR2_ER2_FR2/Full", "200000baseDR2/Full",
    "200000baseCR2/Full",    "400000baseKR4/Full",    "400000baseSR4/Full",     "400000baseLR4_ER4_FR4/Full",
    "400000baseDR4/Full",    "400000baseCR4/Full",    "100baseFX/Half",         "100baseFX/Full",
    "10baseT1L/Full",
};

}  // namespace

const char* to_string(Duplex duplex) {
    switch (duplex) {
        case Duplex::half: return "half";
        case Duplex::full: return "full";
        case Duplex::unknown: return "unknown";
    }
    return "unknown";
}

std::optional<Duplex> duplex_from_string(std::string_view text) {
    if (text == "half") return Duplex::half;
    if (text == "full") return Duplex::full;
    if (text == "unknown") return Duplex::unknown;
    return std::nullopt;
}

std::string link_mode_name(unsigned bit) {
    if (bit < mode_names.size()) return std::string(mode_names[bit]);
    return "bit " + std::to_string(bit);
}

std::optional<unsigned> link_mode_bit(std::string_view name) {
    for (unsigned i = 0; i < mode_names.size(); ++i) {
        if (mode_names[i] == name) return i;
    }
    return std::nullopt;
}

std::vector<std::string> decode_link_modes(std::span<const std::uint32_t> words) {
    std::vector<std::string> names;
    for (std::size_t w = 0; w < words.size(); ++w) {
        for (unsigned b = 0; b < 32; ++b) {
            if ((words[w] >> b) & 1U) names.push_back(link_mode_name(static_cast<unsigned>(w * 32 + b)));
        }
    }
    return names;
}

std::optional<std::uint64_t> link_mode_speed(std::string_view name) {
    std::size_t digits = 0;
    while (digits < name.size() && digits < 12 && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
    if (digits == 0 || digits >= 12 || name.substr(digits, 4) != "base") return std::nullopt;
    std::uint64_t speed = 0;
    for (std::size_t i = 0; i < digits; ++i) speed = speed * 10 + static_cast<std::uint64_t>(name[i] - '0');
    if (speed == 0) return std::nullopt;
    return speed;
}

Duplex link_mode_duplex(std::string_view name) {
    if (!link_mode_speed(name)) return Duplex::unknown;
    if (name.size() >= 5 && name.substr(name.size() - 5) == "/Half") return Duplex::half;
    return Duplex::full;
}

std::optional<std::string> best_link_mode(const std::vector<std::string>& modes) {
    std::optional<std::string> best;
    std::uint64_t best_speed = 0;
    bool best_full = false;
    for (const auto& mode : modes) {
        auto speed = link_mode_speed(mode);
        if (!speed) continue;
        bool full = link_mode_duplex(mode) == Duplex::full;
        if (!best || *speed > best_speed || (*speed == best_speed && full && !best_full)) {
            best = mode;
            best_speed = *speed;
            best_full = full;
        }
    }
    return best;
}

std::vector<std::string> common_link_modes(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> common;
    for (const auto& mode : a) {
        for (const auto& other : b) {
            if (mode == other) {
                common.push_back(mode);
                break;
            }
        }
    }
    return common;
}

}  // namespace nettool::link
