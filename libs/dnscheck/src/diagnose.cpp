#include "nettool/dnscheck/diagnose.hpp"

#include "nettool/dnscheck/text.hpp"

#include <algorithm>
#include <cmath>

namespace nettool::dnscheck {
namespace {

constexpr int rcode_servfail = 2;
constexpr int rcode_nxdomain = 3;
constexpr int rcode_refused = 5;

bool was_sent(const QueryProbe& q) { return q.status != QueryStatus::not_sent; }

std::string query_source(const ResolverProbes& p, const std::vector<QueryProbe>& queries, const char* transport) {
    for (const auto& q : queries) {
        if (was_sent(q)) {
            return "query " + type_name(q.type) + " " + display_name(q.name) + " @" + p.server.to_string() +
                   " over " + transport;
        }
    }
    return std::string("no query sent over ") + transport;
}

struct EchoSummary {
    bool available = false;
    int sent = 0;
    int replies = 0;
    int unreachable = 0;
    std::optional<double> median_rtt_ms;
    std::string unreachable_detail;
};

EchoSummary summarize_echo(const std::vector<EchoProbe>& echoes, const std::string& unavailable) {
    EchoSummary s;
    s.available = unavailable.empty();
    std::vector<double> rtts;
    for (const auto& e : echoes) {
        if (e.status == EchoOutcome::unavailable) continue;
        ++s.sent;
        if (e.status == EchoOutcome::reply) {
            ++s.replies;
            rtts.push_back(e.rtt_ms);
        } else if (e.status == EchoOutcome::unreachable) {
            ++s.unreachable;
            if (s.unreachable_detail.empty()) {
                s.unreachable_detail = e.detail + (e.from.empty() ? "" : " from " + e.from);
            }
        }
    }
    if (s.sent == 0) s.available = false;
    s.median_rtt_ms = median(rtts);
    return s;
}

std::string echo_text(const EchoSummary& s, const std::string& unavailable) {
    if (!s.available) return "not tested: " + (unavailable.empty() ? std::string("no echo sent") : unavailable);
    std::string text = std::to_string(s.replies) + " of " + std::to_string(s.sent) + " replies";
    if (s.median_rtt_ms) text += ", median " + ms_text(*s.median_rtt_ms);
    if (s.unreachable > 0) text += "; " + std::to_string(s.unreachable) + " unreachable (" + s.unreachable_detail + ")";
    return text;
}

std::string rcode_list(const QuerySummary& s) {
    std::string text;
    for (const auto& [rcode, n] : s.rcodes) {
        if (!text.empty()) text += ", ";
        text += std::to_string(n) + " " + rcode_name(rcode);
    }
    return text;
}

std::string udp_text(const QuerySummary& s) {
    std::string text = std::to_string(s.answered) + " of " + std::to_string(s.sent) + " answered";
    // Malformed answers did arrive: not counted as lost here (they are listed apart).
    if (s.sent > 0) {
        text += " (" + percent_text(static_cast<double>(s.sent - s.answered - s.bad_responses) / s.sent) + " lost)";
    }
    if (s.median_rtt_ms) text += ", median RTT " + ms_text(*s.median_rtt_ms);
    if (s.connection_refused > 0) text += ", " + std::to_string(s.connection_refused) + " port unreachable";
    if (s.network_errors > 0) text += ", " + std::to_string(s.network_errors) + " network errors";
    if (s.bad_responses > 0) text += ", " + std::to_string(s.bad_responses) + " malformed answers";
    if (!s.rcodes.empty()) text += "; rcodes: " + rcode_list(s);
    return text;
}

std::string single_text(const std::vector<QueryProbe>& queries) {
    const QueryProbe* answered = nullptr;
    int sent = 0;
    for (const auto& q : queries) {
        if (!was_sent(q)) continue;
        ++sent;
        if (q.status == QueryStatus::answered && answered == nullptr) answered = &q;
    }
    if (sent == 0) return "not sent before the deadline";
    if (answered != nullptr) {
        std::string text = rcode_name(answered->rcode) + ", " + std::to_string(answered->answer_bytes) +
                           " bytes in " + ms_text(answered->rtt_ms);
        if (answered->truncated) text += " (truncated, TC set)";
        if (answered->question_missing) text += " (no question section)";
        return text;
    }
    // Failures grouped by kind: "no answer to 2 queries (waited up to 1931 ms)", "connection refused".
    const QuerySummary s = summarize(queries);
    std::vector<std::string> parts;
    auto count_text = [](int n) { return n == 1 ? std::string("1 query") : std::to_string(n) + " queries"; };
    if (s.timeouts > 0) {
        double waited = 0;
        for (const auto& q : queries) {
            if (q.status == QueryStatus::timeout) waited = std::max(waited, q.waited_ms);
        }
        parts.push_back("no answer to " + count_text(s.timeouts) +
                        (waited > 0 ? " (waited up to " + ms_text(waited) + ")" : std::string()));
    }
    if (s.connection_refused > 0) parts.push_back("connection refused (" + count_text(s.connection_refused) + ")");
    auto first_detail = [&](QueryStatus status) {
        for (const auto& q : queries) {
            if (q.status == status) return q.detail;
        }
        return std::string();
    };
    if (s.network_errors > 0) {
        parts.push_back("network error (" + count_text(s.network_errors) + "): " + first_detail(QueryStatus::network_error));
    }
    if (s.bad_responses > 0) {
        std::size_t bytes = 0;
        for (const auto& q : queries) {
            if (q.status == QueryStatus::bad_response) bytes = std::max(bytes, q.answer_bytes);
        }
        parts.push_back("malformed answer (" + count_text(s.bad_responses) + ", " + std::to_string(bytes) +
                        " bytes): " + first_detail(QueryStatus::bad_response));
    }
    bool connected = false;
    for (const auto& q : queries) connected = connected || (q.status == QueryStatus::timeout && q.connected);
    if (connected) parts.push_back("the TCP connection was set up, then nothing came");
    return join(parts, "; ");
}

Diagnosis make(const char* c, Severity severity, std::string summary, std::string advice) {
    Diagnosis d;
    d.code = c;
    d.severity = severity;
    d.summary = std::move(summary);
    d.advice = std::move(advice);
    return d;
}

const std::string udp_blocked_advice =
    "UDP/53 is being dropped between here and the resolver while the host itself is reachable. Look for a "
    "firewall rule or a NAT/router bug that drops DNS over UDP, or a faulty link that loses these packets (check "
    "`nettool link` on the router's ports: in the field case forcing the link to 100 Mbit/s fixed it). Until then "
    "use another resolver.";


// "TXT: NOERROR 4410 bytes; DNSKEY: no answer (waited up to 1400 ms)": the large probe per type.
std::string per_type_text(const std::vector<QueryProbe>& queries) {
    std::vector<std::uint16_t> types;
    for (const auto& q : queries) {
        if (std::find(types.begin(), types.end(), q.type) == types.end()) types.push_back(q.type);
    }
    std::vector<std::string> parts;
    for (std::uint16_t type : types) {
        std::vector<QueryProbe> of_type;
        for (const auto& q : queries) {
            if (q.type == type) of_type.push_back(q);
        }
        parts.push_back(type_name(type) + ": " + single_text(of_type));
    }
    return join(parts, "; ");
}

bool is_default_name(const std::string& name) {
    const auto defaults = default_names();
    return std::find(defaults.begin(), defaults.end(), name) != defaults.end();
}

}  // namespace

LargeCheck assess_large(const ResolverProbes& p) {
    LargeCheck c;
    const QuerySummary large = summarize(p.large);
    const QuerySummary udp = summarize(p.udp);
    if (large.sent == 0) {
        c.detail = "not sent before the deadline";
        return c;
    }
    const QueryProbe* big = nullptr;
    std::size_t largest_truncated = 0;
    for (const auto& q : p.large) {
        if (q.status != QueryStatus::answered) continue;
        c.largest_bytes = std::max(c.largest_bytes, q.answer_bytes);
        if (q.truncated) largest_truncated = std::max(largest_truncated, q.answer_bytes);
        if (!q.truncated && q.answer_bytes > large_answer_bytes && (big == nullptr || q.answer_bytes > big->answer_bytes)) {
            big = &q;
        }
    }
    const std::string per_type = per_type_text(p.large);
    if (big != nullptr) {
        c.status = LargeStatus::ok;
        c.detail = type_name(big->type) + " answer of " + std::to_string(big->answer_bytes) + " bytes arrived in " +
                   ms_text(big->rtt_ms) + " (" + per_type + ")";
        return c;
    }
    const int lost = large.timeouts + large.network_errors;
    if (lost > 0) {
        // Dropped only when small answers are real answers: a resolver that SERVFAILs or REFUSEs the small
        // queries gives no large answer for reasons other than the path.
        const int resolved = static_cast<int>(std::count_if(p.udp.begin(), p.udp.end(), [](const QueryProbe& q) {
            return q.status == QueryStatus::answered && (q.rcode == 0 || q.rcode == rcode_nxdomain);
        }));
        // And only when the resolver has the answer: the same query over TCP brings it (or could not be tried).
        // A resolver whose upstream cannot deliver it gives nothing over TCP either: not the path.
        const QuerySummary over_tcp = summarize(p.large_tcp);
        const bool tcp_has_it = over_tcp.answered > 0;
        const bool tcp_silent = over_tcp.sent > 0 && over_tcp.answered == 0 && over_tcp.connection_refused == 0 &&
                                std::any_of(p.large_tcp.begin(), p.large_tcp.end(),
                                            [](const QueryProbe& q) { return q.connected; });
        if (udp.sent > 0 && resolved == udp.sent && tcp_silent) {
            c.detail = "the large query got no answer over UDP nor over TCP (connected): the resolver did not get "
                       "the answer itself, so the path was not tested (" + per_type + ")";
        } else if (udp.sent > 0 && resolved == udp.sent) {
            c.status = LargeStatus::dropped;
            c.detail = "small answers arrive, the large query got none (" + per_type + ")";
            if (tcp_has_it) {
                c.detail += "; over TCP the same query got " + std::to_string(over_tcp.largest_answer_bytes) + " bytes";
            }
        } else {
            c.detail = "not judged apart: small queries fail too (" + per_type + ")";
        }
        return c;
    }
    if (large.answered == 0) {
        c.detail = per_type;
        return c;
    }
    c.status = LargeStatus::inconclusive;
    c.detail = "largest answer " + std::to_string(c.largest_bytes) + " bytes, none above " +
               std::to_string(large_answer_bytes) + ": large answers were not tested (" + per_type + ")";
    if (largest_truncated > 0) {
        c.detail += "; the server truncates (TC) at " + std::to_string(largest_truncated) +
                    " bytes, so large answers go over TCP";
    }
    return c;
}


std::string describe_udp(const std::vector<QueryProbe>& queries) { return udp_text(summarize(queries)); }
std::string describe_single(const std::vector<QueryProbe>& queries) { return single_text(queries); }
std::string describe_echoes(const std::vector<EchoProbe>& echoes, const std::string& unavailable) {
    return echo_text(summarize_echo(echoes, unavailable), unavailable);
}

double QuerySummary::loss_fraction() const {
    return sent == 0 ? 0.0 : static_cast<double>(sent - answered) / static_cast<double>(sent);
}

std::optional<double> median(std::vector<double> values) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    std::size_t mid = values.size() / 2;
    if (values.size() % 2 == 1) return values[mid];
    return (values[mid - 1] + values[mid]) / 2.0;
}

