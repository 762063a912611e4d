// Received:/Return-Path:/PRA extraction from committed message fixtures (tests/fixtures/spf/*.eml).
#include "nettool/spf/headers.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::spf;

namespace {

HeaderFindings fixture(const char* name) {
    std::string text = test::read_file(test::fixtures_dir() / "spf" / name);
    REQUIRE_FALSE(text.empty());
    return analyse_header(text);
}

const ReceivedHop& entry(const HeaderFindings& h) {
    REQUIRE(h.entry);
    return h.hops[*h.entry];
}

}  // namespace

TEST_CASE("Postfix: internal hops are skipped, the relay's hop is the entry") {
    auto h = fixture("postfix.eml");
    REQUIRE(h.hops.size() == 3);
    const auto& e = entry(h);
    CHECK(e.index == 1);
    CHECK(e.line == 7);
    CHECK(e.ip->to_string() == "202.224.39.46");
    CHECK(e.helo == "mxdigger3.asahi-net.or.jp");
    CHECK(e.reverse_name == "mxdigger3.asahi-net.or.jp");
    CHECK(e.by == "mx.example.jp");
    CHECK(h.return_path == std::optional<std::string>("xxx@nin29.com"));
    CHECK(h.return_path_line == 1);
    CHECK(h.pra == std::optional<std::string>("xxx@nin29.com"));
    CHECK(h.pra_field == "From");
    CHECK(h.hops[2].reverse_name.empty());  // "unknown"
}

TEST_CASE("Sendmail, Exim, Exchange, Gmail and qmail forms") {
    auto s = fixture("sendmail.eml");
    CHECK(entry(s).ip->to_string() == "198.51.100.25");
    CHECK(entry(s).helo == "relay.sendmail.example");
    CHECK(s.hops[1].ip->to_string() == "10.1.2.3");

    auto x = fixture("exim.eml");
    CHECK(entry(x).ip->to_string() == "203.0.113.9");
    CHECK(entry(x).helo == "smtp.exim.example");
    CHECK(entry(x).reverse_name == "mail.exim.example");
    CHECK(entry(x).form == "exim");

    auto ex = fixture("exchange.eml");
    CHECK(entry(ex).index == 1);
    CHECK(entry(ex).ip->to_string() == "192.0.2.77");
    CHECK(entry(ex).helo == "mail.partner.example");
    CHECK(entry(ex).form == "exchange");
    CHECK(ex.return_path == std::optional<std::string>("erin@partner.example"));

    auto g = fixture("gmail.eml");
    CHECK(g.hops[0].form == "local");
    CHECK_FALSE(g.hops[0].ip);
    CHECK(entry(g).ip->to_string() == "209.85.220.41");
    CHECK(entry(g).helo == "mail-sor-f41.google.com");
    CHECK(entry(g).reverse_name == "mail-sor-f41.google.com");

    auto q = fixture("qmail.eml");
    CHECK(entry(q).ip->to_string() == "198.51.100.88");
    CHECK(entry(q).helo == "smtp.qmail.example");
    CHECK(entry(q).form == "qmail");
    CHECK(entry(q).line == 3);
}

TEST_CASE("IPv6 literals and bracketed HELO literals; the null sender") {
    auto v6 = fixture("ipv6.eml");
    CHECK(entry(v6).ip->to_string() == "2001:db8:6::25");
    auto lit = fixture("literal-helo.eml");
    CHECK(entry(lit).ip->to_string() == "192.0.2.200");
    CHECK(entry(lit).helo == "[192.0.2.200]");
    CHECK(lit.return_path == std::optional<std::string>(""));
}

TEST_CASE("RFC 4407 PRA: Resent-Sender, the Resent-From rule, and ill-formed messages") {
    auto r = fixture("pra-resent.eml");
    CHECK(r.pra == std::optional<std::string>("owner-list@lists.example"));
    CHECK(r.pra_field == "Resent-Sender");
    auto skip = fixture("pra-resent-skip.eml");
    CHECK(skip.pra == std::optional<std::string>("list@lists.example"));
    CHECK(skip.pra_field == "Resent-From");
    auto two = fixture("pra-two-from.eml");
    CHECK_FALSE(two.pra);
    CHECK(two.pra_problem == "2 From: fields");
    auto multi = fixture("pra-multi-mailbox.eml");
    CHECK_FALSE(multi.pra);
    CHECK(multi.pra_problem.find("not exactly one mailbox") != std::string::npos);
}

TEST_CASE("mailboxes, and hostile or empty headers never crash") {
    CHECK(single_mailbox("Name <a@b.example>") == std::optional<std::string>("a@b.example"));
    CHECK(single_mailbox("a@b.example (comment, with comma)") == std::optional<std::string>("a@b.example"));
    CHECK(single_mailbox("\"Last, First\" <a@b.example>") == std::optional<std::string>("a@b.example"));
    CHECK_FALSE(single_mailbox("a@b.example, c@d.example"));
    CHECK_FALSE(single_mailbox("undisclosed-recipients:;"));
    CHECK_FALSE(single_mailbox("nodomain"));
    CHECK_FALSE(single_mailbox("<a@>"));
    auto hostile = fixture("hostile.eml");
    CHECK(hostile.hops.size() == 1);
    CHECK_FALSE(hostile.pra);
    CHECK_FALSE(hostile.return_path);
    auto empty = analyse_header("");
    CHECK(empty.hops.empty());
    CHECK_FALSE(empty.entry);
    std::string many;
    for (int i = 0; i < 5000; ++i) many += "Received: from h" + std::to_string(i) + " ([10.0.0.1]) by x; date\n";
    CHECK(analyse_header(many).hops.size() == 5000);
    CHECK(parse_header("junk line\n\tcontinuation\nX: y\n").skipped_lines == 2);
}
