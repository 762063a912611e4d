// The probing half of doctor: every layer's probes start at once on the caller's io_context and one deadline timer
// ends them. The capability libraries' own run_* functions each run an io_context to completion (run_link_check
// waits out its window, run_dnscheck owns a private io_context), so doctor composes their pieces instead:
//   link     read_sysfs_interface + the ethtool ioctl source + merge_snapshot now and after a timer on the shared
//            io_context, then link::analyze_interface; or link::analyze_recording for --sysfs-root;
//   gateway  IcmpPinger (io) echoes, then the neighbour table;
//   internet IcmpPinger echoes and Asio TCP connects;
//   dns      dnscheck's probe ladder (UDP x5, TCP, large EDNS answer, ICMP) sent through DnsClient (io) into
//            dnscheck::ResolverProbes, diagnosed later by dnscheck's pure diagnose_resolver/diagnose_overall;
//   traffic  LiveCapture (io) feeding the pure p2p::Analyzer.
#include "nettool/doctor/doctor.hpp"
#include "nettool/doctor/system.hpp"

#include "nettool/dnscheck/sources.hpp"
#include "nettool/io/capture.hpp"
#include "nettool/io/dns_client.hpp"
#include "nettool/io/icmp.hpp"
#include "nettool/link/link_check.hpp"
#include "nettool/link/snapshot.hpp"
#include "nettool/p2p/analyzer.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

namespace nettool::doctor {
namespace {

using Clock = std::chrono::steady_clock;
using Timer = boost::asio::steady_timer;

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

dnscheck::EchoProbe echo_probe(const EchoResult& r) {
    dnscheck::EchoProbe p;
    switch (r.status) {
        case EchoStatus::reply: p.status = dnscheck::EchoOutcome::reply; break;
        case EchoStatus::timeout: p.status = dnscheck::EchoOutcome::timeout; break;
        case EchoStatus::unreachable:
        case EchoStatus::time_exceeded: p.status = dnscheck::EchoOutcome::unreachable; break;
        case EchoStatus::send_error: p.status = dnscheck::EchoOutcome::error; break;
    }
    p.rtt_ms = static_cast<double>(r.rtt.count()) / 1000.0;
    if (r.from.valid()) p.from = r.from.to_string();
    p.detail = r.detail.empty() && r.status == EchoStatus::time_exceeded ? "time exceeded" : r.detail;
    return p;
}

void record_query(dnscheck::QueryProbe& probe, const DnsResult& r, double waited_ms) {
    using dnscheck::QueryStatus;
    if (r.message) {
        probe.status = QueryStatus::answered;
        probe.rcode = r.message->rcode;
        probe.truncated = r.message->tc;
        probe.answer_bytes = r.raw.size();
        probe.answer_records = r.message->answers.size();
        probe.rtt_ms = static_cast<double>(r.elapsed.count()) / 1000.0;
        return;
    }
    probe.waited_ms = waited_ms;
    switch (r.outcome) {
        case DnsOutcome::connection_refused: probe.status = QueryStatus::connection_refused; break;
        case DnsOutcome::network_error:
            probe.status = QueryStatus::network_error;
            probe.detail = r.error_text;
            break;
        case DnsOutcome::bad_response:
            probe.status = QueryStatus::bad_response;
            probe.detail = r.error_text;
            break;
        case DnsOutcome::cancelled:
            probe.status = QueryStatus::timeout;
            probe.detail = "no answer before the deadline";
            break;
        default: probe.status = QueryStatus::timeout; break;
    }
}

std::optional<std::string> read_text(const std::string& path) { return dnscheck::read_text_file(path); }

bool is_link_local_v6(const IpAddress& a) { return a.is_v6() && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80; }

int prefix_length(const sockaddr* mask) {
    if (mask == nullptr) return 0;
    const std::uint8_t* bytes = nullptr;
    std::size_t size = 0;
    if (mask->sa_family == AF_INET) {
        bytes = reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
        size = 4;
    } else if (mask->sa_family == AF_INET6) {
        bytes = reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
        size = 16;
    }
    int length = 0;
    for (std::size_t k = 0; k < size; ++k) length += __builtin_popcount(bytes[k]);
    return length;
}

std::optional<IpAddress> address_of(const sockaddr* sa) {
    if (sa == nullptr) return std::nullopt;
    if (sa->sa_family == AF_INET) {
        return IpAddress::from_v4_bytes(std::span<const std::uint8_t>(
            reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in*>(sa)->sin_addr), 4));
    }
    if (sa->sa_family == AF_INET6) {
        return IpAddress::from_v6_bytes(std::span<const std::uint8_t>(
            reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr), 16));
    }
    return std::nullopt;
}

