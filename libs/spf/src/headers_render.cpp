#include "headers_render.hpp"

#include "nettool/core/text.hpp"

namespace nettool::spf {

void render_header_findings(std::ostream& out, const HeaderFindings& h, const Style& style) {
    out << style.paint("Message header", Colour::bold) << " (" << h.hops.size() << " Received: fields, top first)\n";
    for (const auto& hop : h.hops) {
        bool entry = hop.role == HopRole::entry;
        // Earlier hops were written outside the receiving organisation: shown, but nothing in them is verifiable.
        out << (entry ? "  => " : "     ") << "line " << hop.line << "  " << to_string(hop.role) << ": "
            << (hop.ip ? hop.ip->to_string() : std::string("(no client address)"));
        if (!hop.reverse_name.empty()) out << " (" << sanitize_for_terminal(hop.reverse_name) << ")";
        if (!hop.helo.empty()) out << " helo=" << sanitize_for_terminal(hop.helo);
        if (!hop.by.empty()) out << " by " << sanitize_for_terminal(hop.by);
        out << " [" << hop.form;
        if (!hop.protocol.empty()) out << ", " << sanitize_for_terminal(hop.protocol);
        out << "]\n";
        if (!hop.role_reason.empty() && hop.role != HopRole::entry && hop.role != HopRole::external) out << "           " << sanitize_for_terminal(hop.role_reason) << "\n";
    }
    if (h.entry) out << "  entry hop: line " << h.hops[*h.entry].line << " (" << h.entry_reason << ")\n";
    if (h.receiver_verdict) {
        const ReceiverVerdict& v = *h.receiver_verdict;
        out << "  receiver's verdict: " << v.field << " (line " << v.line << "): spf=" << sanitize_for_terminal(v.result)
            << " for " << v.client.to_string() << "\n";
    }
    if (!h.verdict_note.empty()) out << "  note: " << sanitize_for_terminal(h.verdict_note) << "\n";
    if (h.return_path) {
        out << "  MAIL FROM:  <" << sanitize_for_terminal(*h.return_path) << "> (Return-Path:, line " << h.return_path_line
            << ")\n";
    }
    if (h.pra) {
        out << "  PRA:        " << sanitize_for_terminal(*h.pra) << " (" << h.pra_field << ":, line " << h.pra_line
            << ")\n";
    } else if (!h.pra_problem.empty()) {
        out << "  PRA:        none (" << sanitize_for_terminal(h.pra_problem) << ")\n";
    }
    out << "\n";
}

}  // namespace nettool::spf
