// Throughput of nettool's DnsClient (c-ares on the io_context): resolve every name in a file against one server,
// with at most N queries in flight. Prints one line: queries, answered, seconds, queries per second.
// Usage: dns_bench SERVER[:PORT] NAMES_FILE IN_FLIGHT udp|tcp
#include "nettool/io/dns_client.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace nettool;

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: dns_bench SERVER[:PORT] NAMES_FILE IN_FLIGHT udp|tcp\n");
        return 2;
    }
    auto server = DnsServer::parse(argv[1]);
    if (!server) {
        std::fprintf(stderr, "dns_bench: %s\n", server.error().describe().c_str());
        return 2;
    }
    std::vector<std::string> names;
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) names.push_back(line);
    }
    const std::size_t window = std::max(1, std::atoi(argv[3]));
    DnsQueryOptions options;
    options.transport = std::string(argv[4]) == "tcp" ? DnsTransport::tcp : DnsTransport::udp;
    options.timeout = std::chrono::milliseconds(2000);


    IoContext io;
    DnsClient client(io, {*server});
    std::size_t next = 0, answered = 0, failed = 0;
    std::map<std::string, std::size_t> failures;
    std::function<void()> start_one = [&] {
        if (next >= names.size()) return;
        const std::string& name = names[next++];
        auto started = client.query(name, dns_type::a, options, [&](DnsResult result) {
            if (result.outcome == DnsOutcome::answer) {
                ++answered;
            } else {
                ++failed;
                ++failures[std::string(to_string(result.outcome)) + " " + result.error_text];
            }
            start_one();
        });
        if (!started) {
            ++failed;
            start_one();
        }
    };
    const auto begin = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < window; ++i) start_one();
    io.run();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    std::printf("queries=%zu answered=%zu failed=%zu seconds=%.3f qps=%.0f\n", names.size(), answered, failed, seconds,
                names.size() / seconds);
    for (const auto& [outcome, n] : failures) std::printf("  %s: %zu\n", outcome.c_str(), n);
    return failed == 0 ? 0 : 1;
}