QuerySummary summarize(const std::vector<QueryProbe>& queries) {
    QuerySummary s;
    std::vector<double> rtts;
    for (const auto& q : queries) {
        if (!was_sent(q)) continue;
        ++s.sent;
        switch (q.status) {
            case QueryStatus::answered:
                ++s.answered;
                rtts.push_back(q.rtt_ms);
                ++s.rcodes[q.rcode];
                s.largest_answer_bytes = std::max(s.largest_answer_bytes, q.answer_bytes);
                s.any_truncated = s.any_truncated || q.truncated;
                break;
            case QueryStatus::timeout: ++s.timeouts; break;
            case QueryStatus::connection_refused: ++s.connection_refused; break;
            case QueryStatus::network_error: ++s.network_errors; break;
            case QueryStatus::bad_response: ++s.bad_responses; break;
            case QueryStatus::not_sent: break;
        }
    }
    if (!rtts.empty()) {
        s.min_rtt_ms = *std::min_element(rtts.begin(), rtts.end());
        s.max_rtt_ms = *std::max_element(rtts.begin(), rtts.end());
        s.median_rtt_ms = median(rtts);
    }
    return s;
}

std::vector<Diagnosis> diagnose_resolver(const ResolverProbes& p, double high_latency_ms) {
    const QuerySummary udp = summarize(p.udp);
    const QuerySummary tcp = summarize(p.tcp);
    const QuerySummary large = summarize(p.large);
    const QuerySummary local = summarize(p.local);
    const LargeCheck large_check = assess_large(p);
    const EchoSummary echo = summarize_echo(p.icmp, p.icmp_unavailable);
    const std::string server = p.server.to_string();
    const std::string address = p.server.address.to_string();

    Evidence icmp_ev{"ICMP echo to " + address, echo_text(echo, p.icmp_unavailable), "", "ping " + address};
    Evidence udp_ev{"DNS queries over UDP", udp_text(udp), "", query_source(p, p.udp, "UDP")};
    Evidence tcp_ev{"DNS query over TCP", describe_single(p.tcp), "", query_source(p, p.tcp, "TCP")};
    Evidence large_ev{"large answer (EDNS 4096, DO)", to_string(large_check.status) + std::string(": ") + large_check.detail,
                      "an answer above " + std::to_string(large_answer_bytes) + " bytes", query_source(p, p.large, "UDP")};
    Evidence local_ev{"query the server answers itself (CHAOS TXT version.bind, no recursion)", describe_single(p.local),
                      "", query_source(p, p.local, "UDP")};

    std::vector<Diagnosis> out;
    const int total_answered = udp.answered + tcp.answered + large.answered + local.answered;
    const int total_refused = udp.connection_refused + tcp.connection_refused + large.connection_refused +
                              local.connection_refused;
    const int total_malformed = udp.bad_responses + tcp.bad_responses + large.bad_responses + local.bad_responses;
    const bool tcp_connected = std::any_of(p.tcp.begin(), p.tcp.end(), [](const QueryProbe& q) { return q.connected; });

    auto malformed_evidence = [&] {
        std::vector<Evidence> ev;
        for (const auto* group : {&p.udp, &p.tcp, &p.large, &p.local}) {
            for (const auto& q : *group) {
                if (q.status != QueryStatus::bad_response) continue;
                ev.push_back(Evidence{"malformed answer to " + type_name(q.type) + " " + display_name(q.name) +
                                          " over " + (q.kind == QueryKind::tcp ? "TCP" : "UDP"),
                                      q.detail + " (" + std::to_string(q.answer_bytes) + " bytes)",
                                      "a message that parses", query_source(p, *group, q.kind == QueryKind::tcp ? "TCP" : "UDP")});
                break;  // one example per probe group
            }
        }
        return ev;
    };

    if (total_answered == 0 && total_malformed > 0) {
        auto d = make(code::malformed_answer, Severity::critical,
                      server + " answers, but " + std::to_string(total_malformed) +
                          " of its answers do not parse as DNS messages and none does: clients discard them and time out",
                      "The server (or something rewriting DNS on the way: a DNS proxy, an ALG in the router, a "
                      "captive portal) sends broken DNS messages. Update or restart the DNS service, disable DNS "
                      "rewriting in the router, or use another resolver.");
        d.evidence = malformed_evidence();
        d.evidence.push_back(udp_ev);
        out.push_back(std::move(d));
        return out;
    }

    if (total_answered == 0) {
        if (total_refused > 0) {
            auto d = make(code::port_closed, Severity::critical,
                          address + " is up but nothing answers DNS on port " + std::to_string(p.server.port) +
                              " (" + std::to_string(total_refused) + " queries refused: ICMP port unreachable or TCP RST)",
                          "The host is up but no DNS service listens on port " + std::to_string(p.server.port) +
                              ": start or restart the DNS service (or the router's DNS proxy), check that it listens "
                              "on this address, or point clients at a working resolver.");
            d.evidence = {udp_ev, tcp_ev, icmp_ev};
            out.push_back(std::move(d));
        } else if (echo.replies > 0 || tcp_connected) {
            std::string there = echo.replies > 0 ? "answers ping" : "accepts TCP connections on port " +
                                                                        std::to_string(p.server.port);
            std::string tail = tcp.sent > 0 ? ", and DNS over TCP got no answer either" : "";
            auto d = make(code::udp_blocked, Severity::critical,
                          address + " " + there + ", but " + std::to_string(udp.answered) + " of " +
                              std::to_string(udp.sent) + " DNS queries over UDP were answered (not even a query it " +
                              "answers itself)" + tail + ": DNS is being dropped between here and the resolver",
                          udp_blocked_advice + (tcp.sent > 0 ? " TCP/53 gets nothing either, so a filter on port 53 (or "
                                                               "a hung DNS service) is the more likely cause."
                                                             : ""));
            d.evidence = {udp_ev, local_ev, icmp_ev, tcp_ev};
            out.push_back(std::move(d));
        } else {
            auto d = make(code::server_unreachable, Severity::critical,
                          address + " does not answer at all: no DNS answer over UDP or TCP" +
                              (echo.available ? std::string(" and no ping reply")
                                              : std::string(" (ping could not be tested)")),
                          "Neither DNS nor ping reach this address: the server is down, the address is wrong (check "
                          "the DHCP/router settings that handed it out), or the path to it is broken (`nettool ping "
                          + address + "`). Use another resolver meanwhile.");
            if (!echo.available) d.confidence = 0.7;
            d.evidence = {udp_ev, tcp_ev, icmp_ev};
            out.push_back(std::move(d));
        }
        return out;
    }

    // Response codes over the recursive queries (UDP, TCP and large).
    QuerySummary rc;
    for (const auto* s : {&udp, &tcp, &large}) {
        rc.answered += s->answered;
        for (const auto& [rcode, n] : s->rcodes) rc.rcodes[rcode] += n;
    }
    auto rcode_count = [&](int rcode) {
        auto it = rc.rcodes.find(rcode);
        return it == rc.rcodes.end() ? 0 : it->second;
    };
    const int recursive_useful = rc.answered - rcode_count(rcode_servfail);

    // The server talks (it answered the query it can answer alone) but no recursive query got an answer other
    // than SERVFAIL: its upstream is gone, not the path to it. REFUSED is another story (refused below).
    // The proof that it talks: a NOERROR to the local probe; any local answer at all when the recursive queries
    // got silence (not SERVFAIL: a server that SERVFAILs everything, CHAOS included, is servfail below).
    const bool local_noerror = std::any_of(p.local.begin(), p.local.end(), [](const QueryProbe& q) {
        return q.status == QueryStatus::answered && q.rcode == 0;
    });
    const bool local_talks = local_noerror || (local.answered > 0 && rc.answered == 0);
    const int silent = udp.timeouts + tcp.timeouts + large.timeouts;
    // Names known to exist: NXDOMAIN for them is a finding, and SERVFAIL for all of them is not one broken domain.
    bool all_default = !p.udp.empty();
    for (const auto* group : {&p.udp, &p.tcp}) {
        for (const auto& q : *group) all_default = all_default && is_default_name(q.name);
    }
    // SERVFAIL alone for names the user chose may be those domains' fault: that stays servfail.
    if (local_talks && recursive_useful == 0 && rcode_count(rcode_refused) == 0 && (silent > 0 || all_default)) {
        std::string how;
        if (rcode_count(rcode_servfail) > 0) how = std::to_string(rcode_count(rcode_servfail)) + " SERVFAIL";
        if (silent > 0) how += (how.empty() ? "" : ", ") + std::to_string(silent) + " without any answer";
        auto d = make(code::upstream_failure, Severity::critical,
                      server + " is reachable and answers what it holds itself (CHAOS version.bind), but none of " +
                          std::to_string(udp.sent + tcp.sent + large.sent) + " queries that need its upstream got an "
                          "answer (" + how + (tcp_connected ? "; TCP connects, then waits" : "") +
                          "): the resolver's upstream is failing, not the path to it",
                      "The path to this resolver and the resolver itself are fine; what it forwards to is not. Check "
                      "its upstream: the ISP's DNS servers or the forwarder setting of the router/DNS server, and the "
                      "router's WAN link (`nettool ping` an Internet address). Meanwhile point clients at another "
                      "resolver.");
        d.evidence = {local_ev, udp_ev, tcp_ev, icmp_ev};
        out.push_back(std::move(d));
        return out;
    }

    if (total_malformed > 0) {
        auto d = make(code::malformed_answer, Severity::warning,
                      server + " sent " + std::to_string(total_malformed) + " answers that do not parse as DNS messages",
                      "Clients discard broken answers and retry or fail. Look for a DNS proxy, router ALG or captive "
                      "portal rewriting DNS, or update the DNS service.");
        d.evidence = malformed_evidence();
        out.push_back(std::move(d));
    }

    if (udp.sent > 0 && udp.answered == 0 && local.answered == 0) {
        if (udp.connection_refused == udp.sent) {
            auto d = make(code::port_closed, Severity::critical,
                          "nothing listens for DNS over UDP on " + server + " (port unreachable), though TCP answers",
                          "The DNS service on " + address + " does not listen on UDP port " +
                              std::to_string(p.server.port) +
                              ": fix its configuration (listen on UDP) or point clients at a working resolver; "
                              "almost every client asks over UDP first.");
            d.evidence = {udp_ev, tcp_ev, icmp_ev};
            out.push_back(std::move(d));
        } else if (udp.bad_responses < udp.sent) {
            std::string works = tcp.answered > 0 ? "answers DNS over TCP" : "answers large queries";
            if (echo.replies > 0) works = "answers ping and " + works;
            auto d = make(code::udp_blocked, Severity::critical,
                          address + " " + works + ", but 0 of " + std::to_string(udp.sent) +
                              " DNS queries over UDP were answered: UDP/53 is being dropped between here and the "
                              "resolver",
                          udp_blocked_advice);
            d.evidence = {udp_ev, tcp_ev, local_ev, icmp_ev};
            out.push_back(std::move(d));
        }
    } else if (udp.answered + udp.bad_responses < udp.sent) {
        const double loss = udp.loss_fraction();
        auto d = make(code::packet_loss, loss >= 0.5 ? Severity::critical : Severity::warning,
                      percent_text(loss) + " of DNS queries over UDP to " + server + " got no answer (" +
                          std::to_string(udp.sent - udp.answered) + " of " + std::to_string(udp.sent) + ")",
                      "Lost queries make applications wait for a retry (typically 1 to 5 s each), so lookups are "
                      "slow or fail at random. Check the link and its speed/duplex (`nettool link`), an overloaded "
                      "router or Wi-Fi, and whether the resolver rate-limits this client.");
        d.evidence = {udp_ev, icmp_ev};
        if (large.sent > 0 && large.answered == 0) {
            d.evidence.push_back(Evidence{"large answer probe", describe_single(p.large),
                                          "", "not judged separately while small queries are being lost"});
        }
        out.push_back(std::move(d));
    }

    if (tcp.sent > 0 && tcp.answered == 0 && tcp.bad_responses == 0 && udp.answered > 0) {
        auto d = make(code::tcp_blocked, Severity::warning,
                      server + " answers over UDP but DNS over TCP fails (" + describe_single(p.tcp) +
                          "): truncated answers, large records and DNSSEC will break",
                      "Allow TCP port 53 to the resolver in the firewall (and make sure the DNS service accepts TCP): "
                      "answers that do not fit in one UDP packet are fetched over TCP, so without it some names fail.");
        d.evidence = {tcp_ev, udp_ev};
        if (large.any_truncated) {
            d.evidence.push_back(Evidence{"large answer over UDP", describe_single(p.large), "",
                                          "the server truncated it, so a client must retry over TCP"});
        }
        out.push_back(std::move(d));
    }

    if (large_check.status == LargeStatus::dropped) {
        auto d = make(code::large_response_dropped, Severity::warning,
                      "small answers from " + server + " arrive (" + std::to_string(udp.answered) + " of " +
                          std::to_string(udp.sent) + "), but the large answer never did: large or fragmented UDP "
                          "packets are being dropped",
                      "Large DNS answers (DNSSEC, many records) are split into IP fragments or exceed the path MTU, "
                      "and something on the path drops them: a firewall that filters fragments or a link with a "
                      "smaller MTU. Allow IP fragments, fix the MTU, or set the resolver's EDNS buffer to 1232 so "
                      "large answers come truncated and are fetched over TCP.");
        d.evidence = {large_ev, udp_ev, tcp_ev};
        out.push_back(std::move(d));
    }

    // The user's names only (the large probe asks another name).
    QuerySummary names_rc;
    for (const auto* s : {&udp, &tcp}) {
        names_rc.answered += s->answered;
        for (const auto& [rcode, n] : s->rcodes) names_rc.rcodes[rcode] += n;
    }
    auto names_count = [&](int rcode) {
        auto it = names_rc.rcodes.find(rcode);
        return it == names_rc.rcodes.end() ? 0 : it->second;
    };
    bool question_missing = false;
    for (const auto* group : {&p.udp, &p.tcp}) {
        for (const auto& q : *group) question_missing = question_missing || (q.status == QueryStatus::answered && q.question_missing);
    }
    Evidence rcode_ev{"response codes (UDP and TCP)", rcode_list(names_rc) +
                          (question_missing ? " (answers without a question section)" : ""),
                      "NOERROR or NXDOMAIN", query_source(p, p.udp, "UDP")};
    if (int n = names_count(rcode_servfail); n > 0) {
        bool all = n == names_rc.answered;
        auto d = make(code::servfail, all ? Severity::critical : Severity::warning,
                      server + " answered SERVFAIL to " + std::to_string(n) + " of " + std::to_string(names_rc.answered) +
                          " queries: it is reachable but cannot resolve " + (all ? "the names" : "some names") + " itself",
                      all ? "The resolver works as a server but fails to resolve: its own upstream connection, forwarders "
                            "or DNSSEC validation are broken (or the domain's servers are). Check the resolver's upstream "
                            "connectivity and logs, or use another resolver meanwhile."
                          : "The resolver answers other names, so the fault is with the failing names' own servers or "
                            "their DNSSEC signatures (or the resolver's validation of them); the path to the resolver "
                            "is fine. Check the failing domain (its name servers, its DS/DNSKEY records).");
        d.evidence = {rcode_ev, udp_ev};
        out.push_back(std::move(d));
    }
    if (int n = names_count(rcode_refused); n > 0) {
        bool all = n == names_rc.answered;
        auto d = make(code::refused, all ? Severity::critical : Severity::warning,
                      server + " answered REFUSED to " + std::to_string(n) + " of " + std::to_string(names_rc.answered) +
                          " queries: it will not resolve names for this client",
                      "This server does not offer recursion to this address: it is not the resolver for this network "
                      "(a wrong DNS server setting, e.g. left over from an old router), its access list excludes "
                      "this client, or it has no upstream configured. Use the resolver your network provides, or "
                      "allow this network in its ACL / give it an upstream.");
        d.evidence = {rcode_ev, udp_ev, tcp_ev};
        out.push_back(std::move(d));
    }
    // Names that exist everywhere (the defaults) answered NXDOMAIN: the resolver filters, hijacks or is not
    // connected to the public DNS tree. A name the user chose may simply not exist.
    if (all_default && names_rc.answered > 0 && names_count(rcode_nxdomain) == names_rc.answered) {
        auto d = make(code::nxdomain_for_known_names, Severity::critical,
                      server + " answered NXDOMAIN (no such name) for " + std::to_string(names_rc.answered) + " of " +
                          std::to_string(names_rc.answered) + " queries for names that exist (" +
                          join(default_names(), ", ") + ")",
                      "The resolver answers, but not from the public DNS: it filters or blocks these names, hijacks "
                      "answers, or is an internal/lab server that does not resolve Internet names. Check its "
                      "forwarders and blocklists, or use another resolver.");
        d.evidence = {rcode_ev, udp_ev};
        out.push_back(std::move(d));
    }

    if (udp.median_rtt_ms && *udp.median_rtt_ms > high_latency_ms) {
        auto d = make(code::high_latency, Severity::warning,
                      "DNS answers from " + server + " take " + ms_text(*udp.median_rtt_ms) + " (median over " +
                          std::to_string(udp.answered) + " UDP queries), above " + ms_text(high_latency_ms),
                      "Every name lookup delays applications by this much. Look for a congested or overloaded uplink "
                      "or router, or a distant or overloaded resolver; a nearby caching resolver helps.");
        Evidence latency{"median UDP RTT", ms_text(*udp.median_rtt_ms), "<= " + ms_text(high_latency_ms),
                         query_source(p, p.udp, "UDP")};
        d.evidence = {latency, udp_ev, icmp_ev};
        out.push_back(std::move(d));
    }

    if (out.empty()) {
        std::string summary = server + " works: " + std::to_string(udp.answered) + " of " +
                              std::to_string(udp.sent) + " UDP queries answered";
        if (udp.median_rtt_ms) summary += " (median " + ms_text(*udp.median_rtt_ms) + ")";
        if (tcp.answered > 0) summary += ", TCP answers";
        if (large_check.status == LargeStatus::ok) summary += ", large answers arrive";
        if (large_check.status == LargeStatus::inconclusive) {
            summary += "; large answers not tested (largest " + std::to_string(large_check.largest_bytes) + " bytes)";
        }
        auto d = make(code::ok, Severity::info, summary, "Nothing to do for this resolver.");
        d.evidence = {udp_ev, tcp_ev, large_ev, icmp_ev};
        if (large_check.status == LargeStatus::inconclusive) {
            d.evidence.push_back(Evidence{"note", "the large-answer check is inconclusive", "an answer above " +
                                              std::to_string(large_answer_bytes) + " bytes",
                                          "use --large-name with a name whose TXT or DNSKEY answer is large"});
        }
        out.push_back(std::move(d));
    }
    return out;
}

