// The entry hop of a Received: chain: real published chains (tests/fixtures/spf/received, labelled by hand) and
// hand-made chains for each rule of analyse_header().
#include "nettool/spf/headers.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace nettool;
using namespace nettool::spf;

namespace {

const ReceivedHop& entry_of(const HeaderFindings& h) {
    REQUIRE(h.entry);
    return h.hops[*h.entry];
}

std::vector<std::vector<std::string>> labels() {
    std::ifstream in(test::fixtures_dir() / "spf" / "received" / "labels.tsv");
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#') continue;
        std::vector<std::string> fields;
        std::stringstream split(line);
        std::string field;
        while (std::getline(split, field, '\t')) fields.push_back(field);
        rows.push_back(fields);
    }
    return rows;
}

}  // namespace

TEST_CASE("real published chains: the entry hop is the labelled one") {
    auto rows = labels();
    REQUIRE(rows.size() >= 20);
    for (const auto& row : rows) {
        REQUIRE(row.size() == 4);
        INFO(row[0] << ": " << row[3]);
        std::string text = test::read_file(test::fixtures_dir() / "spf" / "received" / row[0]);
        REQUIRE_FALSE(text.empty());
        HeaderFindings h = analyse_header(text);
        const ReceivedHop& e = entry_of(h);
        CHECK(std::to_string(e.line) == row[1]);
        REQUIRE(e.ip);
        CHECK(e.ip->to_string() == row[2]);
        CHECK(e.role == HopRole::entry);
        for (const auto& hop : h.hops) {
            if (hop.index > e.index) CHECK((hop.role == HopRole::external || hop.role == HopRole::retrieval));
            if (hop.index < e.index) CHECK(hop.role != HopRole::external);
        }
    }
}

TEST_CASE("hand-made: the receiver's Received-SPF picks the hop it checked, not the gateway above it") {
    const char* text =
        "Received: from gw.filter-service.example (gw.filter-service.example [203.0.113.10])\r\n"
        "\tby exch.corp.example (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:02 +0000\r\n"
        "Received-SPF: Pass (gw.filter-service.example: domain of a@sender.example designates 198.51.100.7 as\r\n"
        " permitted sender) receiver=gw.filter-service.example; client-ip=198.51.100.7; helo=out.sender.example;\r\n"
        "Received: from out.sender.example (out.sender.example [198.51.100.7])\r\n"
        "\tby gw.filter-service.example (Postfix) with ESMTPS id 2; Mon, 1 Jan 2024 10:00:01 +0000\r\n"
        "\r\n";
    HeaderFindings h = analyse_header(text);
    CHECK(entry_of(h).ip->to_string() == "198.51.100.7");
    REQUIRE(h.receiver_verdict);
    CHECK(h.receiver_verdict->field == "Received-SPF");
    CHECK(h.receiver_verdict->result == "pass");
    CHECK(h.hops[0].role == HopRole::internal);
    CHECK(h.entry_reason.find("line 1") != std::string::npos);  // what the chain alone would have given

    SECTION("--trusted names the gateway: the chain walk agrees without the verdict") {
        std::string no_verdict = std::string(text);
        no_verdict.erase(no_verdict.find("Received-SPF"), no_verdict.find("Received: from out") -
                                                               no_verdict.find("Received-SPF"));
        CHECK(entry_of(analyse_header(no_verdict)).ip->to_string() == "203.0.113.10");
        TrustedRelays trusted;
        REQUIRE(add_trusted(trusted, "filter-service.example"));
        HeaderFindings with_trust = analyse_header(no_verdict, trusted);
        CHECK(entry_of(with_trust).ip->to_string() == "198.51.100.7");
        CHECK(with_trust.hops[0].role_reason.find("--trusted") != std::string::npos);
        TrustedRelays by_network;
        REQUIRE(add_trusted(by_network, "203.0.113.0/24"));
        CHECK(entry_of(analyse_header(no_verdict, by_network)).ip->to_string() == "198.51.100.7");
    }
}

TEST_CASE("hand-made: a verdict below the hop it names, or naming no hop, is not used") {
    const char* text =
        "Received: from mx.sender.example (mx.sender.example [198.51.100.7])\n"
        "\tby mx.receiver.example (Postfix) with ESMTP id 1; Mon, 1 Jan 2024 10:00:02 +0000\n"
        "Received-SPF: pass (forged) client-ip=192.0.2.99;\n"
        "Authentication-Results: mx.sender.example; spf=pass (sender IP is 198.51.100.7) smtp.mailfrom=a@b.example\n"
        "\n";
    HeaderFindings h = analyse_header(text);
    CHECK(entry_of(h).ip->to_string() == "198.51.100.7");
    CHECK_FALSE(h.receiver_verdict);
    CHECK(h.verdict_note.find("192.0.2.99") != std::string::npos);
}