struct LocalInterface {
    std::string name;
    bool up = false;
    bool loopback = false;
    std::vector<std::string> addresses;  // with prefix length, link-local IPv6 left out
};

std::map<std::string, LocalInterface> local_interfaces() {
    std::map<std::string, LocalInterface> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (ifaddrs* ifa = list; ifa != nullptr; ifa = ifa->ifa_next) {
        if (ifa->ifa_name == nullptr) continue;
        LocalInterface& li = out[ifa->ifa_name];
        li.name = ifa->ifa_name;
        li.up = (ifa->ifa_flags & IFF_UP) != 0;
        li.loopback = (ifa->ifa_flags & IFF_LOOPBACK) != 0;
        auto address = address_of(ifa->ifa_addr);
        if (!address || is_link_local_v6(*address)) continue;
        li.addresses.push_back(address->to_string() + "/" + std::to_string(prefix_length(ifa->ifa_netmask)));
    }
    ::freeifaddrs(list);
    return out;
}

// Our own ARP requests for the gateway on an AF_PACKET socket (CAP_NET_RAW): unlike the kernel's neighbour table,
// whose entry may be stale from before the run (and is only re-checked after seconds), an answer or its absence
// during the run is a fact about now.
class ArpProbe {
public:
    static Result<std::unique_ptr<ArpProbe>> open(IoContext& io, const std::string& interface) {
        const unsigned index = ::if_nametoindex(interface.c_str());
        if (index == 0) return environment_error("no such interface", interface);
        const int fd = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
        if (fd < 0) {
            return environment_error(errno == EPERM || errno == EACCES
                                         ? "an ARP probe needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep)"
                                         : std::string("cannot open an ARP socket: ") + std::strerror(errno));
        }
        sockaddr_ll local{};
        local.sll_family = AF_PACKET;
        local.sll_protocol = htons(ETH_P_ARP);
        local.sll_ifindex = static_cast<int>(index);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
            const int e = errno;
            ::close(fd);
            return environment_error(std::string("cannot bind the ARP socket: ") + std::strerror(e), interface);
        }
        return std::unique_ptr<ArpProbe>(new ArpProbe(io, fd, index));
    }

    // Broadcasts one request; false (with `error`) when the kernel refused it.
    bool send(const MacAddress& mac, const IpAddress& sender, const IpAddress& target, std::string& error) {
        const auto packet = build_arp_request(mac, sender, target);
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_protocol = htons(ETH_P_ARP);
        to.sll_ifindex = static_cast<int>(index_);
        to.sll_halen = 6;
        std::memset(to.sll_addr, 0xff, 6);
        if (::sendto(descriptor_.native_handle(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof to) < 0) {
            error = std::string("ARP request not sent: ") + std::strerror(errno);
            return false;
        }
        return true;
    }

    // Calls `on_answer` once with the first answer from `target`; cancel() ends the wait.
    void wait_for(const IpAddress& target, std::function<void(const MacAddress&)> on_answer) {
        descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               [this, target, on_answer](const boost::system::error_code& ec) {
                                   if (ec) return;
                                   std::uint8_t buffer[256];
                                   for (;;) {
                                       const ssize_t n = ::recv(descriptor_.native_handle(), buffer, sizeof buffer, 0);
                                       if (n < 0) break;
                                       auto mac = parse_arp_answer(
                                           std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(n)), target);
                                       if (mac) {
                                           on_answer(*mac);
                                           return;
                                       }
                                   }
                                   wait_for(target, on_answer);
                               });
    }

    void cancel() {
        boost::system::error_code ignored;
        descriptor_.cancel(ignored);
    }

