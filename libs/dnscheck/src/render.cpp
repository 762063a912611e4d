#include "nettool/core/render.hpp"
#include "nettool/core/table.hpp"
#include "nettool/dnscheck/dnscheck.hpp"
#include "nettool/dnscheck/text.hpp"

namespace nettool::dnscheck {
namespace {

Colour status_colour(const std::string& status) {
    if (status == "ok") return Colour::green;
    if (status == "degraded") return Colour::yellow;
    return Colour::red;
}

std::string upper(std::string text) {
    for (char& c : text) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return text;
}

std::string system_line(const DnsCheckResult& r) {
    const SystemLookup& s = r.system;
    std::string line = "getaddrinfo(" + display_name(s.name) + "): ";
    switch (s.status) {
        case LookupStatus::not_run: return "not run";
        case LookupStatus::resolved: line += join(s.addresses, ", "); break;
        case LookupStatus::no_such_name: line += "no such name (the resolver answered)"; break;
        case LookupStatus::failed: line += "failed: " + s.error; break;
        case LookupStatus::no_answer: line += "no answer within " + ms_text(r.timeout_ms); return line;
    }
    return line + " (" + ms_text(s.elapsed_ms) + ")";
}

}  // namespace

void render_dnscheck(std::ostream& out, const DnsCheckResult& r, const Style& style) {
    const std::size_t n = r.servers.size();
    out << style.paint("dnscheck", Colour::bold) << ": " << n << " resolver" << (n == 1 ? "" : "s") << " from "
        << sanitize_for_terminal(join(r.resolver_files, ", ")) << "; names ";
    std::vector<std::string> names;
    for (const auto& name : r.names) names.push_back(display_name(name));
    out << sanitize_for_terminal(join(names, ", ")) << "; " << r.count << " UDP quer" << (r.count == 1 ? "y" : "ies")
        << " each; finished in " << ms_text(r.elapsed_ms) << "\n\n";

    out << style.paint("Verdict: " + upper(r.verdict.status), status_colour(r.verdict.status)) << " - "
        << sanitize_for_terminal(r.verdict.summary) << '\n';
    render_diagnoses(out, r.diagnoses, style, "  ");

    for (const auto& server : r.servers) {
        const ResolverProbes& p = server.probes;
        out << '\n'
            << style.paint("Resolver " + p.server.to_string(), Colour::bold) << " (from "
            << sanitize_for_terminal(p.source) << ")\n";
        Table table({{"probe"}, {"result"}});
        table.add_row({"ping", describe_echoes(p.icmp, p.icmp_unavailable)});
        table.add_row({"UDP x" + std::to_string(p.udp.size()), describe_udp(p.udp)});
        table.add_row({"TCP", describe_single(p.tcp)});
        std::vector<std::string> types;
        for (auto t : r.large_types) types.push_back(type_name(t));
        const LargeCheck large = assess_large(p);
        table.add_row({"large " + join(types, "/") + " " + display_name(r.large_name),
                       std::string(to_string(large.status)) + ": " + large.detail});
        table.add_row({"CHAOS version.bind", describe_single(p.local)});
        table.render(out, style, "  ");
        render_diagnoses(out, server.diagnoses, style, "  ");
    }

    out << '\n' << style.paint("System resolver", Colour::bold) << ": " << sanitize_for_terminal(system_line(r)) << '\n';
    out << style.paint("Reach", Colour::bold) << ": ";
    if (r.reach.attempted) {
        out << r.reach.target.to_string() << " (" << sanitize_for_terminal(r.reach.target_source)
            << "): " << sanitize_for_terminal(describe_echoes(r.reach.echoes, r.reach.unavailable)) << '\n';
    } else {
        out << "not tested: " << sanitize_for_terminal(r.reach.not_attempted_reason) << '\n';
    }
    for (const auto& note : r.notes) out << "note: " << sanitize_for_terminal(note) << '\n';
}

}  // namespace nettool::dnscheck
