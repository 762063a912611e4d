// HostResolver: the hosts-file parser (pure) and resolution through literals, a hosts file and real DNS on loopback.
#include "dns_test_helpers.hpp"
#include "test_support.hpp"

#include "nettool/io/host_resolver.hpp"

#include <catch2/catch.hpp>

using namespace nettool;
using namespace nettool::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> texts(const std::vector<IpAddress>& addresses) {
    std::vector<std::string> out;
    for (const auto& address : addresses) out.push_back(address.to_string());
    return out;
}

const FakeDnsServer* resolver_fake_server(std::string& why_not) {
    static std::string reason;
    static std::optional<FakeDnsServer> server = FakeDnsServer::start("127.0.0.1", reason);
    why_not = reason;
    return server ? &*server : nullptr;
}

// No hosts file and no default server: only literals and explicit servers can work.
HostResolveOptions isolated(HostFamily family = HostFamily::any) {
    HostResolveOptions options;
    options.family = family;
    options.hosts_path.clear();
    options.dns.timeout = 1000ms;
    return options;
}

Result<std::vector<IpAddress>> resolve_now(const std::string& host, const HostResolveOptions& options,
                                           std::vector<DnsServer> defaults = {}) {
    return resolve_host_blocking(host, options, std::move(defaults));
}

}  // namespace

TEST_CASE("parse_hosts_file: addresses, aliases, comments, zone ids and junk") {
    auto hosts = parse_hosts_file(
        "# /etc/hosts\n"
        "127.0.0.1\tlocalhost\n"
        "::1     localhost ip6-localhost ip6-loopback   # loopback\n"
        "\n"
        "   \t  \n"
        "192.0.2.10 web.example web   \r\n"
        "fe80::1%eth0 router.lan\n"
        "192.0.2.11 WEB.example.\n"
        "not-an-address name\n"
        "192.0.2.12\n"
        "300.1.1.1 broken\n"
        "192.0.2.13 " + std::string(256, 'n') + "\n"
        "192.0.2.14 last-line-without-newline");
    CHECK(hosts.skipped_lines == 4);
    REQUIRE(hosts.entries.size() == 6);
    CHECK(hosts.entries[1].names == std::vector<std::string>{"localhost", "ip6-localhost", "ip6-loopback"});
    CHECK(hosts.entries[3].address.to_string() == "fe80::1");
    CHECK(hosts.entries[5].names == std::vector<std::string>{"last-line-without-newline"});

    CHECK(texts(hosts.lookup("localhost")) == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(texts(hosts.lookup("LOCALHOST.", HostFamily::v4)) == std::vector<std::string>{"127.0.0.1"});
    CHECK(texts(hosts.lookup("localhost", HostFamily::v6)) == std::vector<std::string>{"::1"});
    CHECK(texts(hosts.lookup("web.example")) == std::vector<std::string>{"192.0.2.10", "192.0.2.11"});
    CHECK(texts(hosts.lookup("web")) == std::vector<std::string>{"192.0.2.10"});
    CHECK(texts(hosts.lookup("router.lan")) == std::vector<std::string>{"fe80::1"});
    CHECK(hosts.lookup("broken").empty());
    CHECK(hosts.lookup("nothing").empty());
    CHECK(hosts.lookup("").empty());
    CHECK(hosts.lookup("web", HostFamily::v6).empty());

    CHECK(parse_hosts_file("").entries.empty());
    CHECK(parse_hosts_file("\n\n#only comments\n").skipped_lines == 0);
    auto duplicates = parse_hosts_file("192.0.2.1 a\n192.0.2.1 a b\n");
    CHECK(texts(duplicates.lookup("a")) == std::vector<std::string>{"192.0.2.1"});
    // Binary junk is counted, not fatal.
    static const char binary[] = "\x00\xff\xfe garbage\n\x01\x02";
    auto junk = parse_hosts_file(std::string(binary, sizeof binary - 1));
    CHECK(junk.entries.empty());
    CHECK(junk.skipped_lines == 2);
}

TEST_CASE("read_hosts_file reads a file and reports an unreadable one") {
    TempDir dir;
    write_file(dir.path() / "hosts", "192.0.2.5 printer\n");
    auto hosts = read_hosts_file((dir.path() / "hosts").string());
    REQUIRE(hosts.ok());
    CHECK(texts(hosts->lookup("printer")) == std::vector<std::string>{"192.0.2.5"});
    auto missing = read_hosts_file((dir.path() / "missing").string());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::environment);
    CHECK(to_string(HostFamily::v6) == std::string("v6"));
}

