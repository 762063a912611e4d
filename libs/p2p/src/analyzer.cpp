// Flow table, host aggregates, behaviour heuristics and verdicts. See analyzer.hpp for the contract.
#include "nettool/p2p/analyzer.hpp"
#include "nettool/p2p/obfuscation.hpp"

#include "nettool/core/text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace nettool::p2p {
namespace {

constexpr std::uint32_t no_host = 0xFFFFFFFFu;
constexpr std::size_t max_examples = 3;
constexpr std::size_t max_packet_numbers = 5;
constexpr std::size_t max_endpoint_set = 512;

std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

std::uint64_t address_hash(const IpAddress& a) {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    std::memcpy(&lo, a.bytes.data(), 8);
    std::memcpy(&hi, a.bytes.data() + 8, 8);
    return mix64(lo ^ mix64(hi ^ static_cast<std::uint64_t>(a.family)));
}

struct AddressHash {
    std::size_t operator()(const IpAddress& a) const noexcept { return static_cast<std::size_t>(address_hash(a)); }
};
using AddressSet = std::unordered_set<IpAddress, AddressHash>;

struct FlowKey {
    IpAddress a;
    IpAddress b;
    std::uint16_t pa = 0;
    std::uint16_t pb = 0;
    std::uint8_t proto = 0;
    friend bool operator==(const FlowKey&, const FlowKey&) = default;
};

struct FlowKeyHash {
    std::size_t operator()(const FlowKey& k) const noexcept {
        std::uint64_t ports = (static_cast<std::uint64_t>(k.pa) << 24) | (static_cast<std::uint64_t>(k.pb) << 8) | k.proto;
        return static_cast<std::size_t>(mix64(address_hash(k.a) * 31 + address_hash(k.b) + mix64(ports)));
    }
};

struct EndpointKey {
    IpAddress address;
    std::uint16_t port = 0;
    std::uint8_t proto = 0;
    friend bool operator==(const EndpointKey&, const EndpointKey&) = default;
};

struct EndpointKeyHash {
    std::size_t operator()(const EndpointKey& k) const noexcept {
        return static_cast<std::size_t>(mix64(address_hash(k.address) + (static_cast<std::uint64_t>(k.port) << 8) + k.proto));
    }
};

struct EndpointStats {
    AddressSet peer_ips;
    std::unordered_set<std::uint16_t> peer_ports;
    bool capped = false;
};

struct ProvenEndpoint {
    const Signature* signature = nullptr;
    std::string flow;  // the flow that proved it
};

struct MultiMatch {
    const Signature* signature = nullptr;
    std::uint8_t count = 0;
    std::uint64_t first_packet = 0;
};

struct Flow {
    FlowKey key;
    std::array<std::uint32_t, 2> host{no_host, no_host};
    int initiator = -1;  // 0: a opened it (SYN or first packet of a UDP flow), 1: b, -1 unknown (mid-stream TCP)
    std::uint64_t first_number = 0;
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
    std::array<std::uint64_t, 2> packets{0, 0};  // [0] a->b, [1] b->a
    std::array<std::uint64_t, 2> payload_bytes{0, 0};
    int inspected = 0;
    const Signature* proof = nullptr;
    bool cache = false;
    const Signature* hint = nullptr;
    std::array<MultiMatch, 3> multi{};
    bool utp_id_set = false;
    std::uint16_t utp_connection_id = 0;
    bool closed = false;  // FIN or RST seen
    bool behaviour_recorded = false;
    std::int8_t first_speaker = -1;  // the side whose payload came first (the opener when no SYN was seen)
    MseShape mse;                     // TCP: the MSE/PE handshake shape of the first payloads
    Flow* lru_prev = nullptr;
    Flow* lru_next = nullptr;
};

struct RuleStats {
    const Signature* signature = nullptr;
    std::string rule;  // for cache rows
    std::string kind;
    Protocol protocol = Protocol::unknown;
    std::uint64_t flows = 0;
    std::vector<std::string> examples;
    std::vector<std::uint64_t> packets;
};

struct Host {
    IpAddress address;
    bool local = false;
    bool unicast = true;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t packets_sent = 0;
    std::uint64_t packets_received = 0;
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
    AddressSet peers;
    bool peers_capped = false;
    std::unordered_set<std::uint16_t> peer_ports;
    AddressSet p2p_peers;
    AddressSet tcp_peers;  // behaviour: peers over TCP on non-service ports
    AddressSet udp_peers;
    AddressSet fanout_peers;  // peers on high ports at both ends with data both ways
    std::vector<RuleStats> rules;
    std::vector<double> proof_strengths;  // one per proven flow, first 16
    std::uint64_t hint_flows = 0;
};

bool insert_capped(AddressSet& set, const IpAddress& value, std::size_t cap, bool* capped = nullptr) {
    if (set.size() >= cap) {
        if (set.find(value) == set.end() && capped != nullptr) *capped = true;
        return false;
    }
    return set.insert(value).second;
}

bool is_unicast(const IpAddress& a) {
    if (a.is_v4()) {
        std::uint32_t v = a.v4_host_order();
        if (v == 0 || v == 0xFFFFFFFFu) return false;
        if ((v >> 28) == 0xE) return false;  // 224/4 multicast
        return true;
    }
    if (a.is_v6()) {
        if (a.bytes[0] == 0xFF) return false;  // multicast
        bool all_zero = std::all_of(a.bytes.begin(), a.bytes.end(), [](std::uint8_t b) { return b == 0; });
        return !all_zero;
    }
    return false;
}

std::string endpoint_text(const IpAddress& address, std::uint16_t port) {
    if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(port);
    return address.to_string() + ":" + std::to_string(port);
}

const char* proto_name(std::uint8_t proto) { return proto == ip_proto::tcp ? "tcp" : "udp"; }

double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }

}  // namespace