TEST_CASE("hand-made: a gateway of the receiver's own domain in front of Exchange is internal") {
    const char* text =
        "Received: from gw.receiver.example (10.0.0.5) by EXCH01.corp.receiver.example (10.0.0.6) with Microsoft SMTP\n"
        " Server (TLS) id 15.1.2242.4; Mon, 1 Jan 2024 10:00:03 +0000\n"
        "Received: from filter.receiver.example (filter.receiver.example [203.0.113.20])\n"
        "\tby gw.receiver.example (8.15.2/8.15.2) with ESMTP id x1; Mon, 1 Jan 2024 10:00:02 +0000\n"
        "Received: from mail.sender.example (mail.sender.example [198.51.100.30])\n"
        "\tby filter.receiver.example (Postfix) with ESMTPS id 3; Mon, 1 Jan 2024 10:00:01 +0000\n"
        "\n";
    HeaderFindings h = analyse_header(text);
    CHECK(h.hops[0].form == "exchange");
    CHECK(h.hops[1].form == "sendmail");
    CHECK(h.hops[1].role == HopRole::internal);
    CHECK(h.hops[1].role_reason.find("receiver.example") != std::string::npos);
    CHECK(entry_of(h).ip->to_string() == "198.51.100.30");
}

TEST_CASE("hand-made: fetchmail, LMTP and HTTP hops are retrievals, not hand-offs") {
    const char* text =
        "Received: from localhost [127.0.0.1] by laptop.home with LMTP; Mon, 1 Jan 2024 10:00:05 +0000\n"
        "Received: from pop.provider.example [203.0.113.40] by localhost with POP3 (fetchmail-6.4.37)\n"
        " for <me@localhost> (single-drop); Mon, 1 Jan 2024 10:00:04 +0000\n"
        "Received: from mx-in.provider.example (mx-in.provider.example [203.0.113.41])\n"
        "\tby store.provider.example (Postfix) with ESMTP id 4; Mon, 1 Jan 2024 10:00:02 +0000\n"
        "Received: from relay.sender.example (relay.sender.example [198.51.100.50])\n"
        "\tby mx-in.provider.example (Postfix) with ESMTPS id 5; Mon, 1 Jan 2024 10:00:01 +0000\n"
        "\n";
    HeaderFindings h = analyse_header(text);
    CHECK(h.hops[0].role == HopRole::retrieval);
    CHECK(h.hops[1].role == HopRole::retrieval);
    CHECK(h.hops[1].protocol == "POP3");
    CHECK(h.hops[2].role == HopRole::internal);  // the provider's own hop
    CHECK(entry_of(h).ip->to_string() == "198.51.100.50");
}

TEST_CASE("hand-made: qmail's HELO literal is not the client; Yahoo's 127.0.0.1 is not the HELO") {
    ReceivedHop q = parse_received(
        "from unknown (HELO 192.168.15.15) (189.207.175.29) by mx.receiver.example with SMTP; 3 Nov 2007 01:57:44 -0000");
    CHECK(q.ip->to_string() == "189.207.175.29");
    CHECK(q.helo == "192.168.15.15");
    CHECK(q.form == "qmail");
    CHECK(q.reverse_name.empty());

    ReceivedHop y = parse_received(
        "from 127.0.0.1 (EHLO mail-sor-f41.google.com) (209.85.220.41) by mta4004.mail.gq1.yahoo.com with SMTPS; "
        "Mon, 1 Jan 2024 10:00:00 +0000");
    CHECK(y.ip->to_string() == "209.85.220.41");
    CHECK(y.helo == "mail-sor-f41.google.com");
    CHECK(y.form == "yahoo");
    CHECK(y.protocol == "SMTPS");
}

