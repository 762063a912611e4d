#include "dns_test_helpers.hpp"

#include "test_support.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace nettool::test {

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test must not leave servers behind
        if (::getppid() != parent) ::_exit(127);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
}

bool ChildProcess::running() {
    int status = 0;
    if (pid_ <= 0) return false;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

namespace {

// Whether something listens on 127.0.0.1:port (TCP).
bool loopback_tcp_port_accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool accepted = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return accepted;
}

}  // namespace

bool have_program(const std::string& binary) {
    return std::system(("command -v " + shell_quote(binary) + " >/dev/null 2>&1").c_str()) == 0;
}

std::optional<FakeDnsServer> FakeDnsServer::start(const std::string& address, std::string& why_not) {
    // The system interpreter when there is one: it starts fast (a version-manager shim can take seconds).
    std::string python = "/usr/bin/python3";
    if (!std::filesystem::exists(python)) {
        python = "python3";
        if (!have_program(python)) {
            why_not = "python3 not installed (apt-get install python3)";
            return std::nullopt;
        }
    }
    auto dir = std::make_shared<TempDir>();
    auto port_file = dir->path() / "port";
    auto script = source_dir() / "tests" / "dns" / "fake_dns_server.py";
    FakeDnsServer server;
    server.process_ = std::make_shared<ChildProcess>(std::vector<std::string>{python, script.string(), address,
                                                                              port_file.string()});
    for (int i = 0; i < 500; ++i) {
        if (std::filesystem::exists(port_file)) {
            server.server_.address = *IpAddress::parse(address);
            server.server_.port = static_cast<std::uint16_t>(std::stoi(read_file(port_file)));
            server.dir_ = dir;
            return server;
        }
        if (!server.process_->running()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    why_not = "the scripted DNS server did not start on " + address;
    return std::nullopt;
}

std::optional<Dnsmasq> Dnsmasq::start(const std::vector<std::string>& records, std::string& why_not) {
    std::string dnsmasq = "dnsmasq";
    if (!have_program(dnsmasq)) {
        if (std::filesystem::exists("/usr/sbin/dnsmasq")) {
            dnsmasq = "/usr/sbin/dnsmasq";
        } else {
            why_not = "dnsmasq not installed (apt-get install dnsmasq-base)";
            return std::nullopt;
        }
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::uint16_t port = unused_port();
        std::vector<std::string> argv{dnsmasq,           "--no-daemon",         "--keep-in-foreground",
                                      "--port=" + std::to_string(port),       "--listen-address=127.0.0.1",
                                      "--bind-interfaces", "--no-resolv",       "--no-hosts",
                                      "--no-poll",        "--log-facility=-",   "--pid-file=",
                                      "--conf-file=/dev/null", "--user=" + std::string(::geteuid() == 0 ? "root" : "")};
        if (::geteuid() != 0) argv.pop_back();
        argv.insert(argv.end(), records.begin(), records.end());
        Dnsmasq server;
        server.process_ = std::make_shared<ChildProcess>(argv);
        server.server_.address = IpAddress::v4(0x7F000001);
        server.server_.port = port;
        // Ready when its TCP socket accepts a connection (dnsmasq binds UDP and listens on TCP before it serves
        // either). Asking it a question with DnsClient would let a broken DnsClient turn its own test into a skip.
        // A startup failure (port taken) ends the process.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline && server.process_->running()) {
            if (loopback_tcp_port_accepts(port)) return server;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    why_not = "dnsmasq did not start on a loopback port";
    return std::nullopt;
}

SilentDnsServer::SilentDnsServer(bool drop_syns) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        udp_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        tcp_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof(address);
        if (udp_ >= 0 && tcp_ >= 0 && ::bind(udp_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
            ::getsockname(udp_, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
            ::bind(tcp_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
            ::listen(tcp_, drop_syns ? 0 : 64) == 0) {
            server_.address = IpAddress::v4(0x7F000001);
            server_.port = ntohs(address.sin_port);
            if (!drop_syns) return;
            // A backlog of 0 holds one completed connection; once it is there, the listener drops new SYNs.
            backlog_filler_ = ::socket(AF_INET, SOCK_STREAM, 0);
            if (backlog_filler_ >= 0 &&
                ::connect(backlog_filler_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
                return;
            }
            throw std::runtime_error("cannot fill the loopback TCP backlog");
        }
        if (udp_ >= 0) ::close(udp_);
        if (tcp_ >= 0) ::close(tcp_);
        udp_ = tcp_ = -1;
    }
    throw std::runtime_error("cannot bind a loopback UDP and TCP port");
}

SilentDnsServer::~SilentDnsServer() {
    if (udp_ >= 0) ::close(udp_);
    if (tcp_ >= 0) ::close(tcp_);
    if (backlog_filler_ >= 0) ::close(backlog_filler_);
}

std::uint16_t unused_port() {
    // Bind TCP and UDP to port 0 together until both get the same free port, then let go of both.
    for (int i = 0; i < 100; ++i) {
        int tcp = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof(address);
        if (::bind(tcp, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
            ::getsockname(tcp, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            ::close(tcp);
            continue;
        }
        int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
        const bool udp_free = ::bind(udp, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
        ::close(udp);
        ::close(tcp);
        if (udp_free) return ntohs(address.sin_port);
    }
    throw std::runtime_error("no free loopback port");
}

DnsQueryOptions options_for(const DnsServer& server) {
    DnsQueryOptions options;
    options.servers = {server};
    options.timeout = std::chrono::milliseconds(1000);
    return options;
}

DnsResult query_now(const std::string& name, std::uint16_t type, const DnsQueryOptions& options) {
    IoContext io;
    DnsClient client(io, {});
    std::optional<DnsResult> result;
    auto started = client.query(name, type, options, [&](DnsResult r) { result = std::move(r); });
    if (!started) throw std::runtime_error("query did not start: " + started.error().describe());
    io.run();
    if (!result) throw std::runtime_error("query callback never ran");
    return std::move(*result);
}

}  // namespace nettool::test