bool is_excluded_service_port(std::uint16_t port) {
    if (port < 1024) return true;
    switch (port) {
        case 1080: case 1194: case 1433: case 1521: case 1701: case 1723: case 1812: case 1813: case 1883:
        case 1900: case 1935: case 2049: case 2082: case 2083: case 2086: case 2087: case 2095: case 2096:
        case 3074: case 3128: case 3306: case 3389: case 3544: case 3659: case 4500: case 5004: case 5005:
        case 5060: case 5061: case 5062: case 5222: case 5223: case 5228: case 5242: case 5243: case 5246:
        case 5247: case 5349: case 5353: case 5355: case 5432: case 5938: case 6379: case 6667: case 6697:
        case 8000: case 8008: case 8080: case 8081: case 8088: case 8443: case 8883: case 8888: case 9000:
        case 9001: case 9030: case 9050: case 9051: case 9987: case 10000: case 11211: case 41641: case 51820:
            return true;
        default: break;
    }
    if (port >= 3478 && port <= 3481) return true;    // STUN/TURN, Teams media
    if (port >= 8801 && port <= 8810) return true;    // Zoom media
    if (port >= 19302 && port <= 19309) return true;  // Google STUN
    if (port >= 27000 && port <= 27050) return true;  // Steam / Source games
    if (port >= 16384 && port <= 16472) return true;  // Apple FaceTime / RTP
    if (port >= 50000 && port <= 50059) return true;  // Skype/Teams media ranges
    return false;
}

struct Analyzer::State {
    AnalyzerOptions options;
    std::unordered_map<FlowKey, Flow, FlowKeyHash> flows;
    Flow* lru_head = nullptr;  // least recently used
    Flow* lru_tail = nullptr;
    std::vector<Host> hosts;
    std::unordered_map<IpAddress, std::uint32_t, AddressHash> host_index;
    std::unordered_map<EndpointKey, EndpointStats, EndpointKeyHash> endpoints;
    std::unordered_map<EndpointKey, ProvenEndpoint, EndpointKeyHash> proven;
    Summary summary;
    std::int64_t now_ns = 0;
    std::int64_t first_ns = 0;
    bool any_packet = false;
    bool finished = false;
    std::uint64_t endpoints_dropped = 0;

    bool is_local(const IpAddress& a) const {
        IpAddress plain = a.unmapped();
        if (options.local.empty()) return is_private_or_local(plain);
        return std::any_of(options.local.begin(), options.local.end(),
                           [&](const IpPrefix& p) { return p.contains(plain); });
    }

    std::uint32_t host_for(const IpAddress& address, std::int64_t ns) {
        auto it = host_index.find(address);
        if (it != host_index.end()) return it->second;
        if (hosts.size() >= options.limits.max_hosts) {
            ++summary.hosts_untracked;
            return no_host;
        }
        Host h;
        h.address = address;
        h.local = is_local(address);
        h.unicast = is_unicast(address);
        h.first_ns = ns;
        h.last_ns = ns;
        hosts.push_back(std::move(h));
        auto index = static_cast<std::uint32_t>(hosts.size() - 1);
        host_index.emplace(address, index);
        return index;
    }

    void count_host(std::uint32_t index, bool sender, std::uint64_t bytes, std::int64_t ns) {
        if (index == no_host) return;
        Host& h = hosts[index];
        if (sender) {
            h.bytes_sent += bytes;
            ++h.packets_sent;
        } else {
            h.bytes_received += bytes;
            ++h.packets_received;
        }
        if (ns < h.first_ns) h.first_ns = ns;
        if (ns > h.last_ns) h.last_ns = ns;
    }

    // --- LRU list of flows (least recently seen at the head)
    void lru_unlink(Flow* f) {
        if (f->lru_prev != nullptr) f->lru_prev->lru_next = f->lru_next; else lru_head = f->lru_next;
        if (f->lru_next != nullptr) f->lru_next->lru_prev = f->lru_prev; else lru_tail = f->lru_prev;
        f->lru_prev = f->lru_next = nullptr;
    }
    void lru_push_back(Flow* f) {
        f->lru_prev = lru_tail;
        f->lru_next = nullptr;
        if (lru_tail != nullptr) lru_tail->lru_next = f; else lru_head = f;
        lru_tail = f;
    }

    std::int64_t idle_limit(const Flow& f) const {
        const auto& l = options.limits;
        auto s = f.key.proto == ip_proto::udp ? l.udp_idle : (f.closed ? l.tcp_closed_idle : l.tcp_idle);
        return static_cast<std::int64_t>(s.count()) * 1'000'000'000LL;
    }

    std::string flow_text(const Flow& f) const {
        const IpAddress& first = f.initiator == 1 ? f.key.b : f.key.a;
        std::uint16_t first_port = f.initiator == 1 ? f.key.pb : f.key.pa;
        const IpAddress& second = f.initiator == 1 ? f.key.a : f.key.b;
        std::uint16_t second_port = f.initiator == 1 ? f.key.pa : f.key.pb;
        return std::string(proto_name(f.key.proto)) + " " + endpoint_text(first, first_port) +
               (f.initiator < 0 ? " <-> " : " -> ") + endpoint_text(second, second_port);
    }

