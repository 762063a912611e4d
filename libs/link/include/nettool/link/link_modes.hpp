#pragma once
// Ethernet link modes as ethtool names them ("1000baseT/Full", "Autoneg", "TP"), the bit numbers the kernel uses
// in ethtool link-mode bitmaps, and what a mode says about speed and duplex. Pure: no system calls.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::link {

enum class Duplex { unknown, half, full };

const char* to_string(Duplex duplex);
// "half" / "full" / "unknown"; nullopt for anything else.
std::optional<Duplex> duplex_from_string(std::string_view text);

// The ethtool name of link-mode bit `bit`, or "bit N" for bits this build does not know.
std::string link_mode_name(unsigned bit);
// Inverse of link_mode_name for known names; nullopt otherwise.
std::optional<unsigned> link_mode_bit(std::string_view name);

// Names of the bits set in a little-endian array of 32-bit words (the layout of ethtool_link_settings masks).
std::vector<std::string> decode_link_modes(std::span<const std::uint32_t> words);

// Speed in Mb/s of a speed mode ("1000baseT/Full" -> 1000), nullopt for non-speed bits ("Autoneg", "TP").
std::optional<std::uint64_t> link_mode_speed(std::string_view name);
// Duplex of a speed mode: "/Half" -> half, otherwise full for speed modes, unknown for non-speed bits.
Duplex link_mode_duplex(std::string_view name);

// The fastest speed mode in `modes` (full duplex preferred at equal speed); nullopt when none is a speed mode.
std::optional<std::string> best_link_mode(const std::vector<std::string>& modes);
// Modes present in both lists, in the order of `a`.
std::vector<std::string> common_link_modes(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace nettool::link
