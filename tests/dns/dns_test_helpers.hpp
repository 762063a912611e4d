#pragma once
// Helpers for the DNS tests: real DNS servers on loopback (our scripted Python server, dnsmasq), a UDP socket that
// never answers, a port with nothing listening, and a synchronous wrapper around DnsClient::query.
#include "nettool/io/dns_client.hpp"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace nettool::test {

// A child process killed (SIGTERM, then SIGKILL) and reaped on destruction.
class ChildProcess {
public:
    explicit ChildProcess(const std::vector<std::string>& argv);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    bool running();
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
};

// tests/dns/fake_dns_server.py on `address` (127.0.0.1 or ::1); nullopt (with the reason) when it cannot start.
class FakeDnsServer {
public:
    static std::optional<FakeDnsServer> start(const std::string& address, std::string& why_not);
    DnsServer server() const { return server_; }

private:
    FakeDnsServer() = default;
    std::shared_ptr<ChildProcess> process_;
    std::shared_ptr<void> dir_;
    DnsServer server_;
};

// dnsmasq on 127.0.0.1:<free port> with the given extra arguments (--txt-record=..., --address=...).
class Dnsmasq {
public:
    static std::optional<Dnsmasq> start(const std::vector<std::string>& records, std::string& why_not);
    DnsServer server() const { return server_; }

private:
    Dnsmasq() = default;
    std::shared_ptr<ChildProcess> process_;
    DnsServer server_;
};

// A DNS server on 127.0.0.1 that never answers: a bound UDP socket that is never read and, on the same port, a
// listening TCP socket whose connections are never accepted (they complete in the backlog and then stay silent).
// With `drop_syns`, the TCP backlog is full from the start (filled by a connection of our own), so the kernel drops
// every further SYN and a client's connect stays pending, as behind a firewall that drops TCP/53.
class SilentDnsServer {
public:
    explicit SilentDnsServer(bool drop_syns = false);
    ~SilentDnsServer();
    SilentDnsServer(const SilentDnsServer&) = delete;
    SilentDnsServer& operator=(const SilentDnsServer&) = delete;
    DnsServer server() const { return server_; }

private:
    int udp_ = -1;
    int tcp_ = -1;
    int backlog_filler_ = -1;
    DnsServer server_;
};

// A loopback port (UDP and TCP) with nothing listening right now.
std::uint16_t unused_port();
// Whether `binary` is on PATH.
bool have_program(const std::string& binary);

// Runs one query to completion on a private io_context.
DnsResult query_now(const std::string& name, std::uint16_t type, const DnsQueryOptions& options);
DnsQueryOptions options_for(const DnsServer& server);

}  // namespace nettool::test
