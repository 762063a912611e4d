// /proc/net/route parsing: the default route's interface, lowest metric first, down routes and junk skipped.
#include "nettool/io/capture.hpp"

#include <catch2/catch.hpp>

using namespace nettool;

TEST_CASE("default route interface from /proc/net/route text") {
    const std::string table =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        "eth0\t00000000\t0100CA0A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "eth0\t0000CA0A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
    CHECK(parse_default_route_interface(table) == std::optional<std::string>("eth0"));
}

TEST_CASE("no default route, down routes, malformed lines") {
    CHECK_FALSE(parse_default_route_interface("").has_value());
    CHECK_FALSE(parse_default_route_interface("Iface\tDestination\tGateway\n").has_value());
    // Only a host route.
    CHECK_FALSE(parse_default_route_interface("eth0\t0000CA0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n")
                    .has_value());
    // A default route that is not up (flags without RTF_UP).
    CHECK_FALSE(parse_default_route_interface("eth1\t00000000\t0100CA0A\t0002\t0\t0\t0\t00000000\t0\t0\t0\n")
                    .has_value());
    // Junk: non-hex fields, short lines, absurd names; the good line still wins.
    const std::string junk =
        "garbage\n"
        "eth9\tZZZZZZZZ\t0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eth8\t00000000\t0\t0003\t0\t0\tx\t00000000\n"
        "averyveryverylongname0\t00000000\t0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "\t\t\t\n"
        "ppp0  00000000  00000000  0001  0  0  0  00000000  0  0  0\r\n";
    CHECK(parse_default_route_interface(junk) == std::optional<std::string>("ppp0"));
}

TEST_CASE("default_route_interface reads this machine's table without failing") {
    // The answer depends on the machine; it must be either nothing or a plausible interface name.
    const auto name = default_route_interface();
    if (name) {
        CHECK_FALSE(name->empty());
        CHECK(name->size() <= 15);
    }
}
