// DNS wire format: hand-written messages, good and hostile. Parsing never crashes, hangs or answers wrongly.
#include "nettool/wire/dns_message.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

using namespace nettool;

namespace {

using Bytes = std::vector<std::uint8_t>;

// Builds messages byte by byte so tests can write exactly what a hostile server would send.
struct Wire {
    Bytes bytes;
    Wire& u8(std::uint8_t v) {
        bytes.push_back(v);
        return *this;
    }
    Wire& u16(std::uint16_t v) { return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v)); }
    Wire& u32(std::uint32_t v) { return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v)); }
    Wire& raw(std::initializer_list<std::uint8_t> list) {
        bytes.insert(bytes.end(), list);
        return *this;
    }
    Wire& text(const std::string& s) {
        bytes.insert(bytes.end(), s.begin(), s.end());
        return *this;
    }
    // "a.b" -> 1 a 1 b 0
    Wire& name(const std::string& dotted) {
        std::size_t start = 0;
        while (!dotted.empty() && start <= dotted.size()) {
            auto dot = dotted.find('.', start);
            if (dot == std::string::npos) dot = dotted.size();
            u8(static_cast<std::uint8_t>(dot - start)).text(dotted.substr(start, dot - start));
            start = dot + 1;
        }
        return u8(0);
    }
    Wire& pointer(std::uint16_t offset) { return u16(static_cast<std::uint16_t>(0xC000 | offset)); }
    Wire& header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns,
                 std::uint16_t ar) {
        return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
    }
    // Record header after the owner name: type, class IN, ttl, rdlength.
    Wire& rr(std::uint16_t type, std::uint32_t ttl, std::uint16_t rdlength) {
        return u16(type).u16(1).u32(ttl).u16(rdlength);
    }
    std::size_t size() const { return bytes.size(); }
};

// A typical answer: example.com A? -> CNAME www.example.com -> A 192.0.2.1, with compression pointers.
Bytes cname_answer() {
    Wire w;
    w.header(0x1234, 0x8180, 1, 2, 0, 0);
    w.name("example.com").u16(dns_type::a).u16(1);            // question at offset 12
    w.pointer(12).rr(dns_type::cname, 300, 6).u8(3).text("www").pointer(12);
    w.raw({3, 'w', 'w', 'w'}).pointer(12).rr(dns_type::a, 60, 4).raw({192, 0, 2, 1});
    return w.bytes;
}

Result<DnsMessage> parse(const Bytes& bytes) { return parse_dns_message(bytes); }

