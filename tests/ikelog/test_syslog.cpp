// Syslog datagrams (RFC 3164 and RFC 5424) to log lines, and malformed datagrams as clear errors.
#include "nettool/ikelog/ike_log.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::ikelog;

TEST_CASE("RFC 3164 datagrams keep the body as a file line") {
    auto m = parse_syslog_datagram("<30>Nov 28 08:52:37 hq-gw charon: 04[IKE] <1> 192.0.2.1 is initiating an IKE_SA\n");
    REQUIRE(m.ok());
    CHECK(m->facility == 3);
    CHECK(m->severity == 6);
    CHECK_FALSE(m->rfc5424);
    CHECK(m->timestamp == "Nov 28 08:52:37");
    CHECK(m->hostname == "hq-gw");
    CHECK(m->app == "charon");
    CHECK(m->message == "04[IKE] <1> 192.0.2.1 is initiating an IKE_SA");
    CHECK(m->line == "Nov 28 08:52:37 hq-gw charon: 04[IKE] <1> 192.0.2.1 is initiating an IKE_SA");
    // Routers often send the bare message after the PRI.
    auto bare = parse_syslog_datagram("<134>[==== IKE PHASE 1(to 198.51.100.7) START (initiator) ====]");
    REQUIRE(bare.ok());
    CHECK(bare->line == "[==== IKE PHASE 1(to 198.51.100.7) START (initiator) ====]");
    auto nopri = parse_syslog_datagram("**** MAIN MODE COMPLETED ****");
    REQUIRE(nopri.ok());
    CHECK(nopri->facility == -1);
    CHECK(nopri->line == "**** MAIN MODE COMPLETED ****");
}

TEST_CASE("RFC 5424 datagrams: header fields, structured data and BOM are handled") {
    auto m = parse_syslog_datagram(
        "<165>1 2026-11-28T08:52:37.123Z hq-gw charon 812 IKE [exampleSDID@32473 iut=\"3\" note=\"a]b\\\"c\"] "
        "\xEF\xBB\xBF" "04[IKE] <site|1> IKE_SA site[1] established between 192.0.2.10[a]...198.51.100.20[b]");
    REQUIRE(m.ok());
    CHECK(m->rfc5424);
    CHECK(m->facility == 20);
    CHECK(m->severity == 5);
    CHECK(m->timestamp == "2026-11-28T08:52:37.123Z");
    CHECK(m->hostname == "hq-gw");
    CHECK(m->app == "charon");
    CHECK(m->message.rfind("04[IKE] <site|1>", 0) == 0);
    CHECK(m->line.rfind("2026-11-28T08:52:37.123Z hq-gw charon[812]: 04[IKE]", 0) == 0);
    auto nil = parse_syslog_datagram("<14>1 - - - - - - **** RECEIVED SIXTH MESSAGE OF MAIN MODE ****");
    REQUIRE(nil.ok());
    CHECK(nil->line == "**** RECEIVED SIXTH MESSAGE OF MAIN MODE ****");
}

TEST_CASE("malformed datagrams are one-line input errors, never crashes") {
    for (const char* bad : {"", "<", "<>", "<999>x", "<1x>y", "<12", "<13>1 2026-11-28T00:00:00Z host",
                            "<13>1 2026-11-28T00:00:00Z host app 1 id [unterminated sd",
                            "<13>1 2026-11-28T00:00:00Z host app 1 id xyz msg", "\n\n"}) {
        auto m = parse_syslog_datagram(bad);
        INFO(bad);
        REQUIRE_FALSE(m.ok());
        CHECK(m.error().kind == ErrorKind::input);
        CHECK(m.error().message.find('\n') == std::string::npos);
    }
}