TEST_CASE("HostResolver: literals come back without DNS, families are checked") {
    auto v4 = resolve_now("192.0.2.7", isolated());
    REQUIRE(v4.ok());
    CHECK(texts(*v4) == std::vector<std::string>{"192.0.2.7"});
    CHECK(texts(*resolve_now("::1", isolated(HostFamily::v6))) == std::vector<std::string>{"::1"});
    CHECK(texts(*resolve_now("[2001:db8::5]", isolated())) == std::vector<std::string>{"2001:db8::5"});

    auto mismatch = resolve_now("192.0.2.7", isolated(HostFamily::v6));
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().kind == ErrorKind::input);
    CHECK(mismatch.error().message.find("IPv6") != std::string::npos);
    CHECK_FALSE(resolve_now("::1", isolated(HostFamily::v4)).ok());

    for (const std::string& bad : {std::string(""), std::string("has space"), std::string(300, 'x'),
                                  std::string(70, 'x') + ".example", std::string("a..b")}) {
        INFO(bad);
        auto result = resolve_now(bad, isolated(), {DnsServer{IpAddress::v4(0x7F000001), unused_port()}});
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().kind == ErrorKind::input);
    }
    // A name with no server anywhere: could not run.
    auto no_server = resolve_now("a.test", isolated());
    REQUIRE_FALSE(no_server.ok());
    CHECK(no_server.error().kind == ErrorKind::environment);
}

TEST_CASE("HostResolver: the hosts file is consulted first") {
    TempDir dir;
    write_file(dir.path() / "hosts", "192.0.2.50 gateway.lan gw\n2001:db8::50 gateway.lan\n");
    auto options = isolated();
    options.hosts_path = (dir.path() / "hosts").string();
    // No DNS server configured at all: success proves DNS was not needed.
    CHECK(texts(*resolve_now("GW", options)) == std::vector<std::string>{"192.0.2.50"});
    CHECK(texts(*resolve_now("gateway.lan.", options)) == std::vector<std::string>{"192.0.2.50", "2001:db8::50"});
    options.family = HostFamily::v6;
    CHECK(texts(*resolve_now("gateway.lan", options)) == std::vector<std::string>{"2001:db8::50"});
    // A missing hosts file is an empty one.
    options.hosts_path = (dir.path() / "nope").string();
    CHECK_FALSE(resolve_now("gw", options).ok());
}

