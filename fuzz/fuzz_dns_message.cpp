// The DNS message codec: parse_dns_message on any bytes, answers_for on what parsed, and build_dns_query on a
// name made of the same bytes (its encoding must parse back to the same question).
#include "fuzz_input.hpp"
#include "fuzz_target.hpp"
#include "nettool/wire/dns_message.hpp"

#include <string>

NETTOOL_FUZZ_TARGET(dns_message) {
    using namespace nettool;
    const std::span<const std::uint8_t> wire(data, size);
    if (auto message = parse_dns_message(wire)) {
        for (const auto& question : message->questions) {
            (void)answers_for(*message, question.name, question.type);
            (void)answers_for(*message, question.name, dns_type::cname);
        }
        if (!message->answers.empty()) (void)answers_for(*message, message->answers.front().name, dns_type::a);
    } else {
        NETTOOL_FUZZ_CHECK(!message.error().describe().empty());
    }

    fuzz::FuzzInput input(data, size);
    DnsQuerySpec spec;
    spec.type = static_cast<std::uint16_t>(input.byte() | (input.byte() << 8));
    spec.edns_udp_size = (input.byte() & 1) ? 1232 : 0;
    spec.name = std::string(input.rest_text());
    if (auto query = build_dns_query(spec)) {
        auto parsed = parse_dns_message(*query);
        NETTOOL_FUZZ_CHECK(parsed.ok());
        NETTOOL_FUZZ_CHECK(parsed->questions.size() == 1 && parsed->questions[0].type == spec.type);
    }
    return 0;
}
