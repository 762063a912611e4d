#pragma once
// Untrusted text (TXT records, log lines, payloads) reaches the terminal and JSON; these make it safe.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nettool {

// Control characters and invalid UTF-8 become visible escapes (\x1b, \n, ...), so nothing from the wire can
// move the cursor or change colours; valid UTF-8 passes through.
std::string sanitize_for_terminal(std::string_view text);

// Serialises without ever throwing on invalid UTF-8 (it is replaced by U+FFFD). indent < 0 gives one line.
std::string json_dump(const nlohmann::json& document, int indent = 2);

// "1.5 KB", "3.2 MB" (decimal units, as link rates are quoted).
std::string format_bytes(std::uint64_t bytes);
// "12.345 ms" style with three decimals.
std::string format_ms(double milliseconds);
// "12.3%"
std::string format_percent(double fraction_0_to_1, int decimals = 1);

}  // namespace nettool
