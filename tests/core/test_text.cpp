#include "nettool/core/style.hpp"
#include "nettool/core/text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>

using namespace nettool;

TEST_CASE("terminal sanitising escapes control bytes and invalid UTF-8 but keeps valid text") {
    CHECK(sanitize_for_terminal("plain text") == "plain text");
    CHECK(sanitize_for_terminal("a\x1b[31mred") == "a\\x1b[31mred");
    CHECK(sanitize_for_terminal("line\nbreak\t") == "line\\nbreak\\t");
    CHECK(sanitize_for_terminal("\xe6\x97\xa5\xe6\x9c\xac") == "\xe6\x97\xa5\xe6\x9c\xac");  // 日本
    CHECK(sanitize_for_terminal("bad\xff\xfe") == "bad\\xff\\xfe");
    CHECK(sanitize_for_terminal("\xc2\x9b") == "\\xc2\\x9b");           // C1 CSI
    CHECK(sanitize_for_terminal("\xe6\x97") == "\\xe6\\x97");           // cut sequence
    CHECK(sanitize_for_terminal("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // surrogate
    CHECK(sanitize_for_terminal(std::string("nul\0x", 5)) == "nul\\x00x");
}

TEST_CASE("json_dump never throws on invalid UTF-8") {
    nlohmann::json doc = {{"txt", std::string("v=spf1 \xff\xfe -all")}};
    std::string out;
    REQUIRE_NOTHROW(out = json_dump(doc, -1));
    CHECK(out.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
    CHECK_NOTHROW(nlohmann::json::parse(out));
}

TEST_CASE("number formatting") {
    CHECK(format_bytes(0) == "0 B");
    CHECK(format_bytes(999) == "999 B");
    CHECK(format_bytes(1500) == "1.5 KB");
    CHECK(format_bytes(758'000'000) == "758.0 MB");
    CHECK(format_ms(1.23456) == "1.235 ms");
    CHECK(format_percent(0.25) == "25.0%");
    CHECK(format_percent(1.0 / 3.0, 0) == "33%");
}

TEST_CASE("colour is off without a terminal, with --no-color and with NO_COLOR") {
    CHECK_FALSE(Style::for_stream(-1, false).colour());
    CHECK_FALSE(Style::for_stream(1, true).colour());
    ::setenv("NO_COLOR", "1", 1);
    CHECK_FALSE(Style::for_stream(1, false).colour());
    ::unsetenv("NO_COLOR");
    Style on(true);
    CHECK(on.paint("x", Colour::red) == "\x1b[31mx\x1b[0m");
    CHECK(Style(false).paint("x", Colour::red) == "x");
}
