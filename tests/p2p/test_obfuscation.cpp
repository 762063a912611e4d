// The encrypted-handshake shape (obfuscation.hpp): random-looking bytes, visible structure, the MSE/PE order.
#include "nettool/p2p/obfuscation.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace nettool::p2p;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::vector<std::uint8_t> out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(gen());
    return out;
}

std::vector<std::uint8_t> text(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("random bytes look random; text, repetition and short payloads do not") {
    for (unsigned seed = 1; seed <= 50; ++seed) {
        for (std::size_t n : {96u, 200u, 608u}) CHECK(looks_random(random_bytes(n, seed)));
    }
    CHECK_FALSE(looks_random(random_bytes(63, 1)));
    std::string http = "GET /announce?info_hash=abc HTTP/1.1\r\nHost: tracker.example\r\nUser-Agent: x\r\n\r\n";
    while (http.size() < 300) http += "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    CHECK_FALSE(looks_random(text(http)));
    std::vector<std::uint8_t> zeros(300, 0);
    CHECK_FALSE(looks_random(zeros));
    std::vector<std::uint8_t> few(300);
    for (std::size_t i = 0; i < few.size(); ++i) few[i] = static_cast<std::uint8_t>(i % 16 + 200);
    CHECK_FALSE(looks_random(few));
}

TEST_CASE("visible structure: TLS, SSH, length prefixes") {
    auto tls = random_bytes(300, 7);
    tls[0] = 0x16, tls[1] = 0x03, tls[2] = 0x01;
    CHECK(has_visible_structure(tls, 300));
    CHECK(has_visible_structure(text("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), 32));
    auto openvpn = random_bytes(200, 8);
    openvpn[0] = 0x00, openvpn[1] = 198;  // 2-byte length of the rest
    CHECK(has_visible_structure(openvpn, 200));
    auto tpkt = random_bytes(150, 9);
    tpkt[0] = 0x03, tpkt[1] = 0x00, tpkt[2] = 0x00, tpkt[3] = 150;
    CHECK(has_visible_structure(tpkt, 150));
    auto smb = random_bytes(180, 10);
    smb[0] = 0x00, smb[1] = 0x00, smb[2] = 0x00, smb[3] = 176;
    CHECK(has_visible_structure(smb, 180));
    int structured = 0;
    for (unsigned seed = 1; seed <= 200; ++seed) structured += has_visible_structure(random_bytes(400, seed), 400);
    CHECK(structured == 0);
}

TEST_CASE("MSE/PE shape: initiator's DH value, responder's, then the initiator's hashes") {
    MseShape mse;
    CHECK(mse.observe(true, random_bytes(520, 1), 520) == MseShape::State::watching);
    CHECK(mse.observe(false, random_bytes(313, 2), 313) == MseShape::State::watching);
    CHECK(mse.observe(true, random_bytes(245, 3), 245) == MseShape::State::matched);
    CHECK(mse.evidence().find("520 and 313 bytes") != std::string::npos);

    SECTION("the responder speaking first is not MSE") {
        MseShape r;
        CHECK(r.observe(false, random_bytes(300, 4), 300) == MseShape::State::ruled_out);
    }
    SECTION("sizes outside 96-608") {
        MseShape small, large;
        CHECK(small.observe(true, random_bytes(80, 5), 80) == MseShape::State::ruled_out);
        CHECK(large.observe(true, random_bytes(700, 6), 700) == MseShape::State::ruled_out);
    }
    SECTION("the initiator sending twice before the answer") {
        MseShape twice;
        twice.observe(true, random_bytes(300, 7), 300);
        CHECK(twice.observe(true, random_bytes(300, 8), 300) == MseShape::State::ruled_out);
    }
    SECTION("a structured first payload (TLS ClientHello)") {
        auto hello = random_bytes(517, 9);
        hello[0] = 0x16, hello[1] = 0x03, hello[2] = 0x01;
        MseShape tls;
        CHECK(tls.observe(true, hello, 517) == MseShape::State::ruled_out);
    }
    SECTION("an initiator that stops after the exchange (too short to be the hashes)") {
        MseShape stops;
        stops.observe(true, random_bytes(300, 10), 300);
        stops.observe(false, random_bytes(300, 11), 300);
        CHECK(stops.observe(true, random_bytes(20, 12), 20) == MseShape::State::ruled_out);
    }
}
