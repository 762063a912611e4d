#include "nettool/wire/dns_server.hpp"

#include <catch2/catch.hpp>

using namespace nettool;

TEST_CASE("DNS server endpoints parse in every documented form") {
    CHECK(DnsServer::parse("192.0.2.1")->to_string() == "192.0.2.1:53");
    CHECK(DnsServer::parse("127.0.0.1:5353")->port == 5353);
    CHECK(DnsServer::parse("2001:db8::1")->to_string() == "[2001:db8::1]:53");
    CHECK(DnsServer::parse("[::1]:5300")->to_string() == "[::1]:5300");
    for (const char* bad : {"", "dns.example", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:x", "[::1", "[::1]x",
                            "[::1]:", "1.2.3.4:53:1"}) {
        auto parsed = DnsServer::parse(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().kind == ErrorKind::usage);
    }
}

TEST_CASE("resolv.conf parsing keeps order, drops duplicates and zone ids, counts junk") {
    auto conf = parse_resolv_conf(
        "# generated\n"
        "nameserver 10.0.0.1\n"
        "nameserver 10.0.0.1\n"
        "nameserver fe80::1%eth0 ; link-local\n"
        "nameserver not-an-ip\n"
        "search corp.example lan\n"
        "options edns0 trust-ad\n"
        "garbage line here\n"
        "nameserver\n");
    REQUIRE(conf.nameservers.size() == 2);
    CHECK(conf.nameservers[0].to_string() == "10.0.0.1:53");
    CHECK(conf.nameservers[1].address.to_string() == "fe80::1");
    CHECK(conf.search == std::vector<std::string>{"corp.example", "lan"});
    CHECK(conf.skipped_lines == 3);
    CHECK(parse_resolv_conf("").nameservers.empty());
}

TEST_CASE("resolv.conf options: ndots, timeout and attempts as glibc reads them; the last search line wins") {
    auto defaults = parse_resolv_conf("nameserver 10.0.0.1\n");
    CHECK(defaults.ndots == 1);
    CHECK(defaults.timeout_s == 5);
    CHECK(defaults.attempts == 2);
    auto conf = parse_resolv_conf(
        "search old.example\n"
        "options rotate ndots:3 timeout:2\n"
        "options attempts:9 timeout:x ndots:-1\n"
        "domain office.lan\n");
    CHECK(conf.ndots == 3);
    CHECK(conf.timeout_s == 2);
    CHECK(conf.attempts == 5);  // capped like glibc
    CHECK(conf.search == std::vector<std::string>{"office.lan"});
    CHECK(parse_resolv_conf("options ndots:40 timeout:0\n").ndots == 15);
    CHECK(parse_resolv_conf("options ndots:40 timeout:0\n").timeout_s == 1);
}