    // `make_example` builds the example text only while the rule still collects examples: formatting addresses
    // for every identified flow was a measurable share of the run on large captures.
    template <typename MakeExample>
    void add_rule(Host& h, const Signature* sig, std::string_view rule, std::string_view kind, Protocol protocol,
                  const MakeExample& make_example, std::uint64_t packet) {
        auto it = std::find_if(h.rules.begin(), h.rules.end(), [&](const RuleStats& r) {
            return r.rule == rule && r.kind == kind;
        });
        if (it == h.rules.end()) {
            RuleStats r;
            r.signature = sig;
            r.rule = std::string(rule);
            r.kind = std::string(kind);
            r.protocol = protocol;
            h.rules.push_back(std::move(r));
            it = std::prev(h.rules.end());
        }
        ++it->flows;
        if (it->examples.size() < max_examples) it->examples.push_back(make_example());
        if (packet != 0 && it->packets.size() < max_packet_numbers) it->packets.push_back(packet);
    }

    void record_proven_endpoint(const Flow& f, int side, const Signature* sig) {
        const IpAddress& address = side == 0 ? f.key.a : f.key.b;
        std::uint16_t port = side == 0 ? f.key.pa : f.key.pb;
        if (is_excluded_service_port(port) || !is_unicast(address)) return;
        // A TCP connection's initiating side uses a throw-away port: only the listening side is an identity.
        if (f.key.proto == ip_proto::tcp && f.initiator == side) return;
        EndpointKey key{address, port, f.key.proto};
        if (proven.find(key) != proven.end() || proven.size() >= options.limits.max_endpoints) return;
        proven.emplace(key, ProvenEndpoint{sig, flow_text(f)});
    }

    // A flow is identified (by proof or by cache): attribute it to both endpoints.
    // `cached_as` is the proven endpoint whose identity the flow inherits (nullptr: proven by its own payload).
    // `detail` is added to the flow's example (the measured handshake shape of an encrypted flow).
    void attribute(Flow& f, const Signature* sig, const EndpointKey* cached_as, std::uint64_t packet,
                   const std::string& detail = {}) {
        ++summary.p2p_flows;
        const bool by_cache = cached_as != nullptr;
        std::optional<std::string> text;  // flow_text(f), built at most once and only when an example is taken
        auto example = [&] {
            if (!text) text = detail.empty() ? flow_text(f) : flow_text(f) + ": " + detail;
            return *text;
        };
        auto cache_example = [&] {
            return example() + " (same " + proto_name(f.key.proto) + " endpoint " +
                   endpoint_text(cached_as->address, cached_as->port) + " as " + proven.at(*cached_as).flow + ")";
        };
        for (int side = 0; side < 2; ++side) {
            std::uint32_t index = f.host[side];
            if (index == no_host) continue;
            Host& h = hosts[index];
            const IpAddress& other = side == 0 ? f.key.b : f.key.a;
            if (is_unicast(other)) insert_capped(h.p2p_peers, other, options.limits.max_peers_per_host);
            if (by_cache) {
                add_rule(h, sig, "cache.endpoint", "cache", sig->protocol, cache_example, packet);
            } else {
                add_rule(h, sig, sig->id, to_string(sig->kind), sig->protocol, example, packet);
            }
            if (h.proof_strengths.size() < 16) h.proof_strengths.push_back(by_cache ? 0.5 : sig->strength / 100.0);
        }
        if (!by_cache) {
            record_proven_endpoint(f, 0, sig);
            record_proven_endpoint(f, 1, sig);
        }
    }

    bool try_cache(Flow& f) {
        for (int side = 0; side < 2; ++side) {
            EndpointKey key{side == 0 ? f.key.a : f.key.b, side == 0 ? f.key.pa : f.key.pb, f.key.proto};
            auto it = proven.find(key);
            if (it == proven.end()) continue;
            f.cache = true;
            attribute(f, it->second.signature, &it->first, f.first_number);
            return true;
        }
        return false;
    }

    void record_behaviour(Flow& f) {
        f.behaviour_recorded = true;
        bool excluded_a = is_excluded_service_port(f.key.pa);
        bool excluded_b = is_excluded_service_port(f.key.pb);
        bool tcp = f.key.proto == ip_proto::tcp;
        for (int side = 0; side < 2; ++side) {
            std::uint32_t index = f.host[side];
            if (index == no_host) continue;
            Host& h = hosts[index];
            const IpAddress& other = side == 0 ? f.key.b : f.key.a;
            if (!is_unicast(other)) continue;
            if (!excluded_a && !excluded_b) {
                insert_capped(tcp ? h.tcp_peers : h.udp_peers, other, options.limits.max_peers_per_host);
                insert_capped(h.fanout_peers, other, options.limits.max_peers_per_host);
            }
        }
        // {IP,port}: the advertised endpoint of a TCP connection is the side that was connected to; for UDP both
        // sides are endpoints.
        for (int side = 0; side < 2; ++side) {
            if (tcp && (f.initiator < 0 || f.initiator == side)) continue;
            const IpAddress& address = side == 0 ? f.key.a : f.key.b;
            std::uint16_t port = side == 0 ? f.key.pa : f.key.pb;
            const IpAddress& peer = side == 0 ? f.key.b : f.key.a;
            std::uint16_t peer_port = side == 0 ? f.key.pb : f.key.pa;
            if (is_excluded_service_port(port) || !is_unicast(address) || !is_unicast(peer)) continue;
            EndpointKey key{address, port, f.key.proto};
            auto it = endpoints.find(key);
            if (it == endpoints.end()) {
                if (endpoints.size() >= options.limits.max_endpoints) {
                    ++endpoints_dropped;
                    continue;
                }
                it = endpoints.emplace(key, EndpointStats{}).first;
            }
            auto& stats = it->second;
            if (stats.peer_ips.size() < max_endpoint_set && stats.peer_ports.size() < max_endpoint_set) {
                stats.peer_ips.insert(peer);
                stats.peer_ports.insert(peer_port);
            } else {
                stats.capped = true;
            }
        }
    }

