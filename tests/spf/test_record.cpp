// The SPF record parser: terms, positions, and the syntax errors that make check_host() return permerror.
#include "nettool/spf/record.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::spf;

TEST_CASE("the seed's records parse into terms with columns") {
    auto r = parse_record("v=spf1 +ip4:202.224.39.0/24 ~all");
    REQUIRE(r.ok());
    REQUIRE(r.terms.size() == 2);
    CHECK(r.terms[0].mechanism == MechanismKind::ip4);
    CHECK(r.terms[0].explicit_qualifier);
    CHECK(r.terms[0].position == 8);
    CHECK(r.terms[0].network->to_string() == "202.224.39.0/24");
    CHECK(r.terms[1].qualifier == Qualifier::softfail);
    CHECK(r.terms[1].position == 29);

    auto inc = parse_record("v=spf1 include:spf-01.asahi-net.or.jp ?all");
    REQUIRE(inc.ok());
    CHECK(inc.terms[0].mechanism == MechanismKind::include);
    CHECK(inc.terms[0].domain_spec == "spf-01.asahi-net.or.jp");
    CHECK(inc.terms[0].counts_as_lookup());
    CHECK(inc.terms[1].qualifier == Qualifier::neutral);
}

TEST_CASE("a and mx take an optional domain and dual CIDR lengths") {
    auto r = parse_record("v=spf1 a mx/24 a:mail.example.com/28//64 mx//48 A:X.example.COM");
    REQUIRE(r.ok());
    CHECK(r.terms[0].domain_spec.empty());
    CHECK(r.terms[1].cidr4 == 24);
    CHECK(r.terms[2].domain_spec == "mail.example.com");
    CHECK(r.terms[2].cidr4 == 28);
    CHECK(r.terms[2].cidr6 == 64);
    CHECK(r.terms[3].cidr4 == 32);
    CHECK(r.terms[3].cidr6 == 48);
    CHECK(r.terms[4].mechanism == MechanismKind::a);
}

TEST_CASE("modifiers: redirect, exp, unknown; duplicates are errors") {
    auto r = parse_record("v=spf1 moo.cow-far_out=man:dog/cat redirect=_spf.example.com exp=why.%{d}");
    REQUIRE(r.ok());
    CHECK(r.terms[0].is_modifier);
    CHECK(r.terms[0].modifier == ModifierKind::unknown);
    REQUIRE(r.redirect);
    CHECK(r.terms[*r.redirect].domain_spec == "_spf.example.com");
    REQUIRE(r.exp);
    CHECK_FALSE(parse_record("v=spf1 exp=a.example.com exp=b.example.com").ok());
    CHECK_FALSE(parse_record("v=spf1 redirect=a.example.com redirect=a.example.com").ok());
}

TEST_CASE("syntax errors are found anywhere, with their column") {
    struct Case {
        const char* record;
        std::size_t column;
    };
    for (auto c : {Case{"v=spf1 ip4:1.2.3.4 -all moo", 25}, Case{"v=spf1 -all.", 8}, Case{"v=spf1 -all:foobar", 8},
                   Case{"v=spf1 -all/8", 8}, Case{"v=spf1 ptr/0 -all", 8}, Case{"v=spf1 ptr: -all", 8},
                   Case{"v=spf1 a:foo-bar -all", 8}, Case{"v=spf1 redirect:t2.example.com", 8},
                   Case{"v=spf1 moo.cow/far_out=man:dog/cat", 8}, Case{"v=spf1 1up=foo", 8},
                   Case{"v=spf1 =all", 8}, Case{"v=spf1 exp= -all", 8}, Case{"v=spf1 ?all redirect=", 13},
                   Case{"v=spf1 -all foo=%abc", 13}, Case{"v=spf1 ip4:192.0.2.5\n ~all", 8},
                   Case{"v=spf1 a:ctrl.example.com\rptr -all", 8}, Case{"v=spf1 \x80" "a:example.net -all", 8},
                   Case{"v=spf1 ip4:1.2.3.4/33", 8}, Case{"v=spf1 ip4:1.2.3.4/032", 8},
                   Case{"v=spf1 ip6:::1/129", 8}, Case{"v=spf1 ip6:1.2.3.4", 8}, Case{"v=spf1 ip4:::1", 8},
                   Case{"v=spf1 exists:%(ir).sbl.example.com", 8}, Case{"v=spf1 exists:foo%.sbl.example.com", 8},
                   Case{"v=spf1 a:%{x}.example.com", 8}, Case{"v=spf1 a:%{d0}.example.com", 8},
                   Case{"v=spf1 exp=%{r}.example.com", 8}, Case{"v=spf1 include:example.com.1", 8},
                   Case{"v=spf1 include", 8}, Case{"v=spf1 a:", 8}}) {
        INFO(c.record);
        auto r = parse_record(c.record);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error->position == c.column);
        CHECK_FALSE(r.error->message.empty());
    }
}

