// The concurrent driver never changes a result: check_host() run over a resolver that answers the lookups it was
// sent (needed and sent ahead) in every order, with failing names answered early, late or last, gives exactly the
// result of plain sequential evaluation, which asks one name at a time and only the names it reaches.
#include "nettool/spf/check_host.hpp"
#include "nettool/wire/dns_message.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace nettool;
using namespace nettool::spf;

namespace {

// The answer the table gives for one key (TableResolver answers in rounds; one key, one round).
LookupAnswer ask(TableResolver& table, const LookupKey& key) {
    LookupAnswer out;
    table.lookup(key, [&](LookupAnswer answer) { out = std::move(answer); });
    table.run();
    return out;
}

// Answers pending lookups one at a time, in an order drawn from `seed` (or newest first), so a timeout sent
// ahead can arrive before, between or after the answers sequential evaluation needs.
class ShuffledResolver : public Resolver {
public:
    ShuffledResolver(TableResolver& table, std::uint32_t seed, bool newest_first)
        : table_(table), random_(seed), newest_first_(newest_first) {}
    void lookup(const LookupKey& key, std::function<void(LookupAnswer)> done) override {
        pending_.emplace_back(key, std::move(done));
    }
    void run() override {
        while (!pending_.empty()) {
            std::uniform_int_distribution<std::size_t> any(0, pending_.size() - 1);
            std::size_t pick = newest_first_ ? pending_.size() - 1 : any(random_);
            auto [key, done] = std::move(pending_[pick]);
            pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(pick));
            LookupAnswer answer;
            if (cancelled_) {
                answer.status = LookupStatus::timeout;
                answer.detail = "cancelled";
            } else {
                answer = ask(table_, key);
            }
            done(std::move(answer));
        }
        cancelled_ = false;
    }
    void cancel_all() override { cancelled_ = true; }

private:
    TableResolver& table_;
    std::mt19937 random_;
    bool newest_first_;
    bool cancelled_ = false;
    std::vector<std::pair<LookupKey, std::function<void(LookupAnswer)>>> pending_;
};

CheckRequest request_for(const char* ip, const char* sender) {
    CheckRequest request;
    request.ip = *IpAddress::parse(ip);
    request.sender = sender;
    request.helo = "mail.example.com";
    return request;
}

CheckResult sequential(TableResolver& table, const CheckRequest& request) {
    DnsView view;
    for (int i = 0; i < 1000; ++i) {
        try {
            return check_host(view, request);
        } catch (const NeedLookup& need) {
            view.store(need.key, ask(table, need.key));
        }
    }
    FAIL("sequential evaluation did not finish");
    return {};
}

// Runs every order and compares result, reason, lookups and void lookups with sequential evaluation.
void same_in_every_order(TableResolver& table, const CheckRequest& request, SpfResult expected, int orders = 300) {
    CheckResult reference = sequential(table, request);
    CHECK(reference.result == expected);
    std::function<CheckResult(DnsView&)> compute = [&](DnsView& view) { return check_host(view, request); };
    for (int order = 0; order <= orders; ++order) {
        ShuffledResolver resolver(table, static_cast<std::uint32_t>(order), order == orders);
        DriverStats stats;
        auto result = run_with_dns(resolver, compute, check_host_prefetcher(request), &stats);
        REQUIRE(result.ok());
        INFO("order " << order << ": " << result->reason << " / sequential: " << reference.reason);
        REQUIRE(to_string(result->result) == std::string(to_string(reference.result)));
        REQUIRE(result->reason == reference.reason);
        REQUIRE(result->lookups == reference.lookups);
        REQUIRE(result->void_lookups == reference.void_lookups);
        REQUIRE(result->mechanism == reference.mechanism);
    }
}

}  // namespace

TEST_CASE("a timeout sent ahead does not surface when the void limit stops evaluation first") {
    // The case from the issue: the references stop at a permerror before reaching the name that times out.
    TableResolver table;
    table.txt("example.com", {"v=spf1 a:nx1.example.com mx:nx2.example.com exists:nx3.example.com "
                              "include:slow.example.net -all"});
    table.status("slow.example.net", dns_type::txt, LookupStatus::timeout);
    same_in_every_order(table, request_for("192.0.2.1", "a@example.com"), SpfResult::permerror);
}

TEST_CASE("a timeout or error sent ahead does not surface after the first match") {
    TableResolver table;
    table.txt("example.com", {"v=spf1 include:inc.example.com a:slow.example.net mx:broken.example.net -all"});
    table.txt("inc.example.com", {"v=spf1 ip4:192.0.2.0/24 include:slow.example.net -all"});
    table.status("slow.example.net", dns_type::a, LookupStatus::timeout);
    table.status("slow.example.net", dns_type::txt, LookupStatus::timeout);
    table.status("broken.example.net", dns_type::mx, LookupStatus::error);
    same_in_every_order(table, request_for("192.0.2.7", "a@example.com"), SpfResult::pass);
    same_in_every_order(table, request_for("198.51.100.7", "a@example.com"), SpfResult::temperror);
}

