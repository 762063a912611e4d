#pragma once
// dnscheck's probe transport: one query, its own socket on the run's io_context, the project's DNS codec on both
// sides. Unlike a resolver library it keeps what a diagnosis needs: any message from the server's address and
// port with our query id counts (REFUSED without a question section too), a message that does not parse is
// reported with the parse error and its size, ICMP port unreachable and TCP RST are told apart from silence, and
// a TCP connection that was set up but never answered is marked as such. See docs/architecture.md.
#include "nettool/io/event_loop.hpp"
#include "nettool/wire/dns_message.hpp"
#include "nettool/wire/dns_server.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace nettool::dnscheck {

struct WireQuery {
    std::string name;
    std::uint16_t type = dns_type::a;
    std::uint16_t klass = 1;
    bool tcp = false;
    bool recursion_desired = true;
    std::uint16_t edns_udp_size = 0;  // 0: no OPT record
    bool dnssec_ok = false;
};

enum class WireStatus { answered, malformed, timeout, refused, network_error, cancelled };

struct WireOutcome {
    WireStatus status = WireStatus::timeout;
    std::optional<DnsMessage> message;  // answered
    std::size_t bytes = 0;              // answered / malformed: the message's size
    std::string detail;                 // malformed: the parse error; network_error: the socket error
    std::chrono::microseconds elapsed{0};
    bool connected = false;             // TCP: the connection was set up
    int stray_datagrams = 0;            // UDP datagrams with another id (or not a response) that were ignored
};

class WireProber {
public:
    explicit WireProber(IoContext& io);
    ~WireProber();
    WireProber(const WireProber&) = delete;
    WireProber& operator=(const WireProber&) = delete;

    // Sends one query; `done` runs exactly once on the io_context (answer, failure, timeout or cancel_all()). A name
    // that cannot be encoded completes at once with network_error and the encoder's message.
    void query(const DnsServer& server, const WireQuery& query, std::chrono::milliseconds timeout,
               std::function<void(WireOutcome)> done);
    void cancel_all();

    struct Exchange;

private:
    IoContext& io_;
    std::mt19937 random_;
    std::vector<std::weak_ptr<Exchange>> exchanges_;
};

}  // namespace nettool::dnscheck
