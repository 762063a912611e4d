#pragma once
// The human view of HeaderFindings: one line per Received: hop with its role, then the entry and the evidence.
#include "nettool/core/style.hpp"
#include "nettool/spf/headers.hpp"

#include <ostream>

namespace nettool::spf {

void render_header_findings(std::ostream& out, const HeaderFindings& findings, const Style& style);

}  // namespace nettool::spf
