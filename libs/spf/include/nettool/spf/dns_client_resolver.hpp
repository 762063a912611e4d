#pragma once
// The production Resolver: nettool's DnsClient (c-ares on one io_context), every lookup sent at once, bounded per
// query (timeout x tries) and per run (an overall deadline after which everything outstanding counts as a timeout).
#include "nettool/io/dns_client.hpp"
#include "nettool/spf/lookup.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <vector>

namespace nettool::spf {

struct DnsClientResolverOptions {
    std::vector<DnsServer> servers;  // empty: the client's default servers
    std::chrono::milliseconds timeout{2000};  // per try
    int tries = 2;
    std::chrono::milliseconds deadline{20000};  // whole run (RFC 7208 4.6.4 suggests at least 20 s)
};

class DnsClientResolver : public Resolver {
public:
    DnsClientResolver(IoContext& io, DnsClient& client, DnsClientResolverOptions options);
    void lookup(const LookupKey& key, std::function<void(LookupAnswer)> done) override;
    void run() override;
    void cancel_all() override;

private:
    IoContext& io_;
    DnsClient& client_;
    DnsClientResolverOptions options_;
    boost::asio::steady_timer deadline_;
    bool deadline_armed_ = false;
    bool deadline_passed_ = false;
    std::size_t outstanding_ = 0;
};

// Maps one DnsClient result to the SPF view of it.
LookupAnswer to_lookup_answer(const DnsResult& result, std::uint16_t type);

}  // namespace nettool::spf