std::string error_of(const Bytes& bytes) {
    auto result = parse(bytes);
    if (result.ok()) return "<parsed>";
    CHECK(result.error().kind == ErrorKind::input);
    return result.error().message;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("dns type and rcode names") {
    CHECK(dns_type_name(dns_type::a) == "A");
    CHECK(dns_type_name(dns_type::aaaa) == "AAAA");
    CHECK(dns_type_name(dns_type::txt) == "TXT");
    CHECK(dns_type_name(dns_type::spf) == "SPF");
    CHECK(dns_type_name(dns_type::soa) == "SOA");
    CHECK(dns_type_name(dns_type::opt) == "OPT");
    CHECK(dns_type_name(65280) == "TYPE65280");
    CHECK(dns_type_name(0) == "TYPE0");

    CHECK(dns_type_from_name("a") == dns_type::a);
    CHECK(dns_type_from_name("Aaaa") == dns_type::aaaa);
    CHECK(dns_type_from_name("SPF") == dns_type::spf);
    CHECK(dns_type_from_name("mx") == dns_type::mx);
    CHECK(dns_type_from_name("TYPE99") == dns_type::spf);
    CHECK(dns_type_from_name("type65535") == 65535);
    CHECK(dns_type_from_name("TYPE0") == 0);
    for (const char* bad : {"", "TYPE", "TYPE65536", "TYPE-1", "TYPE1x", "TYPE000001", "AA", "A ", "TYPE+1"}) {
        INFO(bad);
        CHECK_FALSE(dns_type_from_name(bad).has_value());
    }
    // Every named type round-trips.
    for (std::uint32_t type = 0; type <= 65535; type += (type < 300 ? 1 : 257)) {
        auto name = dns_type_name(static_cast<std::uint16_t>(type));
        CHECK(dns_type_from_name(name) == static_cast<std::uint16_t>(type));
    }

    CHECK(dns_rcode_name(0) == "NOERROR");
    CHECK(dns_rcode_name(2) == "SERVFAIL");
    CHECK(dns_rcode_name(3) == "NXDOMAIN");
    CHECK(dns_rcode_name(5) == "REFUSED");
    CHECK(dns_rcode_name(16) == "BADVERS");
    CHECK(dns_rcode_name(23) == "RCODE23");
    CHECK(dns_rcode_name(4095) == "RCODE4095");
}

TEST_CASE("build_dns_query writes the exact wire bytes, with and without EDNS") {
    DnsQuerySpec spec;
    spec.id = 0xBEEF;
    spec.name = "Example.COM.";
    spec.type = dns_type::txt;
    auto plain = build_dns_query(spec);
    REQUIRE(plain.ok());
    Wire expected;
    expected.header(0xBEEF, 0x0100, 1, 0, 0, 0).name("Example.COM").u16(dns_type::txt).u16(1);
    CHECK(*plain == expected.bytes);

    spec.recursion_desired = false;
    spec.edns_udp_size = 1232;
    spec.dnssec_ok = true;
    auto edns = build_dns_query(spec);
    REQUIRE(edns.ok());
    Wire with_opt;
    with_opt.header(0xBEEF, 0x0000, 1, 0, 0, 1).name("Example.COM").u16(dns_type::txt).u16(1);
    with_opt.u8(0).u16(dns_type::opt).u16(1232).u32(0x00008000).u16(0);
    CHECK(*edns == with_opt.bytes);

    spec.dnssec_ok = false;
    auto no_do = build_dns_query(spec);
    REQUIRE(no_do.ok());
    CHECK((*no_do)[no_do->size() - 4] == 0);  // DO bit clear

    // It parses back into what was asked.
    auto parsed = parse(*edns);
    REQUIRE(parsed.ok());
    CHECK_FALSE(parsed->qr);
    CHECK_FALSE(parsed->rd);
    REQUIRE(parsed->questions.size() == 1);
    CHECK(parsed->questions[0].name == "Example.COM");
    CHECK(parsed->questions[0].type == dns_type::txt);
    CHECK(parsed->edns_udp_size == 1232);
    CHECK(parsed->edns_dnssec_ok);
    CHECK(parsed->additional.empty());  // the OPT record is not listed as a record
}

TEST_CASE("build_dns_query: root, escapes and the limits of names") {
    DnsQuerySpec spec;
    spec.name = ".";
    spec.type = dns_type::ns;
    auto root = build_dns_query(spec);
    REQUIRE(root.ok());
    CHECK(root->size() == 12 + 1 + 4);
    CHECK(parse(*root)->questions[0].name == ".");

    spec.name = "a\\.b\\092c\\255.example";  // an escaped dot, backslash and a raw byte stay inside the label
    auto escaped = build_dns_query(spec);
    REQUIRE(escaped.ok());
    CHECK((*escaped)[12] == 6);
    CHECK((*escaped)[13] == 'a');
    CHECK((*escaped)[14] == '.');
    CHECK((*escaped)[16] == '\\');
    CHECK((*escaped)[18] == 255);
    CHECK(parse(*escaped)->questions[0].name == "a\\.b\\\\c\\255.example");

    const std::string label63(63, 'x');
    spec.name = label63 + ".example";
    CHECK(build_dns_query(spec).ok());
    // 255 bytes on the wire exactly: 3 labels of 63 + one of 61 (4 + 189 + 61 + 1 = 255).
    spec.name = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'y');
    CHECK(build_dns_query(spec).ok());
    spec.name += "y";
    auto too_long = build_dns_query(spec);
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error().kind == ErrorKind::input);
    CHECK(contains(too_long.error().message, "255"));

    for (const std::string& bad : {std::string(64, 'x') + ".example", std::string(""), std::string("a..b"),
                                  std::string(".a"), std::string("a.."), std::string("bad\\"), std::string("x\\25"),
                                  std::string("x\\256"), std::string("x\\2a5")}) {
        INFO(bad);
        spec.name = bad;
        auto result = build_dns_query(spec);
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().kind == ErrorKind::input);
    }
}

