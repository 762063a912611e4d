// Where the resolvers come from (resolv.conf, the systemd-resolved stub, --server) and the default --reach target
// from /proc/net/route: pure functions over text, fed with committed fixtures and hostile input.
#include "nettool/dnscheck/sources.hpp"
#include "nettool/dnscheck/text.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::dnscheck;
using nettool::test::fixtures_dir;

namespace {

std::string fixture(const std::string& name) { return nettool::test::read_file(fixtures_dir() / "dnscheck" / name); }

std::vector<std::string> servers_of(const ResolverSelection& s) {
    std::vector<std::string> out;
    for (const auto& r : s.resolvers) out.push_back(r.server.to_string());
    return out;
}

}  // namespace

TEST_CASE("resolv.conf: nameservers in order, duplicates out, skipped lines counted in a note") {
    auto s = select_resolvers({}, "/etc/resolv.conf", fixture("resolv-two.conf"), "/run/x", std::nullopt);
    CHECK(servers_of(s) == std::vector<std::string>{"10.0.0.1:53", "10.0.0.2:53"});
    CHECK(s.files == std::vector<std::string>{"/etc/resolv.conf"});
    CHECK(s.resolvers[0].source == "/etc/resolv.conf");
    REQUIRE(s.notes.size() == 1);
    CHECK(s.notes[0] == "/etc/resolv.conf: 1 line not understood (skipped)");
}

TEST_CASE("the systemd-resolved stub adds its upstream servers") {
    auto s = select_resolvers({}, "/etc/resolv.conf", fixture("resolv-stub.conf"), "/run/systemd/resolve/resolv.conf",
                              fixture("resolv-upstream.conf"));
    CHECK(servers_of(s) == std::vector<std::string>{"127.0.0.53:53", "192.0.2.53:53", "[2001:db8::53]:53"});
    CHECK(s.files == std::vector<std::string>{"/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"});
    CHECK(s.resolvers[1].source == "/run/systemd/resolve/resolv.conf (upstream of the systemd-resolved stub)");
    CHECK(s.notes.at(0).find("systemd-resolved stub") != std::string::npos);

    SECTION("an unreadable upstream list is a note, not an error") {
        auto t = select_resolvers({}, "/etc/resolv.conf", fixture("resolv-stub.conf"), "/run/missing", std::nullopt);
        CHECK(servers_of(t) == std::vector<std::string>{"127.0.0.53:53"});
        CHECK(t.notes.back() == "/run/missing could not be read: the stub's upstream servers are not tested");
    }
    SECTION("an upstream list without servers says so") {
        auto t = select_resolvers({}, "/etc/resolv.conf", fixture("resolv-stub.conf"), "/run/u", "search x\n");
        CHECK(t.notes.back() == "/run/u names no upstream server");
    }
    CHECK(is_systemd_stub(DnsServer::parse("127.0.0.53").value()));
    CHECK(!is_systemd_stub(DnsServer::parse("127.0.0.53:5353").value()));
    CHECK(!is_systemd_stub(DnsServer::parse("127.0.0.1").value()));
}

TEST_CASE("an explicit --server wins over the files") {
    std::vector<DnsServer> given = {DnsServer::parse("192.0.2.1:5353").value(), DnsServer::parse("192.0.2.1:5353").value(),
                                    DnsServer::parse("[2001:db8::1]").value()};
    auto s = select_resolvers(given, "/etc/resolv.conf", fixture("resolv-two.conf"), "", std::nullopt);
    CHECK(servers_of(s) == std::vector<std::string>{"192.0.2.1:5353", "[2001:db8::1]:53"});
    CHECK(s.files == std::vector<std::string>{"--server"});
    CHECK(s.resolvers[0].source == "--server");
}

TEST_CASE("missing, empty and hostile resolver files") {
    auto missing = select_resolvers({}, "/etc/resolv.conf", std::nullopt, "", std::nullopt);
    CHECK(missing.resolvers.empty());
    CHECK(missing.notes == std::vector<std::string>{"/etc/resolv.conf could not be read"});

    auto empty = select_resolvers({}, "/etc/resolv.conf", std::string(), "", std::nullopt);
    CHECK(empty.resolvers.empty());
    CHECK(empty.notes.empty());

    std::string hostile = "nameserver\nnameserver 999.1.1.1\nnameserver \x1b[31m\n\0\0\0nameserver 10.0.0.9\n";
    hostile += std::string(5000, 'x') + "\nnameserver 10.0.0.10%eth0\n";
    auto h = select_resolvers({}, "f", hostile, "", std::nullopt);
    CHECK(servers_of(h) == std::vector<std::string>{"10.0.0.10:53"});
    REQUIRE(h.notes.size() == 1);
    CHECK(h.notes[0].find("not understood") != std::string::npos);
}

