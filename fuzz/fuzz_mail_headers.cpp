// Mail header parsing: analyse_header on a whole message (fields, folding, Received: hops, Return-Path, the PRA),
// and parse_received / single_mailbox on the text as one field value.
#include "fuzz_input.hpp"
#include "fuzz_target.hpp"
#include "nettool/spf/headers.hpp"

#include <nlohmann/json.hpp>

NETTOOL_FUZZ_TARGET(mail_headers) {
    using namespace nettool;
    using namespace nettool::spf;
    const std::string_view text = fuzz::as_text(data, size);
    const HeaderFindings findings = analyse_header(text);
    if (findings.entry) NETTOOL_FUZZ_CHECK(*findings.entry < findings.hops.size());
    nlohmann::json document;
    to_json(document, findings);
    (void)document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    (void)parse_received(text);
    (void)single_mailbox(text);
    return 0;
}
