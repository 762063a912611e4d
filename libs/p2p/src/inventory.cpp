#include "nettool/p2p/inventory.hpp"

#include <fstream>
#include <sstream>

namespace nettool::p2p {
namespace {

std::string trim(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && (text[begin] == ' ' || text[begin] == '\t' || text[begin] == '\r')) ++begin;
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r')) --end;
    return std::string(text.substr(begin, end - begin));
}

constexpr std::size_t max_field_length = 1024;
constexpr std::size_t max_entries = 1'000'000;

}  // namespace

std::optional<std::vector<std::string>> split_csv_line(std::string_view line) {
    std::vector<std::string> fields;
    std::string current;
    bool quoted = false;
    bool was_quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    current += '"';
                    ++i;
                } else {
                    quoted = false;
                    // Spaces between the closing quote and the comma are not part of the field.
                    while (i + 1 < line.size() && (line[i + 1] == ' ' || line[i + 1] == '\t')) ++i;
                }
            } else {
                current += c;
            }
        } else if (c == '"' && trim(current).empty()) {
            current.clear();
            quoted = true;
            was_quoted = true;
        } else if (c == ',') {
            fields.push_back(was_quoted ? current : trim(current));
            current.clear();
            was_quoted = false;
        } else {
            current += c;
        }
    }
    if (quoted) return std::nullopt;
    fields.push_back(was_quoted ? current : trim(current));
    return fields;
}

const InventoryEntry* Inventory::lookup(const IpAddress& address) const {
    IpAddress plain = address.unmapped();
    const InventoryEntry* best = nullptr;
    for (const auto& entry : entries) {
        if (entry.prefix.contains(plain) && (best == nullptr || entry.prefix.length > best->prefix.length)) {
            best = &entry;
        }
    }
    return best;
}

Result<Inventory> parse_inventory(std::string_view text, const std::string& source) {
    Inventory inventory;
    inventory.source = source;
    std::size_t line_number = 0;
    std::size_t start = 0;
    bool first_content_line = true;
    bool any_content = false;
    // A UTF-8 byte-order mark (spreadsheet exports) is not part of the first field.
    if (text.starts_with("\xEF\xBB\xBF")) start = 3;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view raw = text.substr(start, end - start);
        ++line_number;
        start = end + 1;
        std::string line = trim(raw);
        if (line.empty() || line[0] == '#') {
            if (end == text.size()) break;
            continue;
        }
        any_content = true;
        auto fields = split_csv_line(line);
        if (!fields) {
            inventory.skipped.push_back({line_number, "unterminated quote"});
        } else if (fields->empty() || (*fields)[0].empty()) {
            inventory.skipped.push_back({line_number, "no address in the first field"});
        } else {
            auto prefix = IpPrefix::parse((*fields)[0]);
            if (!prefix) {
                if (!first_content_line) {
                    inventory.skipped.push_back({line_number, "not an address or CIDR: " + (*fields)[0].substr(0, 64)});
                }
            } else if (inventory.entries.size() >= max_entries) {
                inventory.skipped.push_back({line_number, "more than 1000000 entries"});
            } else {
                InventoryEntry entry;
                entry.prefix = *prefix;
                entry.line = line_number;
                auto field = [&](std::size_t k) {
                    return k < fields->size() ? (*fields)[k].substr(0, max_field_length) : std::string();
                };
                entry.owner = field(1);
                entry.host_name = field(2);
                entry.note = field(3);
                inventory.entries.push_back(std::move(entry));
            }
        }
        first_content_line = false;
        if (end == text.size()) break;
    }
    if (any_content && inventory.entries.empty()) {
        std::string why = inventory.skipped.empty() ? std::string("only a header line")
                                                    : "line " + std::to_string(inventory.skipped.front().line) +
                                                          ": " + inventory.skipped.front().reason;
        return input_error("no usable inventory entries (" + why + ")", source);
    }
    return inventory;
}

Result<Inventory> load_inventory(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return input_error("cannot read the inventory file", path);
    std::ostringstream contents;
    contents << in.rdbuf();
    if (in.bad()) return input_error("error while reading the inventory file", path);
    std::string text = contents.str();
    if (text.size() > 64u * 1024 * 1024) return input_error("inventory file larger than 64 MB", path);
    return parse_inventory(text, path);
}

}  // namespace nettool::p2p
