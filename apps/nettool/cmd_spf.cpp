// `nettool spf`: SPF (RFC 7208) and Sender ID (RFC 4406/4407) checks. Options in, one library call, one report out.
#include "subcommand.hpp"

#include "nettool/core/exit_status.hpp"
#include "nettool/core/render.hpp"
#include "nettool/spf/spf.hpp"
#include "nettool/spf/nagios.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

namespace {

struct SpfOptions {
    std::string domain;
    std::vector<std::string> ips;
    std::string sender;
    std::string helo;
    std::string headers;
    std::vector<std::string> trusted;
    std::string scope = "mfrom";
    bool suggest = false;
    std::vector<std::string> dns_servers;
    int timeout_ms = 2000;
    int tries = 2;
    std::string receiver;
    nettool::OutputOptions output;
};

std::string read_headers(const std::string& path) {
    using namespace nettool;
    constexpr std::size_t max_size = 16 * 1024 * 1024;
    std::ostringstream contents;
    if (path == "-") {
        contents << std::cin.rdbuf();
    } else {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            throw ErrorException(input_error("is a directory; give one message file (e.g. a saved .eml)", path));
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) throw ErrorException(input_error("cannot read the file", path));
        contents << in.rdbuf();
    }
    std::string text = contents.str();
    if (text.size() > max_size) throw ErrorException(input_error("larger than 16 MB; not a mail message", path));
    return text;
}

