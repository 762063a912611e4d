// nettool p2p end to end: the seed fixture (one LAN Mac on Gnutella) with the address register, exit statuses
// 0/1/2/3, one JSON document, stdin input, help text.
#include "frames.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nettool::test;

namespace {

std::string nettool_p2p() { return shell_quote(nettool_binary()) + " p2p"; }
std::string fixture(const char* name) { return shell_quote((fixtures_dir() / "p2p" / name).string()); }

}  // namespace

TEST_CASE("p2p --help documents the options and exit statuses") {
    auto r = run_command(nettool_p2p() + " --help");
    CHECK(r.exit_status == 0);
    for (const char* text : {"--read", "--duration", "--count", "--filter", "--inventory", "--local", "--top", "--json",
                             "CAP_NET_RAW", "setcap", "Exit status", "Karagiannis", "suspect"}) {
        CHECK(r.out.find(text) != std::string::npos);
    }
}

TEST_CASE("the seed case: 192.168.1.129 runs Gnutella, the register names the owner, exit 1") {
    auto r = run_command(nettool_p2p() + " -r " + fixture("seed-gnutella.pcap") + " --inventory " +
                         fixture("office-hosts.csv") + " --json");
    CHECK(r.exit_status == 1);
    INFO(r.err);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["schema_version"] == 1);
    CHECK(j["command"] == "p2p");
    auto& h = j["hosts"][0];
    CHECK(h["address"] == "192.168.1.129");
    CHECK(h["verdict"] == "p2p");
    CHECK(h["protocols"][0] == "Gnutella");
    CHECK(h["peers"]["p2p"] == 20);
    CHECK(h["owner"]["owner"] == "Yamada Taro (A部署)");
    CHECK(h["owner"]["host_name"] == "mac-yamada");
    CHECK(h["bytes"]["share"].get<double>() > 0.8);
    CHECK(j["top_talkers"][0]["address"] == "192.168.1.129");
    std::size_t flagged = 0;
    for (const auto& host : j["hosts"]) flagged += host["verdict"] != "clean" ? 1 : 0;
    CHECK(flagged == 1);
    CHECK(j["summary"]["packets"] == 986);

    auto human = run_command(nettool_p2p() + " -r " + fixture("seed-gnutella.pcap") + " --inventory " +
                             fixture("office-hosts.csv"));
    CHECK(human.exit_status == 1);
    CHECK(human.out.find("192.168.1.129") != std::string::npos);
    CHECK(human.out.find("Yamada Taro") != std::string::npos);
    CHECK(human.out.find("gnutella.handshake") != std::string::npos);
    CHECK(human.out.find("\x1b[") == std::string::npos);  // no colour when not a terminal
}

TEST_CASE("stdin, BPF filter and a clean capture exit 0") {
    auto r = run_command(nettool_p2p() + " -r - --json < " + fixture("seed-gnutella.pcap"));
    CHECK(r.exit_status == 1);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["summary"]["sources"][0]["name"] == "-");
    // Filtering out the Mac leaves an ordinary office: exit 0.
    auto clean = run_command(nettool_p2p() + " -r " + fixture("seed-gnutella.pcap") +
                             " --filter 'not host 192.168.1.129' --json");
    CHECK(clean.exit_status == 0);
    auto jc = nlohmann::json::parse(clean.out);
    for (const auto& host : jc["hosts"]) CHECK(host["verdict"] == "clean");
    CHECK(jc["diagnoses"].back()["code"] == "no_p2p_found");
}

TEST_CASE("bad usage and unreadable input exit 2; an interface that does not exist exits 3") {
    auto bad_local = run_command(nettool_p2p() + " -r " + fixture("seed-gnutella.pcap") + " --local 10.0.0.0/99");
    CHECK(bad_local.exit_status == 2);
    CHECK(bad_local.err.find("--local") != std::string::npos);
    auto missing = run_command(nettool_p2p() + " -r /nonexistent/file.pcap");
    CHECK(missing.exit_status == 2);
    auto bad_filter = run_command(nettool_p2p() + " -r " + fixture("seed-gnutella.pcap") + " --filter 'port port'");
    CHECK(bad_filter.exit_status == 2);
    auto bad_inventory = run_command(nettool_p2p() + " -r " + fixture("seed-gnutella.pcap") + " --inventory /nonexistent.csv");
    CHECK(bad_inventory.exit_status == 2);
    auto both = run_command(nettool_p2p() + " eth0 -r " + fixture("seed-gnutella.pcap"));
    CHECK(both.exit_status == 2);
    auto no_iface = run_command(nettool_p2p() + " ntp2p-nosuch0 --duration 1");
    CHECK(no_iface.exit_status == 3);
    CHECK(no_iface.err.find("ntp2p-nosuch0") != std::string::npos);
}