TEST_CASE("record versions and Sender ID scopes") {
    CHECK(record_version("v=spf1") == RecordVersion::spf1);
    CHECK(record_version("V=SpF1 -all") == RecordVersion::spf1);
    CHECK(record_version("v=spf10") == RecordVersion::not_spf);
    CHECK(record_version("v=spf1mx") == RecordVersion::not_spf);
    CHECK(record_version("spf2.0/pra ip4:1.2.3.4") == RecordVersion::spf2);
    CHECK(spf2_has_scope("spf2.0/mfrom,pra -all", "pra"));
    CHECK_FALSE(spf2_has_scope("spf2.0/mfrom -all", "pra"));
    CHECK_FALSE(spf2_has_scope("v=spf1 -all", "pra"));
    auto r = parse_record("spf2.0/pra ip4:192.0.2.0/24 -all");
    REQUIRE(r.ok());
    CHECK(r.version == "spf2.0/pra");
    CHECK(r.terms.size() == 2);
}

TEST_CASE("domain-spec endings and macro-string syntax") {
    CHECK_FALSE(check_domain_spec("example.com"));
    CHECK_FALSE(check_domain_spec("example.com."));
    CHECK_FALSE(check_domain_spec("%{d}"));
    CHECK_FALSE(check_domain_spec("mail.example...com"));
    CHECK_FALSE(check_domain_spec("_spf.%{d2}"));
    CHECK_FALSE(check_domain_spec("foo.1-2"));
    CHECK(check_domain_spec("foo-bar"));
    CHECK(check_domain_spec("example.123"));
    CHECK(check_domain_spec("example.-com"));
    CHECK(check_domain_spec(""));
    CHECK(check_macro_string("The %{x}-files.", true).has_value());
    CHECK_FALSE(check_macro_string("%{c} is %{ir}.%{v}.arpa at %{t} by %{r}", true));
    CHECK(check_macro_string("%{c}", false));
    CHECK(has_macros("%{d}.example.com"));
    CHECK_FALSE(has_macros("a%%b%_c%-d.example.com"));
}

TEST_CASE("hostile records: huge and many terms parse in linear time without crashing") {
    std::string huge = "v=spf1";
    for (int i = 0; i < 20000; ++i) huge += " ip4:10." + std::to_string(i % 250) + ".0.0/16";
    huge += " -all";
    auto r = parse_record(huge);
    REQUIRE(r.ok());
    CHECK(r.terms.size() == 20001);
    std::string junk(99999, '%');  // odd: the last % is unpaired
    auto j = parse_record("v=spf1 a:" + junk);
    CHECK_FALSE(j.ok());
    auto braces = parse_record("v=spf1 a:%{" + std::string(50000, 'd'));
    CHECK_FALSE(braces.ok());
    CHECK_FALSE(parse_record("").ok());
    CHECK_FALSE(parse_record(std::string(1, '\0')).ok());
}
