#include "nettool/wire/dns_message.hpp"

#include <catch2/catch.hpp>

using namespace nettool;

TEST_CASE("dns type names") {
    CHECK(dns_type_name(dns_type::spf) == "SPF");
}
