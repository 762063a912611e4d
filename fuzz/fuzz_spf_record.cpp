// The SPF record parser and its syntax checks: parse_record, record_version, the macro-string and domain-spec
// checks, has_macros; then expansion of every term's domain-spec and of the text as a macro-string and as an
// explanation (expand_macros, expand_domain) with a fixed context.
#include "fuzz_target.hpp"
#include "fuzz_input.hpp"
#include "nettool/spf/macro.hpp"
#include "nettool/spf/record.hpp"

#include <string>

NETTOOL_FUZZ_TARGET(spf_record) {
    using namespace nettool;
    using namespace nettool::spf;
    const std::string_view text = fuzz::as_text(data, size);
    (void)record_version(text);
    (void)spf2_has_scope(text, "mfrom");
    (void)check_macro_string(text, false);
    (void)check_macro_string(text, true);
    (void)check_domain_spec(text);
    (void)has_macros(text);
    (void)valid_check_domain(text);
    (void)valid_query_name(text);

    MacroContext context;
    context.sender = "strong-bad@email.example.com";
    context.local_part = "strong-bad";
    context.sender_domain = "email.example.com";
    context.domain = "email.example.com";
    context.ip = (size & 1) ? *IpAddress::parse("2001:db8::cb01") : *IpAddress::parse("192.0.2.3");
    context.helo = "mx.example.org";
    context.receiver = "nettool";
    context.timestamp = 1700000000;
    context.validated_name = [] { return std::string("mx.example.org"); };

    const ParsedRecord record = parse_record(text);
    for (const auto& term : record.terms) {
        (void)term.counts_as_lookup();
        if (!term.domain_spec.empty()) {
            if (auto name = expand_domain(term.domain_spec, context)) NETTOOL_FUZZ_CHECK(name->size() <= 253);
        }
    }
    (void)expand_macros(text, context, false);
    (void)expand_macros(text, context, true);
    if (auto name = expand_domain(text, context)) NETTOOL_FUZZ_CHECK(name->size() <= 253);
    return 0;
}
