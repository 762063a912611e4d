// Pure readers of what `ip route get`, `ip neigh` and `nft list ruleset` print: the evidence a ping run collects at
// its edges (ping_run.cpp runs the programs), kept here so the parsing is unit-tested on text.
#include "nettool/ping/ping.hpp"

#include <sstream>

namespace nettool {
namespace {

std::vector<std::string> words_of(std::string_view line) {
    std::vector<std::string> words;
    std::istringstream in{std::string(line)};
    std::string word;
    while (in >> word) words.push_back(word);
    return words;
}

bool is_state_word(const std::string& word) {
    return !word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == std::string::npos;
}

}  // namespace

std::optional<std::pair<std::string, IpAddress>> parse_route_get(std::string_view text, const IpAddress& target) {
    auto first_line = text.substr(0, text.find('\n'));
    auto words = words_of(first_line);
    std::string device;
    IpAddress next_hop = target;
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
        if (words[i] == "dev") device = words[i + 1];
        if (words[i] == "via") {
            std::size_t at = i + 1;
            if ((words[at] == "inet" || words[at] == "inet6") && at + 1 < words.size()) ++at;
            if (auto gateway = IpAddress::parse(words[at])) next_hop = *gateway;
        }
    }
    if (device.empty() || device.size() > 15) return std::nullopt;
    return std::make_pair(device, next_hop);
}

std::string parse_neigh_state(std::string_view text) {
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        auto words = words_of(line);
        if (words.empty()) continue;
        for (auto it = words.rbegin(); it != words.rend(); ++it) {
            if (is_state_word(*it)) return *it;
        }
    }
    return "none";
}

std::vector<std::string> find_output_drop_rules(std::string_view ruleset, std::size_t limit) {
    std::vector<std::string> found;
    std::istringstream lines{std::string(ruleset)};
    std::string line;
    std::string table;
    std::string chain;
    bool outgoing = false;
    while (std::getline(lines, line) && found.size() < limit) {
        auto words = words_of(line);
        if (words.empty()) continue;
        if (words[0] == "table" && words.size() >= 3) {
            table = words[1] + " " + words[2];
            chain.clear();
            outgoing = false;
            continue;
        }
        if (words[0] == "chain" && words.size() >= 2) {
            chain = words[1];
            outgoing = false;
            continue;
        }
        if (words[0] == "type" && line.find(" hook ") != std::string::npos) {
            outgoing = line.find("hook output") != std::string::npos || line.find("hook postrouting") != std::string::npos;
            if (outgoing && line.find("policy drop") != std::string::npos) {
                found.push_back("table " + table + " chain " + chain + ": policy drop");
            }
            continue;
        }
        if (!outgoing || words[0] == "}") continue;
        bool drops = false;
        for (const auto& word : words) drops = drops || word == "drop" || word == "reject" || word == "drop;";
        if (!drops) continue;
        auto start = line.find_first_not_of(" \t");
        found.push_back("table " + table + " chain " + chain + ": " + line.substr(start));
    }
    return found;
}

}  // namespace nettool
