#include "nettool/wire/ip_address.hpp"

#include <catch2/catch.hpp>

#include <unordered_set>

using namespace nettool;

TEST_CASE("IPv4 and IPv6 addresses parse and print canonically") {
    auto v4 = IpAddress::parse("192.168.1.129");
    REQUIRE(v4);
    CHECK(v4->is_v4());
    CHECK(v4->to_string() == "192.168.1.129");
    CHECK(v4->v4_host_order() == 0xC0A80181u);
    auto v6 = IpAddress::parse("2001:DB8:0:0::1");
    REQUIRE(v6);
    CHECK(v6->to_string() == "2001:db8::1");
    CHECK(IpAddress::parse("::ffff:10.1.2.3")->unmapped() == *IpAddress::parse("10.1.2.3"));
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4x", "1.2.3.4/8", "::1::2", "[::1]",
                            "fe80::1%eth0", "example.com"}) {
        CHECK_FALSE(IpAddress::parse(bad).has_value());
    }
    CHECK_FALSE(IpAddress().valid());
    CHECK(IpAddress().to_string() == "-");
}

TEST_CASE("prefixes contain what they should") {
    auto p = IpPrefix::parse("202.224.39.7/24");
    REQUIRE(p);
    CHECK(p->to_string() == "202.224.39.0/24");
    CHECK(p->contains(*IpAddress::parse("202.224.39.255")));
    CHECK_FALSE(p->contains(*IpAddress::parse("202.224.40.1")));
    CHECK_FALSE(p->contains(*IpAddress::parse("::1")));
    CHECK(IpPrefix::parse("0.0.0.0/0")->contains(*IpAddress::parse("8.8.8.8")));
    CHECK(IpPrefix::parse("2001:db8::/32")->contains(*IpAddress::parse("2001:db8:ffff::1")));
    CHECK(IpPrefix::parse("10.0.0.1")->length == 32);
    for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "::/129", "x/8", "10.0.0.0/8x"}) {
        CHECK_FALSE(IpPrefix::parse(bad).has_value());
    }
}

TEST_CASE("private and local ranges") {
    for (const char* local : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.129", "127.0.0.1",
                              "169.254.1.1", "100.64.0.1", "fd00::1", "fe80::1", "::1", "::ffff:192.168.0.1"}) {
        CHECK(is_private_or_local(*IpAddress::parse(local)));
    }
    for (const char* global : {"8.8.8.8", "172.32.0.1", "202.224.39.1", "2001:db8::1", "192.169.0.1"}) {
        CHECK_FALSE(is_private_or_local(*IpAddress::parse(global)));
    }
}

TEST_CASE("addresses hash and order") {
    std::unordered_set<IpAddress> set{*IpAddress::parse("10.0.0.1"), *IpAddress::parse("10.0.0.1"),
                                      *IpAddress::parse("::1")};
    CHECK(set.size() == 2);
    CHECK(*IpAddress::parse("10.0.0.1") < *IpAddress::parse("10.0.0.2"));
}
