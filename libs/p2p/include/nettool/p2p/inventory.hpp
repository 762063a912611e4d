#pragma once
// The IP-address register ("who owns 192.168.1.129?"): a CSV of address-or-CIDR, owner, host name, note.
// Parsing is pure: text in, entries and the line numbers of skipped lines out. Lookup is longest-prefix match.
#include "nettool/core/error.hpp"
#include "nettool/wire/ip_address.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nettool::p2p {

struct InventoryEntry {
    IpPrefix prefix;
    std::string owner;
    std::string host_name;
    std::string note;
    std::size_t line = 0;  // 1-based line in the file
};

struct SkippedLine {
    std::size_t line = 0;
    std::string reason;  // one line
};

struct Inventory {
    std::vector<InventoryEntry> entries;
    std::vector<SkippedLine> skipped;  // malformed lines: counted and reported, never silently dropped
    std::string source;                // file name, for evidence

    // The most specific entry containing `address` (IPv4-mapped IPv6 is matched as IPv4).
    const InventoryEntry* lookup(const IpAddress& address) const;
};

// Splits one CSV line into fields (RFC 4180 quoting: "a, b" and "" inside quotes). nullopt for an unterminated
// quote.
std::optional<std::vector<std::string>> split_csv_line(std::string_view line);

// Parses the whole file. Blank lines and lines starting with '#' are ignored; a first line whose first field is
// not an address ("address,owner,...") is taken as the header. An error only when nothing usable remains and the
// text was not empty.
Result<Inventory> parse_inventory(std::string_view text, const std::string& source = {});
// Reads and parses a file (input error when it cannot be read).
Result<Inventory> load_inventory(const std::string& path);

}  // namespace nettool::p2p
