// ike-log --resolve against a real DNS server (dnsmasq on loopback, configured here): each lookup error names the
// record type it belongs to.
#include "nettool/ikelog/ike_log.hpp"

#include "../dns/dns_test_helpers.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::ikelog;

TEST_CASE("ike-log --resolve labels the A and the AAAA lookup each with its own type") {
    std::string why_not;
    auto dnsmasq = nettool::test::Dnsmasq::start({"--local=/test/", "--address=/factory.test/192.0.2.200"}, why_not);
    if (!dnsmasq) NETTOOL_SKIP(why_not);
    NameCheck gone{"gone.test", {}, "dns", ""};
    lookup_name(gone, {dnsmasq->server()});
    CHECK(gone.addresses.empty());
    CHECK(gone.error == "A: nxdomain, AAAA: nxdomain");
    NameCheck factory{"factory.test", {}, "dns", ""};
    lookup_name(factory, {dnsmasq->server()});
    CHECK(factory.addresses == std::vector<std::string>{"192.0.2.200"});
    CHECK(factory.error.empty());
}