private:
    ArpProbe(IoContext& io, int fd, unsigned index) : descriptor_(io, fd), index_(index) {}
    boost::asio::posix::stream_descriptor descriptor_;
    unsigned index_;
};

// The address of IFACE in the same subnet as `target` ("10.0.0.2/24" texts), if any.
std::optional<IpAddress> source_address_for(const IpAddress& target, const std::vector<std::string>& addresses) {
    for (const auto& text : addresses) {
        auto prefix = IpPrefix::parse(text);
        auto address = IpAddress::parse(text.substr(0, text.find('/')));
        if (prefix && address && address->family == target.family && prefix->contains(target)) return address;
    }
    return std::nullopt;
}

class Run {
public:
    Run(IoContext& io, const DoctorRequest& request, Observations& obs)
        : io_(io), request_(request), obs_(obs), dns_(io, {}), deadline_(io), link_timer_(io),
          interrupt_(io, [this] { interrupted(); }) {}

    Status prepare() {
        start_ = Clock::now();
        deadline_at_ = start_ + request_.probe_deadline;
        if (auto st = find_interface_and_routes(); !st) return st;
        if (auto st = select_resolvers(); !st) return st;
        if (request_.sysfs_root) {
            if (auto st = read_recorded_link(); !st) return st;
        }
        return Ok{};
    }

    void run() {
        deadline_.expires_at(deadline_at_);
        ++pending_;
        deadline_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) stop_probes();
            done_one();
        });
        if (!request_.sysfs_root) start_live_link();
        start_gateways();
        start_targets();
        start_dns();
        start_capture();
        probes_started_ = true;
        maybe_finish();
        io_.restart();
        io_.run();
        io_.restart();
        finish_observations();
    }