nettool::app::RunFunction setup_spf(CLI::App& sub) {
    auto o = std::make_shared<SpfOptions>();
    sub.footer(
        "Modes:\n"
        "  nettool spf DOMAIN                 lint: the SPF and Sender ID records, the include/redirect tree with\n"
        "                                     every node's terms, DNS lookups (limit 10) and void lookups (limit 2),\n"
        "                                     findings with the record and column of each problem\n"
        "  nettool spf --ip IP --sender ADDR  evaluate check_host() (RFC 7208) for that client: the result, the\n"
        "                                     deciding mechanism and the include/redirect path to it, the\n"
        "                                     explanation (exp= expanded, or the default) and the Received-SPF field\n"
        "  nettool spf --headers FILE         take the client IP and HELO from the Received: field of the hop into\n"
        "                                     the receiving organisation (the receiver's own Received-SPF or\n"
        "                                     Authentication-Results when present; else the first hop below its own\n"
        "                                     hops: private clients, its own domain, --trusted relays; POP3/IMAP/LMTP/\n"
        "                                     HTTP retrievals skipped), MAIL FROM from Return-Path:, and evaluate;\n"
        "                                     with --scope pra evaluate Sender ID on the RFC 4407 Purported\n"
        "                                     Responsible Address (spf2.0/pra, falling back to v=spf1)\n"
        "  add --suggest                      propose a minimal record that lets the observed senders pass,\n"
        "                                     keeping the existing terms, and verify it\n"
        "\n"
        "An empty --sender \"\" is the null sender: postmaster@HELO is checked. DOMAIN defaults to the sender's\n"
        "domain. Lookups known in advance (all include/a/mx/exists targets of a record) are sent at once; results\n"
        "are those of the sequential RFC definition. Every query is bounded by --timeout x --tries, the whole run\n"
        "by 20 s.\n"
        "\n"
        "JSON (--json): with --ip or --headers the top-level keys are result, mechanism, explanation (only when an\n"
        "exp= applied), default_explanation, lookups, void_lookups, path, received_spf; lint puts the tree under\n"
        "\"lint\"; diagnoses always. Diagnosis codes: spf_pass, spf_fail, spf_softfail, spf_neutral, spf_none,\n"
        "spf_permerror, spf_temperror, spf_pra_undetermined; lint: spf_no_record, spf_multiple_records,\n"
        "spf_syntax_error, spf_pass_all, spf_neutral_all, spf_ptr_used, spf_no_all, spf_type99_record,\n"
        "spf_lookup_limit, spf_void_lookup, spf_void_lookup_limit, spf_include_missing, spf_include_loop,\n"
        "spf_mx_limit, spf_long_record, spf_large_answer, spf_exp_unreachable, spf_redirect_ignored,\n"
        "spf_unknown_modifier, spf_lookup_error, spf_bad_domain, spf_unreachable_term, spf_option_ignored.\n"
        "\n"
        "Examples:\n"
        "  nettool spf nin29.com\n"
        "  nettool spf --ip 202.224.39.7 --sender xxx@nin29.com --helo mx.asahi-net.or.jp\n"
        "  nettool spf --headers bounce.eml --suggest\n"
        "  nettool spf --headers message.eml --scope pra --dns-server 127.0.0.1:5353\n"
        "\n"
        "Exit status: 0 pass / no finding at warning level, 1 a problem found (fail, softfail, neutral, none,\n"
        "permerror, temperror, or a lint warning), 2 bad usage or input, 3 could not run (no resolver).");
    sub.add_option("DOMAIN", o->domain, "Domain to check (default: the sender's domain)");
    sub.add_option("--ip", o->ips, "Client IP (IPv4 or IPv6) to evaluate; repeat for --suggest")
        ->type_name("IP")
        ->allow_extra_args(false);
    auto* sender = sub.add_option("--sender", o->sender, "MAIL FROM address; \"\" is the null sender")
                       ->type_name("ADDR");
    sub.add_option("--helo", o->helo, "HELO/EHLO name the client gave")->type_name("NAME");
    sub.add_option("--headers", o->headers, "RFC 5322 message or header to take IP, HELO and sender from (- = stdin)")
        ->type_name("FILE");
    sub.add_option("--trusted", o->trusted,
                   "With --headers: a relay of the receiving side (CIDR, address or domain), like SpamAssassin's "
                   "trusted_networks; repeatable")
        ->type_name("CIDR|DOMAIN")
        ->allow_extra_args(false)
        ->check([](const std::string& text) {
            nettool::spf::TrustedRelays scratch;
            return nettool::spf::add_trusted(scratch, text) ? std::string()
                                                            : "'" + text + "' is neither a CIDR, an address nor a domain";
        });
    sub.add_option("--scope", o->scope, "Identity to check: mfrom (SPF) or pra (Sender ID; needs --headers)")
        ->check(CLI::IsMember({"mfrom", "pra"}))
        ->default_val("mfrom");
    sub.add_flag("--suggest", o->suggest, "Propose a record that lets the observed sending IPs pass");
    sub.add_option("--dns-server", o->dns_servers, "DNS server HOST[:PORT] (default: /etc/resolv.conf); repeatable")
        ->type_name("HOST[:PORT]")
        ->allow_extra_args(false);
    sub.add_option("--timeout", o->timeout_ms, "Milliseconds per DNS try")->default_val(2000)->check(
        CLI::Range(50, 30000));
    sub.add_option("--tries", o->tries, "Tries per DNS query")->default_val(2)->check(CLI::Range(1, 5));
    sub.add_option("--receiver", o->receiver, "Receiving host name for %{r} and Received-SPF (default: hostname)")
        ->type_name("NAME");
    nettool::app::add_output_options(sub, o->output);

    return [o, sender]() -> int {
        using namespace nettool;
        spf::SpfRequest request;
        request.domain = o->domain;
        request.ips = o->ips;
        if (sender->count() > 0) request.sender = o->sender;
        request.helo = o->helo;
        if (!o->headers.empty()) {
            request.headers_text = read_headers(o->headers);
            request.headers_source = o->headers;
        }
        for (const auto& text : o->trusted) spf::add_trusted(request.trusted, text);
        request.scope = o->scope == "pra" ? spf::Scope::pra : spf::Scope::mfrom;
        request.suggest = o->suggest;
        for (const auto& text : o->dns_servers) request.servers.push_back(DnsServer::parse(text).take());
        request.timeout = std::chrono::milliseconds(o->timeout_ms);
        request.tries = o->tries;
        request.receiver = o->receiver;
        spf::SpfReport report = spf::run_spf_with_dns(request).take();
        emit_result(report, "spf", o->output, spf::render_spf_report);
        return to_int(exit_status_for(report.diagnoses));
    };
}

}  // namespace

NETTOOL_SUBCOMMAND("spf", "Check SPF and Sender ID: lint a domain's records, evaluate a client IP, read headers", 40,
                   setup_spf);