    void close_flow(Flow* f, bool expired) {
        if (f->proof == nullptr && !f->cache) try_cache(*f);
        if (expired) ++summary.flows_expired;
        lru_unlink(f);
        flows.erase(f->key);
    }

    // Time stamps come from the capture file and may be anywhere in the int64 range (fuzz finding
    // capture_file/idle-deadline-overflow): the comparison is made without forming last_ns + idle.
    void expire(std::int64_t now) {
        while (lru_head != nullptr && lru_head->last_ns < now &&
               static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(lru_head->last_ns) >
                   static_cast<std::uint64_t>(idle_limit(*lru_head))) {
            close_flow(lru_head, true);
        }
    }

    void inspect(Flow& f, int dir, const PacketView& p, std::uint64_t number) {
        PayloadInfo info;
        info.transport = f.key.proto == ip_proto::tcp ? Transport::tcp : Transport::udp;
        info.src_port = p.src_port;
        info.dst_port = p.dst_port;
        info.payload = p.payload;
        info.wire_length = std::max<std::uint32_t>(p.payload_wire_length, static_cast<std::uint32_t>(p.payload.size()));
        ++f.inspected;
        (void)dir;
        for (const auto& row : signature_table()) {
            if (row.kind != SignatureKind::payload_proof) break;
            if (row.transport != info.transport || !row.match(info)) continue;
            if (row.min_packets <= 1) {
                f.proof = &row;
                attribute(f, &row, nullptr, number);
                return;
            }
            if (std::strcmp(row.id, "bittorrent.utp") == 0) {
                auto header = parse_utp_header(info.payload, info.wire_length);
                // Consecutive uTP packets of one connection carry ids that differ by at most one (SYN vs rest).
                if (f.utp_id_set && std::abs(int(header->connection_id) - int(f.utp_connection_id)) > 1) continue;
                f.utp_id_set = true;
                f.utp_connection_id = header->connection_id;
            }
            auto slot = std::find_if(f.multi.begin(), f.multi.end(),
                                     [&](const MultiMatch& m) { return m.signature == &row || m.signature == nullptr; });
            if (slot == f.multi.end()) continue;
            if (slot->signature == nullptr) {
                slot->signature = &row;
                slot->first_packet = number;
            }
            if (++slot->count >= row.min_packets) {
                f.proof = &row;
                attribute(f, &row, nullptr, slot->first_packet);
                return;
            }
        }
    }

    // `counted_ip`: false for a packet already counted as skipped (transport header cut) whose bytes still count.
    void add_packet(std::uint64_t number, std::int64_t ns, const PacketView& p, std::uint32_t wire_length,
                    bool counted_ip = true) {
        if (!any_packet) {
            any_packet = true;
            first_ns = ns;
            summary.first_packet = seconds(ns);
        }
        if (ns > now_ns) now_ns = ns;
        if (p.status != DecodeStatus::ok) return;
        if (counted_ip) ++summary.ip_packets;
        expire(now_ns);

        bool has_ports = p.transport_decoded && (p.ip_protocol == ip_proto::tcp || p.ip_protocol == ip_proto::udp);
        if (!has_ports) {
            if (p.is_fragment && !p.is_first_fragment) ++summary.skipped.non_first_fragments;
            std::uint32_t s = host_for(p.src, ns);
            std::uint32_t d = host_for(p.dst, ns);
            count_host(s, true, wire_length, ns);
            count_host(d, false, wire_length, ns);
            return;
        }

        FlowKey key;
        bool forward = std::tie(p.src, p.src_port) <= std::tie(p.dst, p.dst_port);
        key.a = forward ? p.src : p.dst;
        key.b = forward ? p.dst : p.src;
        key.pa = forward ? p.src_port : p.dst_port;
        key.pb = forward ? p.dst_port : p.src_port;
        key.proto = p.ip_protocol;
        int dir = forward ? 0 : 1;  // 0: a->b

        auto it = flows.find(key);
        Flow* f = nullptr;
        if (it == flows.end()) {
            if (flows.size() >= options.limits.max_flows && lru_head != nullptr) {
                ++summary.flows_evicted;
                close_flow(lru_head, false);
            }
            f = &flows.emplace(key, Flow{}).first->second;
            f->key = key;
            f->first_number = number;
            f->first_ns = ns;
            f->host[0] = host_for(key.a, ns);
            f->host[1] = host_for(key.b, ns);
            bool syn_only = p.ip_protocol == ip_proto::tcp && (p.tcp_flags & (tcp_flag::syn | tcp_flag::ack)) == tcp_flag::syn;
            if (p.ip_protocol == ip_proto::udp || syn_only) f->initiator = dir;
            f->hint = match_port_hint(p.ip_protocol == ip_proto::tcp ? Transport::tcp : Transport::udp, p.src_port,
                                      p.dst_port);
            ++summary.flows;
            for (int side = 0; side < 2; ++side) {
                if (f->host[side] == no_host) continue;
                Host& h = hosts[f->host[side]];
                const IpAddress& other = side == 0 ? key.b : key.a;
                insert_capped(h.peers, other, options.limits.max_peers_per_host, &h.peers_capped);
                if (h.peer_ports.size() < 65536) h.peer_ports.insert(side == 0 ? key.pb : key.pa);
                if (f->hint != nullptr) ++h.hint_flows;
            }
            lru_push_back(f);
        } else {
            f = &it->second;
            lru_unlink(f);
            lru_push_back(f);
        }
        // Idle time runs on the capture clock (the latest timestamp seen), so files whose clocks go backwards
        // (merged or concatenated captures) do not expire their own flows packet by packet.
        f->last_ns = now_ns;
        ++f->packets[dir];
        count_host(f->host[dir], true, wire_length, ns);
        count_host(f->host[1 - dir], false, wire_length, ns);
        if (p.ip_protocol == ip_proto::tcp && (p.tcp_flags & (tcp_flag::fin | tcp_flag::rst)) != 0) f->closed = true;

        if (!p.payload.empty() || p.payload_wire_length > 0) {
            f->payload_bytes[dir] += std::max<std::uint64_t>(p.payload_wire_length, p.payload.size());
            if (f->proof == nullptr && f->inspected < options.limits.inspect_packets && !p.payload.empty()) {
                inspect(*f, dir, p, number);
            }
            if (f->first_speaker < 0) f->first_speaker = static_cast<std::int8_t>(dir);
            if (p.ip_protocol == ip_proto::tcp && f->proof == nullptr && !f->cache && !p.payload.empty() &&
                f->mse.state() == MseShape::State::watching) {
                int opener = f->initiator >= 0 ? f->initiator : f->first_speaker;
                std::uint32_t length = std::max<std::uint32_t>(p.payload_wire_length, static_cast<std::uint32_t>(p.payload.size()));
                if (f->mse.observe(dir == opener, p.payload, length) == MseShape::State::matched) {
                    f->proof = mse_signature();
                    attribute(*f, f->proof, nullptr, number, f->mse.evidence());
                }
            }
        }
        if (!f->behaviour_recorded) {
            bool both_ways = f->packets[0] > 0 && f->packets[1] > 0;
            bool data_ok = p.ip_protocol == ip_proto::udp || (f->payload_bytes[0] > 0 && f->payload_bytes[1] > 0);
            if (both_ways && data_ok) record_behaviour(*f);
        }
    }