private:
    // ---- interface, addresses, routes ----
    Status find_interface_and_routes() {
        AddressObservation& a = obs_.address;
        const auto route4 = read_text(request_.proc_net_route);
        const auto route6 = read_text(request_.proc_net_ipv6_route);
        if (route4) {
            if (auto iface = parse_default_route_interface(*route4)) {
                a.default_route_v4 = true;
                a.default_route_v4_interface = *iface;
                a.gateway_v4 = dnscheck::parse_default_gateway(*route4);
            }
        }
        if (route6) {
            if (auto r = parse_ipv6_default_route(*route6)) {
                a.default_route_v6 = true;
                a.default_route_v6_interface = r->interface;
                a.gateway_v6 = r->gateway;
            }
        }
        auto interfaces = local_interfaces();
        if (!request_.interface.empty()) {
            a.interface = request_.interface;
            a.interface_source = "given";
            if (interfaces.count(a.interface) == 0) {
                if (!request_.sysfs_root) {
                    return environment_error("no such interface on this machine", a.interface);
                }
                a.interface_exists = false;
            }
        } else if (a.default_route_v4) {
            a.interface = a.default_route_v4_interface;
            a.interface_source = "IPv4 default route";
        } else if (a.default_route_v6) {
            a.interface = a.default_route_v6_interface;
            a.interface_source = "IPv6 default route";
        } else {
            std::vector<std::string> up;
            for (const auto& [name, li] : interfaces) {
                if (li.up && !li.loopback && !li.addresses.empty()) up.push_back(name);
            }
            if (up.size() == 1) {
                a.interface = up.front();
                a.interface_source = "no default route; the only interface up with an address";
            }
        }
        if (auto it = interfaces.find(a.interface); it != interfaces.end()) a.addresses = it->second.addresses;
        // The gateway of a default route through another interface is not IFACE's gateway.
        if (!a.interface.empty() && a.default_route_v4_interface != a.interface && route4) {
            a.gateway_v4.reset();
        }
        if (!a.interface.empty() && a.default_route_v6_interface != a.interface && route6) {
            if (auto r = parse_ipv6_default_route(*route6, a.interface)) {
                a.gateway_v6 = r->gateway;
            } else {
                a.gateway_v6.reset();
            }
        }
        return Ok{};
    }

    // ---- link ----
    Status read_recorded_link() {
        LinkObservation& l = obs_.link;
        l.source = "recorded " + request_.sysfs_root->string();
        link::LinkRequest lr;
        lr.sysfs_root = request_.sysfs_root;
        lr.ethtool_json = request_.ethtool_json;
        lr.watch_seconds = 0;
        auto report = link::analyze_recording(lr);
        if (!report) return report.error();
        const link::InterfaceReport* chosen = nullptr;
        for (const auto& iface : report->interfaces) {
            if (iface.name == obs_.address.interface) chosen = &iface;
        }
        if (chosen == nullptr && report->interfaces.size() == 1) chosen = &report->interfaces.front();
        if (chosen == nullptr) {
            l.skipped = "the recording has no interface " +
                        (obs_.address.interface.empty() ? std::string("(none chosen)") : obs_.address.interface);
            return Ok{};
        }
        l.report = *chosen;
        if (obs_.address.interface.empty()) obs_.address.interface = chosen->name;
        return Ok{};
    }

    Result<link::InterfaceSnapshot> link_snapshot() {
        auto sysfs = link::read_sysfs_interface("/sys", obs_.address.interface);
        if (!sysfs) return sysfs.error();
        link::EthtoolData data;
        if (ethtool_) data = ethtool_->query(obs_.address.interface);
        return link::merge_snapshot(*sysfs, data);
    }

    void start_live_link() {
        LinkObservation& l = obs_.link;
        l.source = "live";
        if (obs_.address.interface.empty()) {
            l.skipped = "no interface to look at (no default route, and not exactly one interface up)";
            return;
        }
        if (auto source = link::make_ioctl_ethtool_source()) ethtool_ = std::move(source).value();
        auto first = link_snapshot();
        if (!first) {
            l.error = first.error().describe();
            return;
        }
        link_start_ = std::move(first).value();
        const auto taken = Clock::now();
        ++pending_;
        link_timer_.expires_after(request_.link_window);
        link_timer_.async_wait([this, taken](const boost::system::error_code&) {
            auto second = link_snapshot();
            const double window = ms_between(taken, Clock::now()) / 1000.0;
            if (second) {
                obs_.link.report = link::analyze_interface(*link_start_, *second, window);
            } else {
                obs_.link.report = link::analyze_interface(*link_start_, *link_start_, 0);
                obs_.link.report->notes.push_back("second reading failed: " + second.error().describe());
            }
            done_one();
        });
    }

    // ---- ICMP ----
    IcmpPinger* pinger_for(IpFamily family, std::string& unavailable) {
        auto it = pingers_.find(family);
        if (it == pingers_.end()) {
            auto opened = IcmpPinger::open(io_, family);
            if (opened) {
                it = pingers_.emplace(family, std::move(opened).value()).first;
            } else {
                pinger_errors_[family] = opened.error().describe();
                it = pingers_.emplace(family, nullptr).first;
            }
        }
        if (!it->second) unavailable = pinger_errors_[family];
        return it->second.get();
    }

    std::chrono::milliseconds remaining() const {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_at_ - Clock::now());
        return std::max(left, std::chrono::milliseconds(1));
    }

    void schedule(std::chrono::milliseconds offset, std::function<void()> action) {
        ++pending_;
        auto timer = std::make_unique<Timer>(io_, start_ + offset);
        timer->async_wait([this, action = std::move(action)](const boost::system::error_code& ec) {
            if (ec || stopped_) {
                done_one();
                return;
            }
            action();
        });
        timers_.push_back(std::move(timer));
    }

    // Sends one echo at `offset`; `probe` must stay where it is (vectors are sized before any send).
    void echo_at(std::chrono::milliseconds offset, IcmpPinger* pinger, IpAddress target, dnscheck::EchoProbe& probe) {
        schedule(offset, [this, pinger, target, &probe] {
            EchoOptions options;
            options.timeout = remaining();
            probe.status = dnscheck::EchoOutcome::timeout;
            pinger->send_echo(target, next_sequence_++, options, [this, &probe](const EchoResult& r) {
                probe = echo_probe(r);
                done_one();
            });
        });
    }

    void start_gateways() {
        const AddressObservation& a = obs_.address;
        for (const auto& gateway : {a.gateway_v4, a.gateway_v6}) {
            if (!gateway) continue;
            GatewayObservation g;
            g.address = *gateway;
            obs_.gateways.push_back(std::move(g));
        }
        for (auto& g : obs_.gateways) {
            if (is_link_local_v6(g.address)) {
                // IpAddress carries no scope id, so the ICMP prober cannot aim at fe80::...%IFACE.
                g.icmp_unavailable = "link-local IPv6 gateway: not pinged (no scope id support in the ICMP prober)";
                g.neighbour = NeighbourState::not_read;
                continue;
            }
            if (g.address.is_v4()) start_arp_probe(g);
            IcmpPinger* pinger = pinger_for(g.address.family, g.icmp_unavailable);
            if (!pinger) continue;
            g.echoes.resize(3);
            for (std::size_t k = 0; k < g.echoes.size(); ++k) {
                echo_at(std::chrono::milliseconds(400 * k), pinger, g.address, g.echoes[k]);
            }
        }
    }

    void start_arp_probe(GatewayObservation& g) {
        const auto mac = read_text("/sys/class/net/" + obs_.address.interface + "/address");
        const auto mac_bytes = mac ? parse_mac(*mac) : std::nullopt;
        const auto sender = source_address_for(g.address, obs_.address.addresses);
        if (!mac_bytes || !sender) {
            g.arp_unavailable = !mac_bytes ? "no hardware address on " + obs_.address.interface
                                           : "no address of " + obs_.address.interface + " in the gateway's subnet";
            return;
        }
        auto opened = ArpProbe::open(io_, obs_.address.interface);
        if (!opened) {
            g.arp_unavailable = opened.error().message;
            return;
        }
        arp_ = std::move(opened).value();
        ++pending_;
        arp_->wait_for(g.address, [this, &g](const MacAddress& answer) {
            g.arp_answer = format_mac(answer);
            arp_answered_ = true;
            done_one();
        });
        // Three requests like the kernel's resolution, closer together so the answer (or its absence) fits the run.
        for (int k = 0; k < 3; ++k) {
            schedule(std::chrono::milliseconds(500 * k), [this, &g, sender = *sender, mac = *mac_bytes] {
                std::string error;
                if (!arp_answered_) {
                    if (arp_->send(mac, sender, g.address, error)) {
                        ++g.arp_requests;
                    } else {
                        g.arp_unavailable = error;
                    }
                }
                done_one();
            });
        }
    }

    void start_targets() {
        obs_.targets.reserve(request_.reach.size() + request_.tcp.size());
        reach_echoes_.resize(request_.reach.size());
        for (std::size_t t = 0; t < request_.reach.size(); ++t) {
            TargetObservation target;
            target.kind = "ping";
            target.target = request_.reach[t].to_string();
            obs_.targets.push_back(target);
            std::string unavailable;
            IcmpPinger* pinger = pinger_for(request_.reach[t].family, unavailable);
            if (!pinger) {
                obs_.targets.back().detail = unavailable;
                continue;
            }
            reach_echoes_[t].resize(2);
            for (std::size_t k = 0; k < 2; ++k) {
                echo_at(std::chrono::milliseconds(300 * k), pinger, request_.reach[t], reach_echoes_[t][k]);
            }
        }
        for (const auto& tcp : request_.tcp) {
            TargetObservation target;
            target.kind = "tcp";
            target.target = tcp.to_string();
            target.detail = "no answer before the deadline";
            obs_.targets.push_back(target);
            const std::size_t index = obs_.targets.size() - 1;
            auto socket = std::make_unique<boost::asio::ip::tcp::socket>(io_);
            boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(tcp.address.to_string()), tcp.port);
            const auto sent = Clock::now();
            ++pending_;
            socket->async_connect(endpoint, [this, index, sent](const boost::system::error_code& ec) {
                TargetObservation& t = obs_.targets[index];
                t.rtt_ms = ms_between(sent, Clock::now());
                if (!ec) {
                    t.reached = true;
                    t.detail = "connected";
                } else if (ec != boost::asio::error::operation_aborted) {
                    t.detail = ec.message();
                }
                done_one();
            });
            sockets_.push_back(std::move(socket));
        }
    }

    // ---- DNS: dnscheck's ladder ----
    Status select_resolvers() {
        dnscheck::DnsCheckRequest dr;
        dr.servers = request_.servers;
        dr.resolv_conf_path = request_.resolv_conf_path;
        dr.resolv_conf_explicit = request_.resolv_conf_explicit;
        auto selection = dnscheck::find_resolvers(dr);
        if (!selection) return selection.error();
        dnscheck::DnsCheckResult& d = obs_.dns;
        d.names = request_.names.empty() ? dnscheck::default_names() : request_.names;
        d.large_name = dnscheck::default_large_name;
        d.large_type = dnscheck::default_large_type;
        d.count = dns_udp_queries;
        d.timeout_ms = static_cast<double>(request_.probe_deadline.count());
        d.high_latency_ms = dr.high_latency_ms;
        d.resolver_files = selection->files;
        d.notes = selection->notes;
        for (const auto& r : selection->resolvers) {
            dnscheck::ResolverReport report;
            report.probes.server = r.server;
            report.probes.source = r.source;
            d.servers.push_back(std::move(report));
        }
        return Ok{};
    }

    void send_query(const dnscheck::ResolverProbes& p, dnscheck::QueryProbe& probe) {
        DnsQueryOptions options;
        options.servers = {p.server};
        options.transport = probe.kind == dnscheck::QueryKind::tcp ? DnsTransport::tcp : DnsTransport::udp;
        options.timeout = remaining();
        options.tries = 1;
        if (probe.kind == dnscheck::QueryKind::large) {
            options.edns_udp_size = 4096;
            options.dnssec_ok = true;
            options.accept_truncated = true;
        }
        const auto sent = Clock::now();
        probe.sent_at_ms = ms_between(start_, sent);
        probe.status = dnscheck::QueryStatus::timeout;
        probe.waited_ms = static_cast<double>(options.timeout.count());
        Status started = dns_.query(probe.name, probe.type, options, [this, &probe, sent](DnsResult r) {
            record_query(probe, r, ms_between(sent, Clock::now()));
            done_one();
        });
        if (!started) {
            probe.status = dnscheck::QueryStatus::network_error;
            probe.detail = started.error().describe();
            done_one();
        }
    }

    void start_dns() {
        dnscheck::DnsCheckResult& d = obs_.dns;
        const auto spacing = std::chrono::milliseconds(50);
        const auto second_wave = std::chrono::milliseconds(150);
        obs_.dns_local.resize(d.servers.size());
        for (std::size_t r = 0; r < d.servers.size(); ++r) {
            dnscheck::QueryProbe& local = obs_.dns_local[r];
            local.kind = dnscheck::QueryKind::udp;
            local.name = "localhost";
            const dnscheck::ResolverProbes& server_probes = d.servers[r].probes;
            schedule(std::chrono::milliseconds(0), [this, &server_probes, &local] { send_query(server_probes, local); });
        }
        for (auto& server : d.servers) {
            dnscheck::ResolverProbes& p = server.probes;
            p.udp.resize(dns_udp_queries);
            for (std::size_t k = 0; k < p.udp.size(); ++k) {
                p.udp[k].kind = dnscheck::QueryKind::udp;
                p.udp[k].name = d.names[k % d.names.size()];
                schedule(spacing * static_cast<int>(k), [this, &p, k] { send_query(p, p.udp[k]); });
            }
            p.tcp.resize(1);
            p.tcp[0].kind = dnscheck::QueryKind::tcp;
            p.tcp[0].name = d.names.front();
            schedule(std::chrono::milliseconds(0), [this, &p] { send_query(p, p.tcp[0]); });
            p.large.resize(2);
            for (std::size_t k = 0; k < p.large.size(); ++k) {
                p.large[k].kind = dnscheck::QueryKind::large;
                p.large[k].name = d.large_name;
                p.large[k].type = d.large_type;
                schedule(k == 0 ? std::chrono::milliseconds(0) : second_wave,
                         [this, &p, k] { send_query(p, p.large[k]); });
            }
            if (IcmpPinger* pinger = pinger_for(p.server.address.family, p.icmp_unavailable)) {
                p.icmp.resize(2);
                for (std::size_t k = 0; k < p.icmp.size(); ++k) {
                    echo_at(k == 0 ? std::chrono::milliseconds(0) : second_wave, pinger, p.server.address,
                            p.icmp[k]);
                }
            }
        }
    }

    // ---- traffic ----
    void start_capture() {
        TrafficObservation& t = obs_.traffic;
        if (request_.capture_seconds <= 0) return;
        t.attempted = true;
        t.seconds = request_.capture_seconds;
        if (obs_.address.interface.empty() || !obs_.address.interface_exists) {
            t.error = "no live interface to capture on";
            return;
        }
        LiveCaptureOptions options;
        options.interface = obs_.address.interface;
        options.duration = std::chrono::milliseconds(static_cast<long>(std::lround(request_.capture_seconds * 1000)));
        auto opened = LiveCapture::open(io_, options);
        if (!opened) {
            t.error = opened.error().describe();
            return;
        }
        capture_ = std::move(opened).value();
        analyzer_ = std::make_unique<p2p::Analyzer>(p2p::AnalyzerOptions{});
        ++pending_;
        capture_->start(
            [this](const CapturedPacket& packet) {
                analyzer_->add_frame(packet.number, packet.timestamp, packet.link_type, packet.data,
                                     packet.wire_length);
            },
            [this](const CaptureStats& stats) {
                p2p::SourceInfo source;
                source.name = obs_.address.interface;
                source.live = true;
                source.packets = stats.packets;
                source.kernel_dropped = stats.kernel_dropped;
                source.error = stats.capture_error;
                analyzer_->add_source(std::move(source));
                obs_.traffic.report = analyzer_->finish();
                done_one();
            });
    }

    // ---- the end ----
    void done_one() {
        if (pending_ > 0) --pending_;
        maybe_finish();
    }

    void maybe_finish() {
        if (!probes_started_) return;
        // Only the deadline left: every probe answered early, so stop waiting.
        if (pending_ == 1 && !stopped_) {
            stop_probes();
            deadline_.cancel();
        }
        // Nothing left: stop listening for signals so io_context::run() returns.
        if (pending_ == 0) interrupt_.cancel();
    }

    void stop_probes() {
        if (stopped_) return;
        stopped_ = true;
        for (auto& t : timers_) t->cancel();
        dns_.cancel_all();
        for (auto& [family, pinger] : pingers_) {
            if (pinger) pinger->cancel_all();
        }
        for (auto& s : sockets_) {
            boost::system::error_code ignored;
            s->close(ignored);
        }
        if (arp_ && !arp_answered_) {
            arp_->cancel();
            arp_answered_ = true;  // nothing more will come: the wait's pending count ends here
            done_one();
        }
        // The link window and the capture run their own course unless interrupted.
        if (!interrupted_) return;
        link_timer_.cancel();
        if (capture_) capture_->stop();
    }

    void interrupted() {
        interrupted_ = true;
        stopped_ = false;
        stop_probes();
        deadline_.cancel();
    }

    void finish_observations() {
        interrupt_.cancel();
        obs_.elapsed_ms = ms_between(start_, Clock::now());
        for (std::size_t t = 0; t < reach_echoes_.size(); ++t) {
            TargetObservation& target = obs_.targets[t];
            for (const auto& e : reach_echoes_[t]) {
                if (e.status == dnscheck::EchoOutcome::reply && !target.reached) {
                    target.reached = true;
                    target.rtt_ms = e.rtt_ms;
                    target.detail = "echo reply";
                }
            }
            if (!target.reached && !reach_echoes_[t].empty()) {
                const auto& e = reach_echoes_[t].back();
                target.detail = std::string(dnscheck::to_string(e.status)) + (e.detail.empty() ? "" : ": " + e.detail) +
                                (e.from.empty() || e.from == target.target ? "" : " from " + e.from);
            }
        }
        const auto arp_table = read_text(request_.proc_net_arp);
        for (auto& g : obs_.gateways) {
            if (!g.address.is_v4()) {
                if (g.neighbour == NeighbourState::unknown) g.neighbour = NeighbourState::not_read;
                continue;
            }
            if (!g.arp_answer.empty()) {
                g.neighbour = NeighbourState::resolved;
                g.neighbour_source = "ARP probe";
                g.neighbour_detail = "ARP reply from " + g.arp_answer;
            } else if (g.arp_requests > 0) {
                g.neighbour = NeighbourState::failed;
                g.neighbour_source = "ARP probe";
                g.neighbour_detail = "no reply to " + std::to_string(g.arp_requests) + " ARP requests";
            } else if (arp_table) {
                NeighbourEntry entry = parse_arp_entry(*arp_table, g.address, obs_.address.interface);
                g.neighbour = entry.state;
                g.neighbour_source = request_.proc_net_arp;
                g.neighbour_detail = entry.detail.empty() ? "no entry" : entry.detail;
                if (!g.arp_unavailable.empty()) g.neighbour_detail += "; no ARP probe: " + g.arp_unavailable;
            }
        }
        // dnscheck's reach test is "does an IP target answer ping": the IPv4 gateway is that target here.
        for (const auto& g : obs_.gateways) {
            if (!g.address.is_v4()) continue;
            obs_.dns.reach.attempted = true;
            obs_.dns.reach.target = g.address;
            obs_.dns.reach.target_source = "default gateway";
            obs_.dns.reach.echoes = g.echoes;
            obs_.dns.reach.unavailable = g.icmp_unavailable;
        }
        obs_.dns.elapsed_ms = obs_.elapsed_ms;
    }

    static constexpr std::size_t dns_udp_queries = 5;

    IoContext& io_;
    const DoctorRequest& request_;
    Observations& obs_;
    DnsClient dns_;
    Timer deadline_;
    Timer link_timer_;
    InterruptHandler interrupt_;
    std::unique_ptr<link::EthtoolSource> ethtool_;
    std::optional<link::InterfaceSnapshot> link_start_;
    std::map<IpFamily, std::unique_ptr<IcmpPinger>> pingers_;
    std::map<IpFamily, std::string> pinger_errors_;
    std::vector<std::unique_ptr<Timer>> timers_;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> sockets_;
    std::vector<std::vector<dnscheck::EchoProbe>> reach_echoes_;
    std::unique_ptr<ArpProbe> arp_;
    bool arp_answered_ = false;
    std::unique_ptr<LiveCapture> capture_;
    std::unique_ptr<p2p::Analyzer> analyzer_;
    Clock::time_point start_{};
    Clock::time_point deadline_at_{};
    std::size_t pending_ = 0;
    bool probes_started_ = false;
    bool stopped_ = false;
    bool interrupted_ = false;
    std::uint16_t next_sequence_ = 1;
};

}  // namespace

Result<DoctorResult> run_doctor(const DoctorRequest& request, IoContext& io) {
    if (auto st = validate_request(request); !st) return st.error();
    Observations obs;
    {
        Run run(io, request, obs);
        if (auto st = run.prepare(); !st) return st.error();
        run.run();
    }
    return judge_doctor(std::move(obs), request);
}

}  // namespace nettool::doctor
