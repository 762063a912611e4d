// The address register: CSV parsing (quotes, header, comments, bad lines counted) and longest-prefix lookup.
#include "nettool/p2p/inventory.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::p2p;

TEST_CASE("CSV lines split with RFC 4180 quoting") {
    auto f = split_csv_line(R"(192.168.1.129, "Tanaka, Taro" ,mac-tanaka,"says ""personal""")");
    REQUIRE(f);
    REQUIRE(f->size() == 4);
    CHECK((*f)[0] == "192.168.1.129");
    CHECK((*f)[1] == "Tanaka, Taro");
    CHECK((*f)[2] == "mac-tanaka");
    CHECK((*f)[3] == "says \"personal\"");
    CHECK_FALSE(split_csv_line("1.2.3.4,\"open"));
    auto empty = split_csv_line("");
    REQUIRE(empty);
    CHECK(empty->size() == 1);
}

TEST_CASE("inventory: header, comments, CIDRs, IPv6 and the most specific match") {
    auto inv = parse_inventory("\xEF\xBB\xBF" "address,owner,host name,note\n"
                               "# static register 2007\n"
                               "192.168.1.0/24, Office LAN, , shared segment\r\n"
                               "192.168.1.129,Tanaka Taro,mac-tanaka,personal Mac\n"
                               "\n"
                               "fd00::/8,IPv6 lab\n",
                               "hosts.csv");
    REQUIRE(inv);
    CHECK(inv->entries.size() == 3);
    CHECK(inv->skipped.empty());
    const auto* hit = inv->lookup(*IpAddress::parse("192.168.1.129"));
    REQUIRE(hit != nullptr);
    CHECK(hit->owner == "Tanaka Taro");
    CHECK(hit->host_name == "mac-tanaka");
    CHECK(hit->note == "personal Mac");
    CHECK(hit->line == 4);
    const auto* lan = inv->lookup(*IpAddress::parse("192.168.1.7"));
    REQUIRE(lan != nullptr);
    CHECK(lan->owner == "Office LAN");
    CHECK(inv->lookup(*IpAddress::parse("10.0.0.1")) == nullptr);
    const auto* mapped = inv->lookup(*IpAddress::parse("::ffff:192.168.1.129"));
    REQUIRE(mapped != nullptr);
    CHECK(mapped->owner == "Tanaka Taro");
    const auto* v6 = inv->lookup(*IpAddress::parse("fd00::5"));
    REQUIRE(v6 != nullptr);
    CHECK(v6->owner == "IPv6 lab");
    CHECK(v6->host_name.empty());
}

TEST_CASE("inventory: malformed lines are counted with their line numbers, never silently dropped") {
    auto inv = parse_inventory("10.0.0.1,alice\nnot-an-ip,bob\n10.0.0.300,carol\n\"10.0.0.2,dave\n10.0.0.3,erin\n");
    REQUIRE(inv);
    CHECK(inv->entries.size() == 2);
    REQUIRE(inv->skipped.size() == 3);
    CHECK(inv->skipped[0].line == 2);
    CHECK(inv->skipped[1].line == 3);
    CHECK(inv->skipped[2].line == 4);
    CHECK(inv->skipped[2].reason == "unterminated quote");
}

TEST_CASE("inventory: nothing usable is an input error; empty is fine") {
    auto bad = parse_inventory("address,owner\nwho,knows\n", "x.csv");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().kind == ErrorKind::input);
    CHECK(bad.error().context == "x.csv");
    auto header_only = parse_inventory("address,owner\n");
    REQUIRE_FALSE(header_only);
    auto empty = parse_inventory("# nothing yet\n\n");
    REQUIRE(empty);
    CHECK(empty->entries.empty());
    auto missing = load_inventory("/nonexistent/dir/hosts.csv");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::input);
    std::string binary("\x00\x01\x02\xff\n1.2.3.4,ok\n", 12);
    auto odd = parse_inventory(binary);
    REQUIRE(odd);
    CHECK(odd->entries.size() == 1);
}