    // ---------------------------------------------------------------- verdicts

    struct BehaviourScore {
        std::size_t tcp_udp_peers = 0;
        std::size_t fanout = 0;
        std::size_t endpoint_ips = 0;
        std::size_t endpoint_ports = 0;
        std::uint16_t endpoint_port = 0;
        std::uint8_t endpoint_proto = 0;
        bool endpoint_rule = false;
    };

    BehaviourScore behaviour_of(const Host& h,
                                const std::unordered_map<IpAddress, std::vector<const std::pair<const EndpointKey, EndpointStats>*>,
                                                         AddressHash>& by_host) const {
        BehaviourScore s;
        for (const auto& peer : h.tcp_peers) {
            if (h.udp_peers.count(peer) != 0) ++s.tcp_udp_peers;
        }
        s.fanout = h.fanout_peers.size();
        auto it = by_host.find(h.address);
        if (it != by_host.end()) {
            for (const auto* entry : it->second) {
                std::size_t ips = entry->second.peer_ips.size();
                std::size_t ports = entry->second.peer_ports.size();
                auto gap = static_cast<std::size_t>(std::max(1.0, std::floor(behaviour::endpoint_max_ip_port_gap * ips)));
                bool rule = ips >= behaviour::endpoint_min_peers && (ips > ports ? ips - ports : ports - ips) <= gap;
                if (rule && (!s.endpoint_rule || ips > s.endpoint_ips)) {
                    s.endpoint_rule = true;
                    s.endpoint_ips = ips;
                    s.endpoint_ports = ports;
                    s.endpoint_port = entry->first.port;
                    s.endpoint_proto = entry->first.proto;
                }
            }
        }
        return s;
    }