TEST_CASE("parse_dns_message: header flags, question and a compressed CNAME chain") {
    auto bytes = cname_answer();
    auto message = parse(bytes);
    REQUIRE(message.ok());
    CHECK(message->id == 0x1234);
    CHECK(message->qr);
    CHECK(message->rd);
    CHECK(message->ra);
    CHECK_FALSE(message->aa);
    CHECK_FALSE(message->tc);
    CHECK_FALSE(message->ad);
    CHECK_FALSE(message->cd);
    CHECK(message->opcode == 0);
    CHECK(message->rcode == dns_rcode::noerror);
    REQUIRE(message->questions.size() == 1);
    CHECK(message->questions[0].name == "example.com");
    REQUIRE(message->answers.size() == 2);
    CHECK(message->answers[0].name == "example.com");
    CHECK(message->answers[0].type == dns_type::cname);
    CHECK(message->answers[0].ttl == 300);
    CHECK(message->answers[0].target == "www.example.com");
    CHECK(message->answers[0].rdata.size() == 6);  // raw, still compressed
    CHECK(message->answers[1].name == "www.example.com");
    REQUIRE(message->answers[1].address);
    CHECK(message->answers[1].address->to_string() == "192.0.2.1");
    CHECK(message->skipped_records == 0);
    CHECK_FALSE(message->edns_udp_size);

    auto found = answers_for(*message, "EXAMPLE.com.", dns_type::a);
    REQUIRE(found.size() == 1);
    CHECK(found[0] == &message->answers[1]);
    CHECK(answers_for(*message, "example.com", dns_type::cname).size() == 1);
    CHECK(answers_for(*message, "www.example.com", dns_type::a).size() == 1);
    CHECK(answers_for(*message, "other.example", dns_type::a).empty());
    CHECK(answers_for(*message, "example.com", dns_type::aaaa).empty());

    // All flag bits in both directions.
    Wire flags;
    flags.header(1, 0xFFBF, 0, 0, 0, 0);  // every bit except Z
    auto all = parse(flags.bytes);
    REQUIRE(all.ok());
    CHECK((all->qr && all->aa && all->tc && all->rd && all->ra && all->ad && all->cd));
    CHECK(all->opcode == 15);
    CHECK(all->rcode == 15);
}