TEST_CASE("a timeout sent ahead does not surface when the lookup limit stops evaluation first") {
    TableResolver table;
    std::string record = "v=spf1";
    for (int i = 0; i < 10; ++i) {
        std::string host = "h" + std::to_string(i) + ".example.com";
        record += " a:" + host;
        table.address(host, "198.51.100." + std::to_string(i + 1));
    }
    table.txt("example.com", {record + " a:slow.example.net redirect=slow.example.net"});
    table.status("slow.example.net", dns_type::a, LookupStatus::timeout);
    table.status("slow.example.net", dns_type::txt, LookupStatus::timeout);
    same_in_every_order(table, request_for("192.0.2.1", "a@example.com"), SpfResult::permerror);
}

TEST_CASE("timeouts inside MX hosts, PTR names and redirects give the sequential answer in every order") {
    TableResolver table;
    table.txt("example.com", {"v=spf1 ptr mx:mx.example.com redirect=next.example.com"});
    table.ptr("1.2.0.192.in-addr.arpa", {"p1.example.com", "p2.example.com", "p3.other.net"});
    table.address("p1.example.com", "198.51.100.1");
    table.status("p2.example.com", dns_type::a, LookupStatus::timeout);  // skipped (RFC 7208 5.5)
    table.mx("mx.example.com", {"m1.example.com", "m2.example.com"});
    table.address("m1.example.com", "2001:db8::1");  // no A: a void lookup
    table.address("m2.example.com", "198.51.100.2");
    table.txt("next.example.com", {"v=spf1 exists:nx.example.com include:slow.example.net ~all"});
    table.status("slow.example.net", dns_type::txt, LookupStatus::timeout);
    // p3.other.net answers NXDOMAIN (void 1), m1 has no A (void 2), nx.example.com (void 3): permerror before
    // slow.example.net is reached.
    same_in_every_order(table, request_for("192.0.2.1", "a@example.com"), SpfResult::permerror);

    table.address("p3.other.net", "192.0.2.99");
    // Now two voids: evaluation reaches slow.example.net, and its timeout is the answer.
    same_in_every_order(table, request_for("192.0.2.1", "a@example.com"), SpfResult::temperror);
}

TEST_CASE("void lookups are counted where pyspf and Mail::SPF count them, and listed with their terms") {
    TableResolver table;
    // An IPv6 client: the MX hosts have only A records, so each AAAA lookup is void.
    table.txt("example.com", {"v=spf1 mx:mx.example.com ip6:2001:db8:1::/48 -all"});
    table.mx("mx.example.com", {"m1.example.com", "m2.example.com"});
    table.address("m1.example.com", "192.0.2.1");
    table.address("m2.example.com", "192.0.2.2");
    auto r = sequential(table, request_for("2001:db8:1::9", "a@example.com"));
    CHECK(r.result == SpfResult::pass);
    CHECK(r.void_lookups == 2);
    REQUIRE(r.void_terms.size() == 2);
    CHECK(r.void_terms[0].term == "mx:mx.example.com");
    CHECK(r.void_terms[0].query == "AAAA m1.example.com");
    CHECK(r.void_terms[1].query == "AAAA m2.example.com");

    // A ptr whose PTR query is NXDOMAIN is void; with two more in an include, the third is permerror.
    TableResolver ptr;
    ptr.txt("example.com", {"v=spf1 ptr include:inc.example.com -all"});
    ptr.txt("inc.example.com", {"v=spf1 a:nx1.example.com a:nx2.example.com -all"});
    auto p = sequential(ptr, request_for("192.0.2.1", "a@example.com"));
    CHECK(p.result == SpfResult::permerror);
    REQUIRE(p.void_terms.size() == 3);
    CHECK(p.void_terms[0].query == "PTR 1.2.0.192.in-addr.arpa");
    CHECK(p.void_terms[0].status == LookupStatus::nxdomain);
    CHECK(p.void_terms[2].domain == "inc.example.com");
    CHECK(p.reason.find("a:nx2.example.com") != std::string::npos);

    // A DNS error on the PTR query is temperror, as both references answer (RFC 7208 5.5 says "no match").
    TableResolver ptr_error;
    ptr_error.txt("example.com", {"v=spf1 ptr ip4:192.0.2.1 -all"});
    ptr_error.status("1.2.0.192.in-addr.arpa", dns_type::ptr, LookupStatus::timeout);
    CHECK(sequential(ptr_error, request_for("192.0.2.1", "a@example.com")).result == SpfResult::temperror);
}