    P2pReport build_report() const {
        P2pReport report;
        report.summary = summary;
        if (!finished) report.summary.flows_active = flows.size();
        report.summary.hosts_seen = hosts.size();
        report.summary.last_packet = seconds(now_ns);
        report.summary.duration = any_packet ? seconds(now_ns) - seconds(first_ns) : 0;  // no int64 overflow
        if (summary.sources.size() > 1) {
            double total = 0;
            for (const auto& source : summary.sources) total += source.span_seconds;
            report.summary.duration = total;
        }
        if (options.local.empty()) {
            report.summary.local_networks = {"RFC 1918", "RFC 4193 (ULA)", "link-local", "loopback", "100.64.0.0/10"};
        } else {
            for (const auto& p : options.local) report.summary.local_networks.push_back(p.to_string());
        }
        if (options.inventory != nullptr) report.summary.inventory_entries = options.inventory->entries.size();

        std::uint64_t total_bytes = std::max<std::uint64_t>(summary.bytes, 1);

        std::unordered_map<IpAddress, std::vector<const std::pair<const EndpointKey, EndpointStats>*>, AddressHash> by_host;
        for (const auto& entry : endpoints) by_host[entry.first.address].push_back(&entry);

        auto owner_of = [&](const IpAddress& a) -> std::optional<HostOwner> {
            if (options.inventory == nullptr) return std::nullopt;
            const auto* e = options.inventory->lookup(a);
            if (e == nullptr) return std::nullopt;
            HostOwner o{e->owner, e->host_name, e->note,
                        e->prefix.to_string() + ", " + (options.inventory->source.empty() ? std::string("line")
                                                                                         : options.inventory->source + " line") +
                            " " + std::to_string(e->line)};
            return o;
        };

        for (const Host& h : hosts) {
            if (!h.local || !h.unicast) continue;
            HostReport r;
            r.address = h.address;
            r.peers = h.peers.size();
            r.p2p_peers = h.p2p_peers.size();
            r.peer_ports = h.peer_ports.size();
            r.peers_capped = h.peers_capped;
            r.bytes_sent = h.bytes_sent;
            r.bytes_received = h.bytes_received;
            r.packets_sent = h.packets_sent;
            r.packets_received = h.packets_received;
            r.share = static_cast<double>(h.bytes_sent + h.bytes_received) / static_cast<double>(total_bytes);
            r.first_seen = seconds(h.first_ns);
            r.last_seen = seconds(h.last_ns);
            r.owner = owner_of(h.address);

            bool has_proof = false;
            std::vector<Protocol> protocols;
            for (const auto& rule : h.rules) {
                if (std::find(protocols.begin(), protocols.end(), rule.protocol) == protocols.end()) {
                    protocols.push_back(rule.protocol);
                }
                has_proof = true;
            }
            // Protocols ordered by how many flows proved them.
            std::sort(protocols.begin(), protocols.end(), [&](Protocol x, Protocol y) {
                auto flows_of = [&](Protocol p) {
                    std::uint64_t n = 0;
                    for (const auto& rule : h.rules) n += rule.protocol == p ? rule.flows : 0;
                    return n;
                };
                return flows_of(x) > flows_of(y);
            });
            for (auto p : protocols) r.protocols.push_back(to_string(p));

            if (has_proof) {
                // Hub rule: a host whose P2P flows all go to local hosts with strictly more P2P peers is reported
                // as their peer, not as a P2P host of its own (with every address local, the far ends of one busy
                // client's flows would otherwise each count as a host).
                // A host with P2P flows to two or more peers runs a client itself, whoever has more peers.
                bool demoted = !h.p2p_peers.empty() && h.p2p_peers.size() < 2;
                for (const auto& peer : h.p2p_peers) {
                    auto pi = host_index.find(peer);
                    if (pi == host_index.end()) { demoted = false; break; }
                    const Host& other = hosts[pi->second];
                    if (!other.local || other.p2p_peers.size() <= h.p2p_peers.size()) { demoted = false; break; }
                    if (r.peer_of.size() < max_examples &&
                        std::find(r.peer_of.begin(), r.peer_of.end(), peer.to_string()) == r.peer_of.end()) {
                        r.peer_of.push_back(peer.to_string());
                    }
                }
                if (!demoted) {
                    r.peer_of.clear();
                    r.verdict = Verdict::p2p;
                    double miss = 1.0;
                    for (double s : h.proof_strengths) miss *= (1.0 - s);
                    r.confidence = std::round((1.0 - miss) * 1000.0) / 1000.0;
                    // An encrypted handshake shape alone, with a single peer, is a strong hint but not proof: other
                    // random-looking protocols exist. Two or more peers with that handshake make it P2P.
                    bool only_encrypted = std::all_of(h.rules.begin(), h.rules.end(), [](const RuleStats& rule) {
                        return rule.signature == mse_signature();
                    });
                    if (only_encrypted && h.p2p_peers.size() < 2) r.verdict = Verdict::suspect;
                }
                std::vector<const RuleStats*> ordered;
                for (const auto& rule : h.rules) ordered.push_back(&rule);
                std::stable_sort(ordered.begin(), ordered.end(), [](const RuleStats* x, const RuleStats* y) {
                    if ((x->kind == "cache") != (y->kind == "cache")) return x->kind != "cache";
                    return x->flows > y->flows;
                });
                for (const auto* rule : ordered) {
                    HostEvidence e;
                    e.rule = rule->rule;
                    e.kind = rule->kind;
                    e.protocol = to_string(rule->protocol);
                    e.flows = rule->flows;
                    e.detail = rule->kind == "cache" ? "flow shares an {IP,port} endpoint with a payload-proven flow"
                                                     : rule->signature->description;
                    e.example_flows = rule->examples;
                    e.packets = rule->packets;
                    r.evidence.push_back(std::move(e));
                }
            }

            auto score = behaviour_of(h, by_host);
            auto add_behaviour_evidence = [&]() {
                if (score.endpoint_rule) {
                    HostEvidence e;
                    e.rule = "behaviour.ip_port";
                    e.kind = "behaviour";
                    e.detail = std::string(proto_name(score.endpoint_proto)) + " " +
                               endpoint_text(h.address, score.endpoint_port) + " reached by " +
                               std::to_string(score.endpoint_ips) + " distinct peer IPs from " +
                               std::to_string(score.endpoint_ports) + " distinct ports (IPs ~ ports: one connection per peer)";
                    r.evidence.push_back(std::move(e));
                }
                if (score.tcp_udp_peers > 0) {
                    HostEvidence e;
                    e.rule = "behaviour.tcp_udp_pairs";
                    e.kind = "behaviour";
                    e.detail = std::to_string(score.tcp_udp_peers) +
                               " peers reached over both TCP and UDP on non-service ports";
                    r.evidence.push_back(std::move(e));
                }
                if (score.fanout > 0) {
                    HostEvidence e;
                    e.rule = "behaviour.fanout";
                    e.kind = "behaviour";
                    e.detail = std::to_string(score.fanout) +
                               " distinct peers on high, non-service ports at both ends with traffic both ways";
                    r.evidence.push_back(std::move(e));
                }
                if (h.hint_flows > 0) {
                    HostEvidence e;
                    e.rule = "port_hint";
                    e.kind = "port_hint";
                    e.flows = h.hint_flows;
                    e.detail = std::to_string(h.hint_flows) + " flows on a P2P default port (a hint only)";
                    r.evidence.push_back(std::move(e));
                }
            };

            if (r.verdict != Verdict::p2p && r.peer_of.empty()) {
                int signals = 0;
                signals += score.endpoint_rule ? 1 : 0;
                signals += score.tcp_udp_peers >= behaviour::tcp_udp_min_peers ? 1 : 0;
                signals += score.fanout >= behaviour::fanout_min_peers ? 1 : 0;
                if (signals >= 2) {
                    r.verdict = Verdict::suspect;
                    double c = 0.45 + 0.15 * (signals - 2);
                    if (h.hint_flows > 0) c += 0.1;
                    if (score.fanout >= 4 * behaviour::fanout_min_peers) c += 0.1;
                    r.confidence = std::round(std::min(c, 0.9) * 100.0) / 100.0;
                    add_behaviour_evidence();
                }
            } else if (r.verdict == Verdict::p2p && (score.endpoint_rule || score.fanout >= behaviour::fanout_min_peers)) {
                add_behaviour_evidence();
            }

            std::size_t examples = 0;
            const AddressSet& example_set = h.p2p_peers.empty() ? h.peers : h.p2p_peers;
            std::vector<IpAddress> sorted(example_set.begin(), example_set.end());
            std::sort(sorted.begin(), sorted.end());
            for (const auto& peer : sorted) {
                if (examples++ >= 5) break;
                r.peer_examples.push_back(peer.to_string());
            }
            report.hosts.push_back(std::move(r));
        }

        auto rank = [](Verdict v) { return v == Verdict::p2p ? 0 : v == Verdict::suspect ? 1 : 2; };
        std::sort(report.hosts.begin(), report.hosts.end(), [&](const HostReport& x, const HostReport& y) {
            if (rank(x.verdict) != rank(y.verdict)) return rank(x.verdict) < rank(y.verdict);
            auto bx = x.bytes_sent + x.bytes_received;
            auto by = y.bytes_sent + y.bytes_received;
            if (bx != by) return bx > by;
            return x.address < y.address;
        });

        // Top talkers over every address.
        std::vector<const Host*> talkers;
        for (const Host& h : hosts) {
            if (h.unicast) talkers.push_back(&h);
        }
        std::size_t top = std::min(options.top, talkers.size());
        std::partial_sort(talkers.begin(), talkers.begin() + static_cast<std::ptrdiff_t>(top), talkers.end(),
                          [](const Host* x, const Host* y) {
                              auto bx = x->bytes_sent + x->bytes_received;
                              auto by = y->bytes_sent + y->bytes_received;
                              if (bx != by) return bx > by;
                              return x->address < y->address;
                          });
        for (std::size_t k = 0; k < top; ++k) {
            const Host& h = *talkers[k];
            TopTalker t;
            t.address = h.address;
            t.bytes = h.bytes_sent + h.bytes_received;
            t.packets = h.packets_sent + h.packets_received;
            t.share = static_cast<double>(t.bytes) / static_cast<double>(total_bytes);
            t.local = h.local;
            if (h.local) {
                auto hr = std::find_if(report.hosts.begin(), report.hosts.end(),
                                       [&](const HostReport& r) { return r.address == h.address; });
                if (hr != report.hosts.end()) t.verdict = to_string(hr->verdict);
            }
            if (auto o = owner_of(h.address)) t.owner = o->owner;
            report.top_talkers.push_back(std::move(t));
        }
        add_diagnoses(report);
        return report;
    }