bool resolver_works(const ResolverReport& report) {
    return worst_severity(report.diagnoses) != Severity::critical;
}

bool ReachCheck::reachable() const {
    return std::any_of(echoes.begin(), echoes.end(), [](const EchoProbe& e) { return e.status == EchoOutcome::reply; });
}

void diagnose_overall(DnsCheckResult& result) {
    result.diagnoses.clear();
    Verdict v;
    const std::size_t total = result.servers.size();
    for (const auto& s : result.servers) {
        if (resolver_works(s)) v.working_resolvers.push_back(s.probes.server.to_string());
    }
    // Only what getaddrinfo showed: NXDOMAIN for a name known to exist is a failure, for a name the user chose
    // it says nothing about resolution in general.
    switch (result.system.status) {
        case LookupStatus::resolved: v.applications_can_resolve = true; break;
        case LookupStatus::no_such_name:
            if (result.names_are_defaults) v.applications_can_resolve = false;
            break;
        case LookupStatus::failed:
        case LookupStatus::no_answer: v.applications_can_resolve = false; break;
        case LookupStatus::not_run: break;
    }
    // Without a configured resolver a resolved name came from /etc/hosts or glibc's fallback to 127.0.0.1: it
    // says nothing about names in general.
    if (total == 0) v.applications_can_resolve.reset();

    // The system stub resolver asks the servers in file order and waits its timeout for each dead one: with a
    // dead first server and a working later one, applications resolve, only late.
    std::string dead_first;
    const bool from_file = total > 0 && result.servers.front().probes.source != "--server";
    if (from_file && !result.stub_rotate && !resolver_works(result.servers.front()) && !v.working_resolvers.empty() &&
        (result.system.status == LookupStatus::no_answer ||
         (result.system.status == LookupStatus::failed && result.system.elapsed_ms >= result.timeout_ms * 0.9))) {
        v.failover_wait_s = result.stub_timeout_s;
        dead_first = result.servers.front().probes.server.address.to_string();
        v.applications_can_resolve = true;
    }

    Evidence system_ev;
    if (result.system.status != LookupStatus::not_run) {
        std::string observed = to_string(result.system.status);
        if (result.system.status == LookupStatus::resolved) {
            observed = "resolved to " + join(result.system.addresses, ", ");
        } else if (result.system.status == LookupStatus::no_answer) {
            observed = "no answer within " + ms_text(result.timeout_ms);
        } else if (!result.system.error.empty()) {
            observed += ": " + result.system.error;
        }
        observed += " (" + ms_text(result.system.elapsed_ms) + ")";
        system_ev = Evidence{"system resolver (getaddrinfo) for " + display_name(result.system.name), observed, "",
                             "getaddrinfo"};
    }
    Evidence reach_ev;
    if (result.reach.attempted) {
        EchoSummary e = summarize_echo(result.reach.echoes, result.reach.unavailable);
        reach_ev = Evidence{"ping " + result.reach.target.to_string() + " (" + result.reach.target_source + ")",
                            echo_text(e, result.reach.unavailable), "", "ping " + result.reach.target.to_string()};
    }
    const bool reach_ok = result.reach.attempted && result.reach.reachable();
    const bool reach_tested = result.reach.attempted && result.reach.unavailable.empty() &&
                              !result.reach.echoes.empty();

    if (total == 0) {
        auto d = make(code::no_resolver, Severity::critical,
                      "no DNS resolver is configured: " +
                          (result.resolver_files.empty() ? std::string("no file named one")
                                                         : "none in " + join(result.resolver_files, ", ")),
                      "Configure a resolver: check DHCP on this machine, or add a 'nameserver' line to "
                      "/etc/resolv.conf (or the file your network manager writes), or pass --server to test one.");
        for (const auto& f : result.resolver_files) d.evidence.push_back(Evidence{"resolver file", "no usable nameserver line", "", f});
        if (!system_ev.what.empty()) d.evidence.push_back(system_ev);
        result.diagnoses.push_back(std::move(d));
    }

    const bool names_fail = v.applications_can_resolve.has_value() ? !*v.applications_can_resolve
                                                                    : v.working_resolvers.empty();
    if (reach_ok && names_fail) {
        auto d = make(code::ip_works_names_fail, Severity::critical,
                      "IP traffic works (" + result.reach.target.to_string() + " answers ping) but names do not " +
                          "resolve: the fault is in DNS, not in the connection",
                      "Fix name resolution, not the connection: see the resolver diagnoses for where DNS breaks.");
        d.evidence.push_back(reach_ev);
        if (!system_ev.what.empty()) d.evidence.push_back(system_ev);
        d.evidence.push_back(Evidence{"resolvers that work", std::to_string(v.working_resolvers.size()) + " of " +
                                                                  std::to_string(total), "", "probes above"});
        result.diagnoses.push_back(std::move(d));
    }
    if (v.failover_wait_s) {
        auto d = make(code::resolver_failover_delay, Severity::warning,
                      "applications resolve only after a wait of " + std::to_string(*v.failover_wait_s) +
                          " s per lookup: the system resolver asks the first nameserver " + dead_first +
                          " first, which does not work, and waits its timeout (" + std::to_string(*v.failover_wait_s) +
                          " s, resolv.conf options timeout) before it asks " + v.working_resolvers.front(),
                      "Remove or replace the dead first nameserver (in the DHCP server or router settings that hand "
                      "it out, or in the resolver configuration); until then every new name costs that wait.");
        d.evidence.push_back(system_ev);
        d.evidence.push_back(Evidence{"resolvers that work", join(v.working_resolvers, ", "), "",
                                      "probes above"});
        d.evidence.push_back(Evidence{"stub resolver timeout", std::to_string(result.stub_timeout_s) + " s, " +
                                                                   std::to_string(result.stub_attempts) + " attempts",
                                      "", join(result.resolver_files, ", ") + " (options timeout/attempts; glibc "
                                                                               "defaults 5 s, 2)"});
        result.diagnoses.push_back(std::move(d));
    } else if (v.applications_can_resolve == false && !v.working_resolvers.empty()) {
        auto d = make(code::system_resolver_failed, Severity::critical,
                      "applications cannot resolve " + display_name(result.system.name) + " although " +
                          join(v.working_resolvers, ", ") + " answer" + (v.working_resolvers.size() == 1 ? "s" : ""),
                      "The system resolver asks the configured servers in order and waits seconds for each dead "
                      "one before the next: remove or replace the failing resolvers in the configuration. Also check "
                      "/etc/nsswitch.conf and resolv.conf options.");
        d.evidence.push_back(system_ev);
        result.diagnoses.push_back(std::move(d));
    }
    if (reach_tested && !reach_ok) {
        auto d = make(code::reach_failed, Severity::warning,
                      result.reach.target.to_string() + " (" + result.reach.target_source +
                          ") does not answer ping either: the problem may be the connection, not DNS",
                      "Check the connection first (`nettool ping`, cabling, the router); if this address simply "
                      "does not answer ping, pass another one with --reach.");
        d.evidence.push_back(reach_ev);
        result.diagnoses.push_back(std::move(d));
    }

    // The most likely fault: the worst resolver finding, first resolver first.
    std::string fault_server;
    Severity fault_severity = Severity::info;
    for (const auto& s : result.servers) {
        for (const auto& d : s.diagnoses) {
            if (d.severity > fault_severity) {
                fault_severity = d.severity;
                v.most_likely_fault = d.code;
                fault_server = s.probes.server.to_string();
            }
        }
    }
    for (const auto& d : result.diagnoses) {
        if (d.severity > fault_severity && d.code != code::ip_works_names_fail) {
            fault_severity = d.severity;
            v.most_likely_fault = d.code;
            fault_server.clear();
        }
    }

    bool problem = has_problem(result.diagnoses);
    for (const auto& s : result.servers) problem = problem || has_problem(s.diagnoses);
    if (v.most_likely_fault.empty()) v.most_likely_fault = problem ? "unknown" : code::ok;

    if (!problem) {
        v.status = "ok";
        auto d = make(code::ok, Severity::info,
                      (total == 1 ? std::string("the resolver works") : "all " + std::to_string(total) + " resolvers work") +
                          (v.applications_can_resolve == true ? " and applications can resolve names" : ""),
                      "Nothing to do.");
        if (!system_ev.what.empty()) d.evidence.push_back(system_ev);
        if (!reach_ev.what.empty()) d.evidence.push_back(reach_ev);
        result.diagnoses.push_back(std::move(d));
    } else if (v.working_resolvers.empty() || v.applications_can_resolve == false) {
        v.status = "failing";
    } else {
        v.status = "degraded";
    }

    std::string summary;
    if (total == 0) {
        summary = "no resolver configured";
    } else {
        if (total == 1) {
            summary = v.working_resolvers.empty() ? "the resolver does not work" : "the resolver works";
        } else {
            summary = std::to_string(v.working_resolvers.size()) + " of " + std::to_string(total) + " resolvers work";
        }
    }
    // getaddrinfo asks the system's configured resolvers, not the --server ones: say so when they differ.
    const std::string looked_up =
        display_name(result.system.name) +
        (total > 0 && result.servers.front().probes.source == "--server"
             ? std::string(" (through the system's resolver configuration, not --server)")
             : std::string());
    switch (result.system.status) {
        case LookupStatus::not_run: break;
        case LookupStatus::resolved:
            summary += total == 0 ? "; getaddrinfo still resolved " + looked_up +
                                        " (from /etc/hosts or glibc's fallback to 127.0.0.1, not from a resolver)"
                                  : "; applications can resolve " + looked_up;
            break;
        case LookupStatus::no_such_name:
            summary += result.names_are_defaults
                           ? "; applications get NXDOMAIN (no such name) for " + looked_up + ", a name that exists"
                           : "; " + looked_up + " does not exist (the resolver answered NXDOMAIN)";
            break;
        case LookupStatus::failed:
        case LookupStatus::no_answer:
            if (v.failover_wait_s) {
                summary += "; applications resolve " + looked_up + " only after the stub resolver's " +
                           std::to_string(*v.failover_wait_s) + " s timeout on the dead first resolver " + dead_first;
            } else {
                summary += "; applications cannot resolve " + looked_up +
                           (result.system.status == LookupStatus::no_answer
                                ? " (no answer within " + ms_text(result.timeout_ms) + ")"
                                : " (" + result.system.error + ")");
            }
            break;
    }
    if (result.reach.attempted && reach_tested) {
        summary += std::string("; ") + result.reach.target.to_string() + (reach_ok ? " answers" : " does not answer") +
                   " ping";
    }
    if (v.most_likely_fault != code::ok) {
        summary += "; most likely fault: " + v.most_likely_fault + (fault_server.empty() ? "" : " (" + fault_server + ")");
    }
    v.summary = summary;
    result.verdict = std::move(v);
}

ExitStatus dnscheck_exit_status(const DnsCheckResult& result) {
    if (result.servers.empty()) return ExitStatus::cannot_run;
    bool problem = has_problem(result.diagnoses);
    for (const auto& s : result.servers) problem = problem || has_problem(s.diagnoses);
    return problem ? ExitStatus::problem : ExitStatus::ok;
}

}  // namespace nettool::dnscheck
