// Link-mode names, bitmaps and the speed/duplex each mode stands for.
#include "nettool/link/link_modes.hpp"

#include <catch2/catch.hpp>

#include <array>

using namespace nettool::link;

TEST_CASE("link mode bits map to ethtool's names and back") {
    CHECK(link_mode_name(0) == "10baseT/Half");
    CHECK(link_mode_name(5) == "1000baseT/Full");
    CHECK(link_mode_name(6) == "Autoneg");
    CHECK(link_mode_name(7) == "TP");
    CHECK(link_mode_name(12) == "10000baseT/Full");
    CHECK(link_mode_name(47) == "2500baseT/Full");
    CHECK(link_mode_name(92) == "10baseT1L/Full");
    CHECK(link_mode_name(93) == "bit 93");
    CHECK(link_mode_name(4000000000U) == "bit 4000000000");
    CHECK(link_mode_bit("1000baseT/Full") == 5U);
    CHECK(link_mode_bit("Autoneg") == 6U);
    CHECK_FALSE(link_mode_bit("1000baseT/Fast"));
    CHECK_FALSE(link_mode_bit(""));
}

TEST_CASE("bitmaps decode word by word, bit 32 is the first bit of the second word") {
    std::array<std::uint32_t, 3> words{(1U << 3) | (1U << 5) | (1U << 6), 1U << 0, 1U << 31};
    auto names = decode_link_modes(words);
    REQUIRE(names.size() == 5);
    CHECK(names[0] == "100baseT/Full");
    CHECK(names[1] == "1000baseT/Full");
    CHECK(names[2] == "Autoneg");
    CHECK(names[3] == link_mode_name(32));
    CHECK(names[4] == "bit 95");
    CHECK(decode_link_modes({}).empty());
    std::array<std::uint32_t, 1> all{0xFFFFFFFFU};
    CHECK(decode_link_modes(all).size() == 32);
}

TEST_CASE("speed and duplex of a mode") {
    CHECK(link_mode_speed("1000baseT/Full") == 1000U);
    CHECK(link_mode_speed("10baseT/Half") == 10U);
    CHECK(link_mode_speed("400000baseLR4_ER4_FR4/Full") == 400000U);
    CHECK_FALSE(link_mode_speed("Autoneg"));
    CHECK_FALSE(link_mode_speed("TP"));
    CHECK_FALSE(link_mode_speed("bit 95"));
    CHECK_FALSE(link_mode_speed("0baseT/Full"));
    CHECK_FALSE(link_mode_speed("99999999999999999999baseT/Full"));
    CHECK_FALSE(link_mode_speed(""));
    CHECK(link_mode_duplex("100baseT/Half") == Duplex::half);
    CHECK(link_mode_duplex("100baseT/Full") == Duplex::full);
    CHECK(link_mode_duplex("10000baseR_FEC") == Duplex::full);
    CHECK(link_mode_duplex("Pause") == Duplex::unknown);
}

TEST_CASE("best and common modes") {
    std::vector<std::string> ours{"10baseT/Half", "100baseT/Full", "1000baseT/Half", "1000baseT/Full", "Autoneg"};
    std::vector<std::string> partner{"100baseT/Half", "100baseT/Full", "Autoneg"};
    CHECK(best_link_mode(ours) == std::string("1000baseT/Full"));
    CHECK(best_link_mode({"1000baseT/Half", "1000baseT/Full"}) == std::string("1000baseT/Full"));
    CHECK(best_link_mode({"1000baseT/Full", "1000baseT/Half"}) == std::string("1000baseT/Full"));
    CHECK_FALSE(best_link_mode({"Autoneg", "TP"}));
    CHECK_FALSE(best_link_mode({}));
    auto common = common_link_modes(ours, partner);
    REQUIRE(common.size() == 2);
    CHECK(common[0] == "100baseT/Full");
    CHECK(common[1] == "Autoneg");
    CHECK(best_link_mode(common) == std::string("100baseT/Full"));
    CHECK(common_link_modes(ours, {}).empty());
}

TEST_CASE("duplex strings") {
    CHECK(std::string(to_string(Duplex::half)) == "half");
    CHECK(duplex_from_string("full") == Duplex::full);
    CHECK(duplex_from_string("unknown") == Duplex::unknown);
    CHECK_FALSE(duplex_from_string("Full"));
    CHECK_FALSE(duplex_from_string(""));
}