    void add_diagnoses(P2pReport& report) const {
        auto& out = report.diagnoses;
        for (const auto& h : report.hosts) {
            if (h.verdict == Verdict::clean) continue;
            Diagnosis d;
            bool proven = h.verdict == Verdict::p2p;
            d.code = proven ? "p2p_host" : "p2p_suspect";
            d.severity = Severity::warning;
            std::string who = h.address.to_string();
            if (h.owner && !h.owner->owner.empty()) who += " (" + h.owner->owner + ")";
            std::string protocols;
            for (const auto& p : h.protocols) protocols += (protocols.empty() ? "" : ", ") + p;
            if (proven) {
                d.summary = who + " runs P2P file sharing (" + protocols + "): " + std::to_string(h.p2p_peers) +
                            " P2P peers, " + format_percent(h.share) + " of the traffic";
            } else {
                d.summary = who + " behaves like a P2P client (no payload signature): " + std::to_string(h.peers) +
                            " peers, " + format_percent(h.share) + " of the traffic";
            }
            d.confidence = h.confidence;
            for (const auto& e : h.evidence) {
                Evidence ev;
                ev.what = e.rule + (e.protocol.empty() ? "" : " (" + e.protocol + ")");
                ev.observed = e.kind == "behaviour" || e.kind == "port_hint" ? e.detail
                                                                               : std::to_string(e.flows) + " flow(s), e.g. " +
                                                                                     (e.example_flows.empty() ? std::string("-") : e.example_flows.front());
                if (!e.packets.empty()) ev.source = "packet " + std::to_string(e.packets.front());
                d.evidence.push_back(std::move(ev));
            }
            d.advice = proven ? "Find the user from the address register (--inventory), stop the client on that machine, "
                                "and block its traffic at the router if policy requires."
                              : "Check the machine for P2P software (encrypted clients show no payload signature); "
                                "the peers and ports above show where it talks.";
            out.push_back(std::move(d));
        }
        if (!report.top_talkers.empty() && report.top_talkers.front().share >= 0.5 && report.summary.packets >= 100) {
            const auto& t = report.top_talkers.front();
            Diagnosis d;
            d.code = "dominant_host";
            d.severity = Severity::info;
            d.summary = t.address.to_string() + (t.owner.empty() ? "" : " (" + t.owner + ")") + " is in " +
                        format_percent(t.share) + " of all traffic";
            d.evidence.push_back({"bytes", format_bytes(t.bytes), "", "top talkers"});
            out.push_back(std::move(d));
        }
        const auto& s = report.summary;
        if (s.skipped.total() > 0) {
            Diagnosis d;
            d.code = "packets_skipped";
            d.severity = Severity::info;
            d.summary = std::to_string(s.skipped.total()) + " frames were counted and skipped";
            auto add = [&](const char* what, std::uint64_t n) {
                if (n > 0) d.evidence.push_back({what, std::to_string(n), "", "decoder"});
            };
            add("not IP", s.skipped.not_ip);
            add("truncated (snaplen or short frame)", s.skipped.truncated);
            add("malformed headers", s.skipped.malformed);
            add("unsupported link type", s.skipped.unsupported_link);
            out.push_back(std::move(d));
        }
        for (const auto& src : s.sources) {
            if (src.truncated || !src.error.empty()) {
                Diagnosis d;
                d.code = "capture_truncated";
                d.severity = Severity::info;
                d.summary = src.name + " ended early after " + std::to_string(src.packets) + " packets";
                d.evidence.push_back({"reader", src.error.empty() ? "file ends inside a record" : src.error, "", src.name});
                d.advice = "The packets before the cut were analysed; copy the capture again if it was cut in transfer.";
                out.push_back(std::move(d));
            }
            std::uint64_t lost = src.kernel_dropped + src.interface_dropped + src.nic_rx_dropped;
            if (lost > 0) {
                // A verdict from a capture with holes can miss the one flow that proves P2P.
                Diagnosis d;
                d.code = "capture_drops";
                d.severity = Severity::warning;
                d.summary = std::to_string(lost) + " packets on " + src.name +
                            " were lost before analysis: the verdicts rest on a capture with holes";
                d.evidence.push_back({"dropped by the capture ring (kernel)", std::to_string(src.kernel_dropped), "0",
                                      "pcap_stats"});
                d.evidence.push_back({"dropped by the interface driver", std::to_string(src.interface_dropped), "0",
                                      "pcap_stats"});
                d.evidence.push_back({"interface rx_dropped + rx_missed_errors growth",
                                      std::to_string(src.nic_rx_dropped), "0",
                                      "/sys/class/net/" + src.name + "/statistics"});
                d.advice = src.kernel_dropped > 0
                               ? "Give the capture a larger ring (-B, in KiB; default 131072) or narrow it with a BPF "
                                 "--filter, and capture again."
                               : "The interface itself dropped packets (driver or NIC overload): capture on a less "
                                 "loaded port or a mirror port, and check the link (nettool link).";
                out.push_back(std::move(d));
            }
        }
        if (s.flows_evicted > 0 || s.hosts_untracked > 0) {
            Diagnosis d;
            d.code = "tables_full";
            d.severity = Severity::info;
            d.summary = "memory caps reached: " + std::to_string(s.flows_evicted) + " flows evicted early, " +
                        std::to_string(s.hosts_untracked) + " flows or packets of addresses beyond the host-table cap";
            d.advice = "Verdicts stay valid; counts for the least active flows may be incomplete.";
            out.push_back(std::move(d));
        }
        if (s.inventory_skipped_lines > 0) {
            Diagnosis d;
            d.code = "inventory_lines_skipped";
            d.severity = Severity::info;
            d.summary = std::to_string(s.inventory_skipped_lines) + " inventory lines could not be read and were skipped";
            out.push_back(std::move(d));
        }
        if (!report.any_flagged()) {
            Diagnosis d;
            d.code = "no_p2p_found";
            d.severity = Severity::info;
            d.summary = "no local host shows P2P file sharing in " + std::to_string(s.packets) + " packets";
            out.push_back(std::move(d));
        }
    }
};