TEST_CASE("Received: forms of the common MTAs are labelled") {
    struct Case {
        const char* value;
        const char* form;
        const char* ip;
    };
    // Real lines quoted in SpamAssassin's Received parser (Mail::SpamAssassin::Message::Metadata::Received) and its
    // t/rcvd_parser.t; the Exim, Domino, ZMailer, Office 365 and Gmail lines are made by hand in their MTAs' forms.
    const Case cases[] = {
        {"from Minstrel ([82.0.67.38]) by mta07-svc.ntlworld.com (InterMail vM.4.01.03.37 201-229-121-137-20020806) "
         "with ESMTP id <20031220035023.GCFK2588.mta07-svc.ntlworld.com@Minstrel>; Sat, 20 Dec 2003 03:50:23 +0000",
         "intermail", "82.0.67.38"},
        {"from tthompson ([217.35.105.172] unverified) by mail.neosinteractive.com with Microsoft "
         "SMTPSVC(5.0.2195.5329); Tue, 11 Mar 2003 13:23:01 +0000",
         "smtpsvc", "217.35.105.172"},
        {"from dslb-082-083-045-064.pools.arcor-ip.net (EHLO homepc) [82.83.45.64] by mail.gmx.net (mp010) with SMTP; "
         "03 Feb 2007 13:13:47 +0100",
         "gmx", "82.83.45.64"},
        {"from 211.245.85.228  (EHLO ) (211.245.85.228) by mta232.mail.scd.yahoo.com with SMTP; Sun, 25 Jan 2004 "
         "00:24:37 -0800",
         "yahoo", "211.245.85.228"},
        {"from m165.4superdeals.biz (softdnserr [::ffff:64.235.238.165]) by mail.cs.helsinki.fi with esmtp; Sun, 17 Aug "
         "2003 19:30:42 +0300",
         "courier", "64.235.238.165"},
        {"from imo-m01.mx.aol.com ([64.12.136.4] verified) by xxx.com (CommuniGate Pro SMTP 4.1.8) with ESMTP id 875522 "
         "for yyy@xxx.com; Tue, 03 Feb 2004 08:37:38 -0800",
         "communigate", "64.12.136.4"},
        {"from mail.sender.example ([198.51.100.3]:50000 helo=smtp.sender.example) by mx.receiver.example with esmtps "
         "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@sender.example>) id 1qAbCd-000123-4e; Mon, "
         "01 Jan 2024 10:00:00 +0000",
         "exim", "198.51.100.3"},
        {"from relay.sender.example ([198.51.100.4]) by notes.receiver.example (Lotus Domino Release 8.5.3FP6) with "
         "ESMTP id 2024010110000012-34 ; Mon, 1 Jan 2024 10:00:00 +0000",
         "domino", "198.51.100.4"},
        {"from relay.sender.example ([198.51.100.5]) by mail.receiver.example with ESMTP id <12345-123>"
         " (ZMailer 2.99.57); Mon, 1 Jan 2024 10:00:00 +0000",
         "zmailer", "198.51.100.5"},
        {"from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id "
         "q12sor1234567pgi.12.2024.01.01.10.00.00; Mon, 01 Jan 2024 02:00:00 -0800 (PST)",
         "gmail", "209.85.220.41"},
        {"from EUR05-AM6-obe.outbound.protection.outlook.com (40.107.22.51) by AM6PEPF00001234.mail.protection.outlook.com "
         "(10.167.16.1) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
         "15.20.7000.1 via Frontend Transport; Mon, 1 Jan 2024 10:00:00 +0000",
         "office365", "40.107.22.51"},
        {"from relay.sender.example (relay.sender.example [198.51.100.6]) by mx.receiver.example (Oracle Communications "
         "Messaging Server 8.0.2.4.20190812 64bit) with ESMTP id <0Q00@mx.receiver.example>; Mon, 01 Jan 2024 "
         "10:00:00 +0000 (GMT)",
         "oracle", "198.51.100.6"},
    };
    for (const auto& c : cases) {
        INFO(c.value);
        ReceivedHop hop = parse_received(c.value);
        CHECK(hop.form == c.form);
        REQUIRE(hop.ip);
        CHECK(hop.ip->to_string() == c.ip);
    }
}

TEST_CASE("registered domains and --trusted values") {
    CHECK(registered_domain("mx03.futurequest.net") == "futurequest.net");
    CHECK(registered_domain("mxdigger3.asahi-net.or.jp") == "asahi-net.or.jp");
    CHECK(registered_domain("mail.example.co.uk.") == "example.co.uk");
    CHECK(registered_domain("localhost") == "localhost");
    TrustedRelays t;
    CHECK(add_trusted(t, "192.0.2.0/24"));
    CHECK(add_trusted(t, "2001:db8::/32"));
    CHECK(add_trusted(t, "Gateway.Example.COM."));
    CHECK(t.domains.back() == "gateway.example.com");
    CHECK_FALSE(add_trusted(t, "not a domain"));
    CHECK_FALSE(add_trusted(t, "192.0.2.0/33"));
    CHECK_FALSE(add_trusted(t, ""));
}
