// Macro expansion (RFC 7208 section 7), including the RFC's own examples.
#include "nettool/spf/macro.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::spf;

namespace {

MacroContext rfc_context(const char* ip) {
    MacroContext ctx;
    ctx.sender = "strong-bad@email.example.com";
    ctx.local_part = "strong-bad";
    ctx.sender_domain = "email.example.com";
    ctx.domain = "email.example.com";
    ctx.ip = *IpAddress::parse(ip);
    ctx.helo = "mx.example.org";
    ctx.receiver = "mybox.example.org";
    ctx.timestamp = 1190000000;
    ctx.validated_name = [] { return std::string("mx.example.org"); };
    return ctx;
}

std::string expand(const char* text, const MacroContext& ctx, bool exp = false) {
    auto r = expand_macros(text, ctx, exp);
    REQUIRE(r.ok());
    return *r;
}

}  // namespace

TEST_CASE("RFC 7208 section 7.4 examples expand exactly") {
    auto ctx = rfc_context("192.0.2.3");
    CHECK(expand("%{s}", ctx) == "strong-bad@email.example.com");
    CHECK(expand("%{o}", ctx) == "email.example.com");
    CHECK(expand("%{d}", ctx) == "email.example.com");
    CHECK(expand("%{d4}", ctx) == "email.example.com");
    CHECK(expand("%{d3}", ctx) == "email.example.com");
    CHECK(expand("%{d2}", ctx) == "example.com");
    CHECK(expand("%{d1}", ctx) == "com");
    CHECK(expand("%{dr}", ctx) == "com.example.email");
    CHECK(expand("%{d2r}", ctx) == "example.email");
    CHECK(expand("%{l}", ctx) == "strong-bad");
    CHECK(expand("%{l-}", ctx) == "strong.bad");
    CHECK(expand("%{lr}", ctx) == "strong-bad");
    CHECK(expand("%{lr-}", ctx) == "bad.strong");
    CHECK(expand("%{l1r-}", ctx) == "strong");
    CHECK(expand("%{ir}.%{v}._spf.%{d2}", ctx) == "3.2.0.192.in-addr._spf.example.com");
    CHECK(expand("%{lr-}.lp._spf.%{d2}", ctx) == "bad.strong.lp._spf.example.com");
    CHECK(expand("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", ctx) == "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
    CHECK(expand("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", ctx) == "3.2.0.192.in-addr.strong.lp._spf.example.com");
    CHECK(expand("%{d2}.trusted-domains.example.net", ctx) == "example.com.trusted-domains.example.net");
    CHECK(expand("%{p}", ctx) == "mx.example.org");
    CHECK(expand("%{h}", ctx) == "mx.example.org");
}

TEST_CASE("IPv6: %{i} is dot-separated nibbles, %{c} the RFC 5952 text, %{v} ip6") {
    auto ctx = rfc_context("2001:db8::cb01");
    CHECK(expand("%{ir}.%{v}._spf.%{d2}", ctx) ==
          "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
    CHECK(expand("%{c}", ctx, true) == "2001:db8::cb01");
    CHECK(reverse_name(*IpAddress::parse("2001:db8::1")) ==
          "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    CHECK(reverse_name(*IpAddress::parse("192.0.2.3")) == "3.2.0.192.in-addr.arpa");
}

TEST_CASE("escapes, upper-case URL encoding, delimiters and exp-only letters") {
    auto ctx = rfc_context("192.0.2.3");
    CHECK(expand("macro%%percent%_%_space%-url-space.example.com", ctx) ==
          "macro%percent  space%20url-space.example.com");
    ctx.local_part = "~jack&jill=up-a_b3.c";
    CHECK(expand("http://example.com/why.html?l=%{L}", ctx, true) ==
          "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c");
    ctx.local_part = "foo-bar+zip+quux";
    CHECK(expand("%{l2r+-}", ctx) == "bar.foo");
    CHECK(expand("%{c} at %{t} by %{r}", ctx, true) == "192.0.2.3 at 1190000000 by mybox.example.org");
    CHECK_FALSE(expand_macros("%{c}", ctx, false).ok());
    CHECK_FALSE(expand_macros("%{d0}", ctx, false).ok());
    CHECK_FALSE(expand_macros("50%", ctx, true).ok());
    CHECK(expand("%{d99999999999999999999}", ctx) == "email.example.com");
}

TEST_CASE("expanded domains are cut from the left to 253 characters and lose one trailing dot") {
    MacroContext ctx = rfc_context("192.0.2.3");
    ctx.sender_domain = "somewhat.long.exp.example.com";
    auto name = expand_domain("foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com", ctx);
    REQUIRE(name.ok());
    CHECK(name->size() <= 253);
    CHECK(name->starts_with("somewhat.long.exp.example.com.somewhat"));
    CHECK(*expand_domain("%{d}.", ctx) == "email.example.com");
}

TEST_CASE("domain validity for check_host and for queries") {
    CHECK(valid_check_domain("example.com"));
    CHECK(valid_check_domain("example.com."));
    CHECK_FALSE(valid_check_domain("A2345678"));
    CHECK_FALSE(valid_check_domain("[1.2.3.5]"));
    CHECK_FALSE(valid_check_domain("A...example.com"));
    CHECK_FALSE(valid_check_domain(std::string(64, 'a') + ".example.com"));
    CHECK(valid_check_domain(std::string(63, 'a') + ".example.com"));
    CHECK_FALSE(valid_query_name(""));
    CHECK_FALSE(valid_query_name(std::string(254, 'a')));
}
