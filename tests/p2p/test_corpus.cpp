// The bar: the 40-capture corpus in ../shared/corpus/p2p scored exactly as its README says. Every address is a
// candidate (--local 0.0.0.0/0 --local ::/0); a host is flagged when its verdict is p2p or suspect.
//   recall   = required hosts flagged / required hosts (must be 12/12)
//   protocol = the protocol named first for a required host is in that host's truth protocols (12/12)
//   false positive = a flagged host in none of required, optional, allowed peers (must be 0); on a negative
//   capture no host may be flagged at all.
#include "test_support.hpp"

#include "nettool/p2p/p2p.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

using namespace nettool;
using namespace nettool::p2p;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

TEST_CASE("corpus: all 12 required hosts with the right protocol, no false host") {
    auto shared = nettool::test::shared_dir();
    if (!shared || !std::filesystem::exists(*shared / "corpus" / "p2p" / "truth.json")) {
        NETTOOL_SKIP("../shared/corpus/p2p is absent (the P2P corpus is not part of the repository)");
    }
    auto corpus = *shared / "corpus" / "p2p";
    nlohmann::json truth = nlohmann::json::parse(nettool::test::read_file(corpus / "truth.json"));
    const auto& pcaps = truth.at("pcaps");

    std::size_t required = 0;
    std::size_t found = 0;
    std::size_t right_protocol = 0;
    std::vector<std::string> false_hosts;
    std::vector<std::string> misses;
    std::ostringstream table;

    for (const auto& [name, entry] : pcaps.items()) {
        P2pRequest request;
        request.files = {(corpus / "pcap" / name).string()};
        request.local = {"0.0.0.0/0", "::/0"};
        auto report = run_p2p(request);
        REQUIRE(report);

        std::set<std::string> allowed;
        for (const char* key : {"required_hosts", "optional_hosts", "allowed_peers"}) {
            for (const auto& a : entry.at(key)) allowed.insert(a.get<std::string>());
        }
        std::map<std::string, const HostReport*> flagged;
        for (const auto& h : report->hosts) {
            if (h.verdict != Verdict::clean) flagged[h.address.to_string()] = &h;
        }
        table << name << " [" << entry.at("class").get<std::string>() << "]:";
        for (const auto& r : entry.at("required_hosts")) {
            ++required;
            auto address = r.get<std::string>();
            auto it = flagged.find(address);
            if (it == flagged.end()) {
                misses.push_back(name + " " + address);
                table << " MISS " << address;
                continue;
            }
            ++found;
            std::set<std::string> truth_protocols;
            for (const auto& h : entry.at("hosts")) {
                if (h.at("ip") == address) {
                    for (const auto& p : h.at("protocols")) truth_protocols.insert(lower(p.get<std::string>()));
                }
            }
            bool ok = !it->second->protocols.empty() && truth_protocols.count(lower(it->second->protocols.front())) == 1;
            right_protocol += ok ? 1 : 0;
            table << " hit " << address << " (" << (it->second->protocols.empty() ? "-" : it->second->protocols.front())
                  << (ok ? "" : ", WRONG PROTOCOL") << ")";
        }
        for (const auto& [address, host] : flagged) {
            if (allowed.count(address) == 0) {
                false_hosts.push_back(name + " " + address + " " + to_string(host->verdict));
                table << " FALSE " << address;
            }
        }
        table << '\n';
    }
    INFO(table.str());
    WARN("corpus score: " << found << "/" << required << " required hosts, " << right_protocol
                          << " with the right protocol, " << false_hosts.size() << " false hosts");
    CHECK(required == 12);
    CHECK(misses.empty());
    CHECK(found == 12);
    CHECK(right_protocol == 12);
    CHECK(false_hosts.empty());
}