TEST_CASE("find_resolvers reads the files: an explicit unreadable --resolv-conf is an input error") {
    DnsCheckRequest request;
    request.resolv_conf_path = (fixtures_dir() / "dnscheck" / "resolv-stub.conf").string();
    request.systemd_upstream_path = (fixtures_dir() / "dnscheck" / "resolv-upstream.conf").string();
    auto s = find_resolvers(request);
    REQUIRE(s.ok());
    CHECK(s->resolvers.size() == 3);

    request.resolv_conf_path = "/nonexistent/resolv.conf";
    request.resolv_conf_explicit = true;
    auto bad = find_resolvers(request);
    REQUIRE(!bad.ok());
    CHECK(bad.error().kind == ErrorKind::input);
    CHECK(bad.error().context == "/nonexistent/resolv.conf");

    request.resolv_conf_explicit = false;  // the default file missing: no resolver, said in a note
    auto none = find_resolvers(request);
    REQUIRE(none.ok());
    CHECK(none->resolvers.empty());
}

TEST_CASE("default gateway from /proc/net/route: the lowest metric wins") {
    auto gw = parse_default_gateway(fixture("route-two-defaults.txt"));
    REQUIRE(gw.has_value());
    CHECK(gw->to_string() == "192.168.0.1");

    const std::string header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";
    CHECK(parse_default_gateway(header + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n")->to_string() ==
          "192.0.2.1");
    SECTION("no default route, or one without a gateway, or one that is down") {
        CHECK(!parse_default_gateway(header));
        CHECK(!parse_default_gateway(header + "eth0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"));
        CHECK(!parse_default_gateway(header + "eth0\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"));
        CHECK(!parse_default_gateway(header + "eth0\t000200C0\t010200C0\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"));
    }
    SECTION("hostile text gives nothing rather than a wrong gateway") {
        CHECK(!parse_default_gateway(""));
        CHECK(!parse_default_gateway("garbage\n"));
        CHECK(!parse_default_gateway("eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n"));  // no header
        CHECK(!parse_default_gateway(header + "eth0\t00000000\tZZZZZZZZ\t0003\t0\t0\t0\t00000000\n"));
        CHECK(!parse_default_gateway(header + "eth0\t00000000\t1010200C0\t0003\t0\t0\t0\t00000000\n"));
        CHECK(!parse_default_gateway(header + "eth0\t00000000\t010200C0\t0003\t0\t0\t99999999999\t00000000\n"));
        CHECK(!parse_default_gateway(header + "eth0 00000000"));
        CHECK(!parse_default_gateway(std::string("\0\0\0", 3)));
    }
}

TEST_CASE("text helpers") {
    CHECK(ms_text(0.4213) == "0.42 ms");
    CHECK(ms_text(12.34) == "12.3 ms");
    CHECK(ms_text(1520.4) == "1520 ms");
    CHECK(percent_text(0.4) == "40%");
    CHECK(percent_text(1.0 / 3.0) == "33.3%");
    CHECK(rcode_name(3) == "NXDOMAIN");
    CHECK(rcode_name(-1) == "RCODE-1");
    CHECK(type_name(48) == "DNSKEY");
    CHECK(type_name(99) == "TYPE99");
    CHECK(type_from_name("dnskey") == std::optional<std::uint16_t>(48));
    CHECK(type_from_name("TYPE65535") == std::optional<std::uint16_t>(65535));
    CHECK(!type_from_name("TYPE65536"));
    CHECK(!type_from_name("TYPE0"));
    CHECK(!type_from_name("TYPE012"));
    CHECK(!type_from_name("TYPE"));
    CHECK(!type_from_name("BOGUS"));
    CHECK(display_name("") == ".");
}

TEST_CASE("resolv.conf options: the stub resolver's timeout, attempts and rotate (glibc's defaults and caps)") {
    auto select = [](const std::string& text) {
        return select_resolvers({}, "/etc/resolv.conf", text, "/run/systemd/resolve/resolv.conf", std::nullopt);
    };
    auto plain = select("nameserver 10.0.0.1\n");
    CHECK(plain.stub_timeout_s == 5);
    CHECK(plain.stub_attempts == 2);
    CHECK(!plain.stub_rotate);
    auto tuned = select("nameserver 10.0.0.1\noptions edns0 timeout:2 attempts:3 rotate\n");
    CHECK(tuned.stub_timeout_s == 2);
    CHECK(tuned.stub_attempts == 3);
    CHECK(tuned.stub_rotate);
    CHECK(tuned.notes.empty());
    auto odd = select("options timeout:99 attempts:0 timeout:x attempts:\n");
    CHECK(odd.stub_timeout_s == 30);
    CHECK(odd.stub_attempts == 1);
}