Analyzer::Analyzer(AnalyzerOptions options) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
    state_->flows.reserve(std::min<std::size_t>(state_->options.limits.max_flows, 65536));
}

Analyzer::~Analyzer() = default;

void Analyzer::add_frame(std::uint64_t number, std::chrono::nanoseconds timestamp, int link_type,
                         std::span<const std::uint8_t> frame, std::uint32_t wire_length) {
    auto& s = *state_;
    ++s.summary.packets;
    s.summary.bytes += wire_length;
    PacketView view;
    DecodeStatus status = decode_packet(link_type, frame, view);
    switch (status) {
        case DecodeStatus::ok: break;
        case DecodeStatus::not_ip: ++s.summary.skipped.not_ip; break;
        case DecodeStatus::truncated: ++s.summary.skipped.truncated; break;
        case DecodeStatus::malformed: ++s.summary.skipped.malformed; break;
        case DecodeStatus::unsupported_link: ++s.summary.skipped.unsupported_link; break;
    }
    bool transport_cut = status == DecodeStatus::ok && view.transport_truncated;
    if (transport_cut) {
        // IP header fine but the transport header was cut: skipped as truncated, its bytes still count to hosts.
        ++s.summary.skipped.truncated;
        view.transport_decoded = false;
    }
    s.add_packet(number, timestamp.count(), view, wire_length, !transport_cut);
}

void Analyzer::add_packet(std::uint64_t number, std::chrono::nanoseconds timestamp, const PacketView& packet,
                          std::uint32_t wire_length) {
    ++state_->summary.packets;
    state_->summary.bytes += wire_length;
    state_->add_packet(number, timestamp.count(), packet, wire_length);
}

void Analyzer::add_source(SourceInfo source) { state_->summary.sources.push_back(std::move(source)); }

void Analyzer::set_inventory_skipped(std::uint64_t lines) { state_->summary.inventory_skipped_lines = lines; }

P2pReport Analyzer::report() const { return state_->build_report(); }

P2pReport Analyzer::finish() {
    auto& s = *state_;
    s.summary.flows_active = s.flows.size();
    s.finished = true;
    while (s.lru_head != nullptr) s.close_flow(s.lru_head, false);
    return s.build_report();
}

std::uint64_t Analyzer::packets() const { return state_->summary.packets; }

}  // namespace nettool::p2p
