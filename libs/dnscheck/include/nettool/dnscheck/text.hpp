#pragma once
// Small text helpers shared by dnscheck's diagnosis and renderer.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nettool::dnscheck {

std::string ms_text(double milliseconds);     // "0.42 ms", "12.3 ms", "1520 ms"
std::string percent_text(double fraction);    // "40%", "12.5%"
std::string display_name(const std::string& name);  // "." for the root, names as given otherwise
// DNS mnemonics (kept here so the pure diagnosis needs nothing from the wire parser): "NOERROR", "RCODE23";
// "A", "DNSKEY", "TYPE99".
std::string rcode_name(int rcode);
std::string type_name(std::uint16_t type);
// Inverse of type_name (case-insensitive; "TYPEn" for any n in 1..65535); nullopt otherwise.
std::optional<std::uint16_t> type_from_name(const std::string& name);
std::string join(const std::vector<std::string>& parts, const std::string& separator);

}  // namespace nettool::dnscheck