TEST_CASE("parse_dns_message: typed rdata for every supported type") {
    Wire w;
    w.header(7, 0x8400, 1, 9, 1, 1);
    w.name("t.example").u16(dns_type::any).u16(1);  // offset 12, name is 11 bytes
    w.pointer(12).rr(dns_type::aaaa, 1, 16).raw({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    // TXT with three strings: empty, binary, 255 bytes.
    const std::string long_text(255, 'z');
    w.pointer(12).rr(dns_type::txt, 1, static_cast<std::uint16_t>(1 + 4 + 256)).u8(0).u8(3).raw({0xff, 0x00, 0x1b});
    w.u8(255).text(long_text);
    w.pointer(12).rr(dns_type::spf, 1, 12).u8(11).text("v=spf1 -all");
    w.pointer(12).rr(dns_type::mx, 1, 2 + 7).u16(10).u8(4).text("mail").pointer(12);
    w.pointer(12).rr(dns_type::ns, 1, 6).u8(3).text("ns1").pointer(12);
    w.pointer(12).rr(dns_type::ptr, 1, 2).pointer(12);
    w.pointer(12).rr(dns_type::soa, 1, 2 + 2 + 20).pointer(12).pointer(14).u32(2026).u32(7200).u32(900).u32(1209600)
        .u32(300);
    w.pointer(12).rr(dns_type::ds, 1, 4).raw({1, 2, 3, 4});       // no typed view, not skipped
    w.pointer(12).rr(dns_type::a, 1, 0);                          // empty A: skipped, kept raw
    w.pointer(12).rr(dns_type::soa, 1, 2 + 2 + 20).pointer(12).pointer(12).u32(1).u32(2).u32(3).u32(4).u32(5);
    w.u8(0).u16(dns_type::opt).u16(4096).u32(0x01008000).u16(0);  // extended rcode 1, DO
    auto message = parse(w.bytes);
    REQUIRE(message.ok());
    REQUIRE(message->answers.size() == 9);
    const auto& a = message->answers;
    CHECK(a[0].address->to_string() == "2001:db8::1");
    CHECK(a[1].texts == std::vector<std::string>{"", std::string("\xff\0\x1b", 3), long_text});
    CHECK(a[2].texts == std::vector<std::string>{"v=spf1 -all"});
    CHECK(a[3].preference == 10);
    CHECK(a[3].target == "mail.t.example");
    CHECK(a[4].target == "ns1.t.example");
    CHECK(a[5].target == "t.example");
    REQUIRE(a[6].soa);
    CHECK(a[6].soa->mname == "t.example");
    CHECK(a[6].soa->rname == "example");  // pointer to offset 14: the second label
    CHECK(a[6].soa->serial == 2026);
    CHECK(a[6].soa->refresh == 7200);
    CHECK(a[6].soa->retry == 900);
    CHECK(a[6].soa->expire == 1209600);
    CHECK(a[6].soa->minimum == 300);
    CHECK(a[7].rdata == Bytes{1, 2, 3, 4});
    CHECK_FALSE(a[8].address);
    CHECK(message->skipped_records == 1);
    REQUIRE(message->authority.size() == 1);
    CHECK(message->authority[0].soa->serial == 1);
    CHECK(message->additional.empty());
    CHECK(message->edns_udp_size == 4096);
    CHECK(message->edns_dnssec_ok);
    CHECK(message->rcode == 16);  // extended rcode 1 << 4 | 0: BADVERS
    CHECK(dns_rcode_name(message->rcode) == "BADVERS");
}

TEST_CASE("parse_dns_message: rdata that does not fit its type is counted and kept raw") {
    struct Case {
        std::uint16_t type;
        Bytes rdata;
    };
    const std::vector<Case> cases{
        {dns_type::a, {1, 2, 3}},
        {dns_type::a, {1, 2, 3, 4, 5}},
        {dns_type::aaaa, Bytes(15, 0)},
        {dns_type::txt, {}},              // no character-string at all
        {dns_type::txt, {5, 'a', 'b'}},   // string longer than the rdata
        {dns_type::spf, {1, 'a', 3}},     // second string cut off
        {dns_type::cname, {3, 'w', 'w'}},  // name cut by the end of the rdata
        {dns_type::cname, {1, 'a', 0, 0}},  // a byte left over after the name
        {dns_type::ns, {0xC0, 0x30}},     // pointer past the end
        {dns_type::ptr, {0xC0}},          // half a pointer
        {dns_type::mx, {0, 10}},          // no exchange
        {dns_type::mx, {0}},              // not even a preference
        {dns_type::soa, {0, 0, 1, 2, 3}},  // numbers missing
    };
    for (const auto& c : cases) {
        INFO(dns_type_name(c.type) << " rdata of " << c.rdata.size() << " bytes");
        Wire w;
        w.header(1, 0x8180, 0, 1, 0, 0).u8(0).rr(c.type, 5, static_cast<std::uint16_t>(c.rdata.size()));
        w.bytes.insert(w.bytes.end(), c.rdata.begin(), c.rdata.end());
        auto message = parse(w.bytes);
        REQUIRE(message.ok());
        CHECK(message->skipped_records == 1);
        REQUIRE(message->answers.size() == 1);
        CHECK(message->answers[0].rdata == c.rdata);
        CHECK_FALSE(message->answers[0].address);
        CHECK(message->answers[0].texts.empty());
        CHECK(message->answers[0].target.empty());
        CHECK_FALSE(message->answers[0].soa);
    }
}

TEST_CASE("parse_dns_message: hostile names give a one-line error naming the offset") {
    SECTION("a pointer to itself") {
        Wire w;
        w.header(1, 0x8180, 1, 0, 0, 0).pointer(12).u16(1).u16(1);
        CHECK(contains(error_of(w.bytes), "forward compression pointer at offset 12"));
    }
    SECTION("a two-pointer loop going backwards") {
        Wire w;
        w.header(1, 0x8180, 1, 1, 0, 0);
        w.u8(1).text("a").pointer(17).u16(1).u16(1);  // offset 12: "a" then pointer to 17 (forward)
        w.pointer(12).rr(1, 1, 4).raw({1, 1, 1, 1});
        CHECK(contains(error_of(w.bytes), "forward compression pointer at offset 14"));
    }
    SECTION("a backward pointer that loops: the classic compression loop") {
        Wire w;
        w.header(1, 0x8180, 1, 0, 0, 0).u8(1).text("a").pointer(12).u16(1).u16(1);  // 12: "a" -> 12
        CHECK(contains(error_of(w.bytes), "question 1: compression loop at offset 14"));
    }
    SECTION("a pointer back into the middle of the same name") {
        Wire w;
        w.header(1, 0x8180, 0, 1, 0, 0);
        w.u8(1).text("a").u8(1).text("b").pointer(14);  // answer owner at 12: "a" "b" -> 14 ("b" again)
        w.rr(1, 1, 4).raw({1, 1, 1, 1});
        CHECK(contains(error_of(w.bytes), "answer record 1 at offset 12: compression loop at offset 16"));
    }
    SECTION("a long chain of backward pointers is fine") {
        // Each name is one label plus a pointer to the previous name: 20 jumps, all strictly backwards.
        Wire w;
        w.header(1, 0x8180, 20, 0, 0, 0);
        std::size_t previous = 0;
        for (int i = 0; i < 20; ++i) {
            const std::size_t here = w.size();
            w.u8(1).text("x");
            if (i == 0) {
                w.u8(0);
            } else {
                w.pointer(static_cast<std::uint16_t>(previous));
            }
            w.u16(1).u16(1);
            previous = here;
        }
        auto message = parse(w.bytes);
        REQUIRE(message.ok());
        CHECK(message->questions.back().name.size() == 20 * 2 - 1);
    }
    SECTION("a pointer forward into the message") {
        Wire w;
        w.header(1, 0x8180, 1, 0, 0, 0).pointer(20).u16(1).u16(1).u8(1).text("x").u8(0);
        CHECK(contains(error_of(w.bytes), "forward compression pointer"));
    }
    SECTION("a label length of 64..191 (reserved label types)") {
        for (std::uint8_t length : {std::uint8_t{64}, std::uint8_t{0x7F}, std::uint8_t{0x80}, std::uint8_t{0xBF}}) {
            Wire w;
            w.header(1, 0x8180, 1, 0, 0, 0).u8(length).text(std::string(length & 0x3F, 'x')).u8(0).u16(1).u16(1);
            CHECK(contains(error_of(w.bytes), "unsupported label type"));
        }
    }
    SECTION("a name longer than 255 bytes, directly and through pointers") {
        Wire direct;
        direct.header(1, 0x8180, 1, 0, 0, 0);
        for (int i = 0; i < 5; ++i) direct.u8(63).text(std::string(63, 'a'));
        direct.u8(0).u16(1).u16(1);
        CHECK(contains(error_of(direct.bytes), "longer than 255 bytes"));

        // Each name adds 63 bytes and points to the previous one: the fifth is too long.
        Wire chained;
        chained.header(1, 0x8180, 5, 0, 0, 0);
        std::size_t previous = 0;
        for (int i = 0; i < 5; ++i) {
            const std::size_t here = chained.size();
            chained.u8(63).text(std::string(63, static_cast<char>('a' + i)));
            if (i == 0) {
                chained.u8(0);
            } else {
                chained.pointer(static_cast<std::uint16_t>(previous));
            }
            chained.u16(1).u16(1);
            previous = here;
        }
        CHECK(contains(error_of(chained.bytes), "question 4: name longer than 255 bytes"));
    }
    SECTION("exactly 255 bytes is fine") {
        Wire w;
        w.header(1, 0x8180, 1, 0, 0, 0);
        for (int i = 0; i < 3; ++i) w.u8(63).text(std::string(63, 'a'));
        w.u8(61).text(std::string(61, 'b')).u8(0).u16(1).u16(1);
        auto message = parse(w.bytes);
        REQUIRE(message.ok());
        CHECK(message->questions[0].name.size() == 3 * 64 + 61);
    }
    SECTION("labels with dots, spaces and control bytes are escaped, never passed through") {
        Wire w;
        w.header(1, 0x8180, 1, 0, 0, 0).u8(5).raw({'a', '.', ' ', 0x1b, '\\'}).u8(0).u16(1).u16(1);
        auto message = parse(w.bytes);
        REQUIRE(message.ok());
        CHECK(message->questions[0].name == "a\\.\\032\\027\\\\");
    }
}

TEST_CASE("parse_dns_message: counts larger than the message, and messages out of bounds") {
    Wire huge;
    huge.header(1, 0x8180, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF).name("a").u16(1).u16(1);
    CHECK(contains(error_of(huge.bytes), "header counts 65535 questions"));

    Wire answers;
    answers.header(1, 0x8180, 0, 3, 0, 0).u8(0).rr(1, 1, 4).raw({1, 2, 3, 4});
    CHECK(contains(error_of(answers.bytes), "records but only 15 bytes follow"));

    CHECK(contains(error_of({}), "too short: 0 bytes"));
    CHECK(contains(error_of(Bytes(11, 0)), "too short: 11 bytes"));
    auto empty = parse(Bytes(12, 0));
    REQUIRE(empty.ok());
    CHECK(empty->questions.empty());

    CHECK(contains(error_of(Bytes(65536, 0)), "longer than 65535"));

    Wire rdata_past_end;
    rdata_past_end.header(1, 0x8180, 0, 1, 0, 0).u8(0).rr(1, 1, 200).raw({1, 2, 3, 4});
    CHECK(contains(error_of(rdata_past_end.bytes), "answer record 1 at offset 12: rdata of 200 bytes runs past"));

    Wire two_opts;
    two_opts.header(1, 0x8180, 0, 0, 0, 2);
    two_opts.u8(0).u16(dns_type::opt).u16(512).u32(0).u16(0);
    two_opts.u8(0).u16(dns_type::opt).u16(512).u32(0).u16(0);
    CHECK(contains(error_of(two_opts.bytes), "more than one OPT record"));

    Wire opt_not_root;
    opt_not_root.header(1, 0x8180, 0, 0, 0, 1).name("x").u16(dns_type::opt).u16(512).u32(0).u16(0);
    CHECK(contains(error_of(opt_not_root.bytes), "OPT record not owned by the root"));
}

TEST_CASE("parse_dns_message: every prefix of a valid answer fails cleanly, never crashes") {
    // A rich message: question, CNAME, A, TXT, MX, SOA in authority, OPT.
    Wire w;
    w.header(9, 0x8180, 1, 4, 1, 1);
    w.name("mail.example.org").u16(dns_type::mx).u16(1);
    w.pointer(12).rr(dns_type::cname, 60, 2).pointer(17);
    w.pointer(17).rr(dns_type::txt, 60, 12).u8(5).text("hello").u8(5).text("world");
    w.pointer(17).rr(dns_type::mx, 60, 4).u16(5).pointer(12);
    w.pointer(12).rr(dns_type::a, 60, 4).raw({198, 51, 100, 7});
    w.pointer(25).rr(dns_type::soa, 60, 4 + 20).pointer(17).pointer(12).u32(1).u32(2).u32(3).u32(4).u32(5);
    w.u8(0).u16(dns_type::opt).u16(1232).u32(0).u16(0);
    const Bytes full = w.bytes;
    auto complete = parse(full);
    REQUIRE(complete.ok());
    CHECK(complete->answers.size() == 4);
    CHECK(complete->authority.size() == 1);
    CHECK(complete->skipped_records == 0);
    CHECK(complete->edns_udp_size == 1232);

    for (std::size_t length = 0; length < full.size(); ++length) {
        INFO("prefix of " << length << " bytes");
        Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
        auto result = parse(prefix);
        CHECK_FALSE(result.ok());
        if (!result.ok()) {
            CHECK(result.error().kind == ErrorKind::input);
            CHECK_FALSE(result.error().message.empty());
            CHECK(result.error().message.find('\n') == std::string::npos);
        }
    }

    // With TC set a cut-off message keeps the records that came and counts the missing ones.
    Bytes truncated = full;
    truncated[2] |= 0x02;
    std::size_t accepted = 0;
    for (std::size_t length = 12; length < full.size(); ++length) {
        Bytes prefix(truncated.begin(), truncated.begin() + static_cast<std::ptrdiff_t>(length));
        auto result = parse(prefix);
        if (!result.ok()) continue;
        ++accepted;
        CHECK(result->tc);
        CHECK(result->answers.size() + result->authority.size() + result->missing_records == 6);
    }
    CHECK(accepted > 0);
}

TEST_CASE("parse_dns_message: single-byte mutations of a valid answer never crash") {
    const Bytes base = cname_answer();
    std::size_t parsed = 0;
    for (std::size_t i = 0; i < base.size(); ++i) {
        for (int value : {0x00, 0x01, 0x3F, 0x40, 0x7F, 0xC0, 0xC1, 0xFF}) {
            Bytes mutated = base;
            mutated[i] = static_cast<std::uint8_t>(value);
            auto result = parse(mutated);
            if (result.ok()) {
                ++parsed;
                (void)answers_for(*result, "example.com", dns_type::a);
            } else {
                CHECK_FALSE(result.error().message.empty());
            }
        }
    }
    CHECK(parsed > 0);
}

TEST_CASE("answers_for follows CNAME chains, bounded, and ignores unrelated records") {
    auto record = [](std::string owner, std::uint16_t type, std::string target = {}) {
        DnsRecord r;
        r.name = std::move(owner);
        r.type = type;
        r.target = std::move(target);
        if (type == dns_type::a) r.address = IpAddress::v4(0xC0000201);
        return r;
    };
    DnsMessage message;
    message.answers = {record("a.example", dns_type::cname, "B.example."), record("b.example", dns_type::cname, "c.example"),
                       record("unrelated.example", dns_type::a), record("C.EXAMPLE", dns_type::a),
                       record("c.example", dns_type::a), record("c.example", dns_type::aaaa)};
    auto found = answers_for(message, "A.example", dns_type::a);
    REQUIRE(found.size() == 2);
    CHECK(found[0] == &message.answers[3]);
    CHECK(found[1] == &message.answers[4]);
    CHECK(answers_for(message, "b.example.", dns_type::a).size() == 2);
    CHECK(answers_for(message, "a.example", dns_type::cname).size() == 1);

    DnsMessage loop;
    loop.answers = {record("x", dns_type::cname, "y"), record("y", dns_type::cname, "x")};
    CHECK(answers_for(loop, "x", dns_type::a).empty());

    // A chain longer than the bound stops instead of walking forever.
    DnsMessage chain;
    for (int i = 0; i < 40; ++i) {
        std::string owner = std::to_string(i);
        std::string target = std::to_string(i + 1);
        owner.insert(owner.begin(), 'n');  // (not "n" + ...: GCC 12 -O3 reports a false -Wrestrict on that)
        target.insert(target.begin(), 'n');
        chain.answers.push_back(record(owner, dns_type::cname, target));
    }
    chain.answers.push_back(record("n40", dns_type::a));
    CHECK(answers_for(chain, "n0", dns_type::a).empty());
    CHECK(answers_for(chain, "n30", dns_type::a).size() == 1);
    CHECK(answers_for(DnsMessage{}, "x", dns_type::a).empty());
}

TEST_CASE("answers_for compares names as DNS does: escapes undone, case folded, the root kept") {
    auto a_record = [](std::string owner) {
        DnsRecord r;
        r.name = std::move(owner);
        r.type = dns_type::a;
        r.address = IpAddress::v4(0xC0000201);
        return r;
    };
    // Owners as the parser prints them: a space as \032, a dot inside a label as "\.".
    DnsMessage message;
    message.answers = {a_record("a\\032b.test"), a_record("x\\.y.test"), a_record("."), a_record("Q\\255.test")};
    CHECK(answers_for(message, "a b.test", dns_type::a).size() == 1);     // raw space, as SPF macros produce
    CHECK(answers_for(message, "A\\ B.TEST.", dns_type::a).size() == 1);  // "\ " escape, other case, trailing dot
    CHECK(answers_for(message, "x\\.y.test", dns_type::a).size() == 1);
    CHECK(answers_for(message, "x.y.test", dns_type::a).empty());  // three labels, not "x.y" and "test"
    CHECK(answers_for(message, ".", dns_type::a).size() == 1);
    CHECK(answers_for(message, "q\\255.test", dns_type::a).size() == 1);
    // Names that cannot be encoded match nothing and never throw.
    CHECK(answers_for(message, "bad\\9", dns_type::a).empty());
    CHECK(answers_for(message, "a..b", dns_type::a).empty());
    CHECK(answers_for(message, "", dns_type::a).empty());
}