TEST_CASE("HostResolver: A and AAAA from a real DNS server, and clear errors") {
    std::string why_not;
    const FakeDnsServer* fake = resolver_fake_server(why_not);
    if (fake == nullptr) NETTOOL_SKIP(why_not);
    const std::vector<DnsServer> servers{fake->server()};

    CHECK(texts(*resolve_now("a.test", isolated(), servers)) == std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
    CHECK(texts(*resolve_now("a.test", isolated(HostFamily::v4), servers)) == std::vector<std::string>{"192.0.2.1"});
    CHECK(texts(*resolve_now("a.test", isolated(HostFamily::v6), servers)) == std::vector<std::string>{"2001:db8::1"});
    CHECK(texts(*resolve_now("cname.test", isolated(), servers)) ==
          std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
    CHECK(texts(*resolve_now("multi.test", isolated(), servers)) ==
          std::vector<std::string>{"192.0.2.1", "192.0.2.2", "192.0.2.3"});
    // Servers can also come per request.
    auto per_request = isolated();
    per_request.dns.servers = servers;
    CHECK(resolve_now("a.test", per_request).ok());

    auto nx = resolve_now("missing.test", isolated(), servers);
    REQUIRE_FALSE(nx.ok());
    CHECK(nx.error().kind == ErrorKind::input);
    CHECK(nx.error().describe().find("missing.test: no such host (NXDOMAIN from 127.0.0.1:") == 0);

    auto nodata = resolve_now("multi.test", isolated(HostFamily::v6), servers);
    REQUIRE_FALSE(nodata.ok());
    CHECK(nodata.error().kind == ErrorKind::input);
    CHECK(nodata.error().message == "the name has no IPv6 address");

    auto servfail = resolve_now("servfail.test", isolated(), servers);
    REQUIRE_FALSE(servfail.ok());
    CHECK(servfail.error().kind == ErrorKind::environment);
    CHECK(servfail.error().message.find("SERVFAIL") != std::string::npos);

    SilentDnsServer silent;
    auto quick = isolated();
    quick.dns.timeout = 200ms;
    const auto started = std::chrono::steady_clock::now();
    auto timeout = resolve_now("a.test", quick, {silent.server()});
    CHECK(std::chrono::steady_clock::now() - started < 400ms);  // A and AAAA concurrently, not one after the other
    REQUIRE_FALSE(timeout.ok());
    CHECK(timeout.error().kind == ErrorKind::environment);
    CHECK(timeout.error().message.find("DNS timeout") != std::string::npos);

    auto refused = resolve_now("a.test", isolated(), {DnsServer{IpAddress::v4(0x7F000001), unused_port()}});
    REQUIRE_FALSE(refused.ok());
    INFO(refused.error().describe());
    CHECK(refused.error().message.find("refused") != std::string::npos);
}

TEST_CASE("HostResolver: callbacks run once on the io_context, cancel_all and the destructor cancel") {
    SilentDnsServer silent;
    IoContext io;
    DnsClient dns(io, {silent.server()});
    int calls = 0;
    int cancelled = 0;
    auto count = [&](Result<std::vector<IpAddress>> result) {
        ++calls;
        if (!result.ok() && result.error().message.find("cancelled") != std::string::npos) ++cancelled;
    };
    {
        HostResolver resolver(dns);
        resolver.resolve("127.0.0.1", isolated(), count);
        CHECK(calls == 0);  // never inside resolve()
        resolver.resolve("a.test", isolated(), count);
        resolver.resolve("b.test", isolated(), count);
        CHECK(resolver.in_flight() == 2);
        io.run_for(30ms);
        CHECK(calls == 1);
        resolver.cancel_all();
        CHECK(resolver.in_flight() == 0);
        io.run_for(30ms);
        CHECK(calls == 3);
        CHECK(cancelled == 2);
        resolver.resolve("c.test", isolated(), count);
    }
    CHECK(calls == 4);  // the destructor completed the last one
    CHECK(cancelled == 3);
    dns.cancel_all();
    io.restart();
    io.run();
    CHECK(calls == 4);
}

TEST_CASE("search_candidates: the order glibc's res_search tries names in") {
    const std::vector<std::string> search{"office.lan", "corp.example."};
    CHECK(search_candidates("router", search, 1) ==
          std::vector<std::string>{"router.office.lan", "router.corp.example", "router"});
    CHECK(search_candidates("www.example.org", search, 1) ==
          std::vector<std::string>{"www.example.org", "www.example.org.office.lan", "www.example.org.corp.example"});
    CHECK(search_candidates("deep.name", search, 2) ==
          std::vector<std::string>{"deep.name.office.lan", "deep.name.corp.example", "deep.name"});
    CHECK(search_candidates("router.", search, 1) == std::vector<std::string>{"router"});
    CHECK(search_candidates("router", {}, 1) == std::vector<std::string>{"router"});
    CHECK(search_candidates("router", {"", "."}, 1) == std::vector<std::string>{"router"});
    CHECK(search_candidates("", search, 1).empty());
    CHECK(search_candidates(".", search, 1) == std::vector<std::string>{"."});
}

TEST_CASE("parse_nsswitch_hosts: services in order, actions left out, the last hosts line counts") {
    CHECK(parse_nsswitch_hosts("passwd: files\nhosts: files mdns4_minimal [NOTFOUND=return] dns myhostname\n") ==
          std::vector<std::string>{"files", "mdns4_minimal", "dns", "myhostname"});
    CHECK(parse_nsswitch_hosts("hosts:files dns\n") == std::vector<std::string>{"files", "dns"});
    CHECK(parse_nsswitch_hosts("hosts: dns\n# hosts: nis\nhosts: files\n") == std::vector<std::string>{"files"});
    CHECK(parse_nsswitch_hosts("hosts: files [ NOTFOUND=return ] dns\n") == std::vector<std::string>{"files", "dns"});
    CHECK(parse_nsswitch_hosts("passwd: files\n").empty());
    CHECK(parse_nsswitch_hosts("").empty());
}

namespace {

Result<HostResolution> resolve_detailed_now(const std::string& host, const HostResolveOptions& options,
                                            std::vector<DnsServer> defaults = {}) {
    IoContext io;
    DnsClient dns(io, std::move(defaults));
    std::optional<Result<HostResolution>> outcome;
    {
        HostResolver resolver(dns);
        resolver.resolve_detailed(host, options, [&outcome](Result<HostResolution> r) { outcome.emplace(std::move(r)); });
        io.run();
    }
    REQUIRE(outcome);
    return std::move(*outcome);
}

}  // namespace

TEST_CASE("HostResolver::resolve_detailed: where the answer came from and the name that answered") {
    TempDir dir;
    write_file(dir.path() / "hosts", "192.0.2.50 gateway.lan gw\n");
    auto options = isolated();
    options.hosts_path = (dir.path() / "hosts").string();
    auto alias = resolve_detailed_now("gw", options);
    REQUIRE(alias.ok());
    CHECK(alias->canonical_name == "gateway.lan");
    CHECK(alias->source == "hosts file");
    // Literals never reach a resolver, the system's included.
    auto system = isolated();
    system.lookup = HostLookup::system;
    auto literal = resolve_detailed_now("[2001:db8::7]", system);
    REQUIRE(literal.ok());
    CHECK(literal->source == "literal");
    CHECK(literal->canonical_name.empty());
    CHECK(texts(literal->addresses) == std::vector<std::string>{"2001:db8::7"});
    auto wrong_family = system;
    wrong_family.family = HostFamily::v4;
    CHECK(resolve_detailed_now("2001:db8::7", wrong_family).error().kind == ErrorKind::input);
}

TEST_CASE("HostResolver: a DNS timeout says how long was really waited (c-ares doubles the wait each round)") {
    SilentDnsServer silent;
    auto options = isolated(HostFamily::v4);
    options.dns.timeout = 200ms;
    options.dns.tries = 2;
    const auto started = std::chrono::steady_clock::now();
    auto timeout = resolve_now("a.test", options, {silent.server()});
    const auto waited = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(timeout.ok());
    INFO(timeout.error().message);
    CHECK(waited >= 550ms);  // 200 ms, then 400 ms: not "200 ms x 2"
    CHECK(timeout.error().message.find("after 0.6 s") != std::string::npos);
    CHECK(timeout.error().message.find("2 tries starting at 200 ms") != std::string::npos);
}
