#include "dns_test_helpers.hpp"
#include "test_support.hpp"

#include "nettool/io/dns_client.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::test;
using namespace std::chrono_literals;

namespace {

// One scripted server for the whole test binary (started on first use).
const FakeDnsServer* fake_server(std::string& why_not) {
    static std::string reason;
    static std::optional<FakeDnsServer> server = FakeDnsServer::start("127.0.0.1", reason);
    why_not = reason;
    return server ? &*server : nullptr;
}

#define REQUIRE_FAKE_SERVER(var)                             \
    std::string why_not_##var;                               \
    const FakeDnsServer* var = fake_server(why_not_##var);   \
    if (var == nullptr) NETTOOL_SKIP(why_not_##var)

}  // namespace

TEST_CASE("DnsClient: A answer from a real server on loopback") {
    REQUIRE_FAKE_SERVER(fake);
    auto result = query_now("a.test", dns_type::a, options_for(fake->server()));
    REQUIRE(result.outcome == DnsOutcome::answer);
    REQUIRE(result.records().size() == 1);
    CHECK(result.records()[0]->address->to_string() == "192.0.2.1");
    CHECK(result.elapsed > 0us);
    CHECK(result.timeouts == 0);
}
