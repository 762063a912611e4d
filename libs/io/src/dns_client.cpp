// DnsClient: c-ares 1.18.1 driven by the run's io_context. c-ares tells us through the socket-state callback which
// of its sockets to watch and in which direction; each socket gets one Asio stream_descriptor with at most one
// pending wait per direction, and one steady_timer per channel follows ares_timeout(). The descriptors never own
// the fds (c-ares opens and closes them): teardown is release(), never close().
#include "nettool/io/dns_client.hpp"

#include <ares.h>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace nettool {

namespace {

void ensure_ares_library() {
    static std::once_flag once;
    std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

// One option set that needs its own c-ares channel (servers, transport, timeout, tries, TC handling, EDNS size).
struct ChannelKey {
    std::string servers_csv;
    bool tcp = false;
    long timeout_ms = 0;
    int tries = 1;
    bool accept_truncated = false;
    std::uint16_t edns_udp_size = 0;
    std::size_t server_count = 0;

    std::string text() const {
        return servers_csv + "|" + (tcp ? "tcp" : "udp") + "|" + std::to_string(timeout_ms) + "|" +
               std::to_string(tries) + "|" + (accept_truncated ? "igntc" : "tc") + "|" + std::to_string(edns_udp_size);
    }
};

DnsOutcome outcome_for_rcode(int rcode) {
    switch (rcode) {
        case dns_rcode::noerror: return DnsOutcome::answer;
        case dns_rcode::formerr: return DnsOutcome::formerr;
        case dns_rcode::servfail: return DnsOutcome::servfail;
        case dns_rcode::nxdomain: return DnsOutcome::nxdomain;
        case dns_rcode::notimp: return DnsOutcome::notimp;
        case dns_rcode::refused: return DnsOutcome::refused;
        default: return DnsOutcome::other_rcode;
    }
}

}  // namespace

const char* to_string(DnsOutcome outcome) {
    switch (outcome) {
        case DnsOutcome::answer: return "answer";
        case DnsOutcome::nodata: return "nodata";
        case DnsOutcome::nxdomain: return "nxdomain";
        case DnsOutcome::servfail: return "servfail";
        case DnsOutcome::refused: return "refused";
        case DnsOutcome::formerr: return "formerr";
        case DnsOutcome::notimp: return "notimp";
        case DnsOutcome::other_rcode: return "other_rcode";
        case DnsOutcome::timeout: return "timeout";
        case DnsOutcome::connection_refused: return "connection_refused";
        case DnsOutcome::network_error: return "network_error";
        case DnsOutcome::bad_response: return "bad_response";
        case DnsOutcome::cancelled: return "cancelled";
    }
    return "unknown";
}

std::vector<const DnsRecord*> DnsResult::records() const {
    if (!message) return {};
    return answers_for(*message, name, type);
}

namespace {

struct Channel;

struct PendingQuery {
    DnsClient::Impl* impl = nullptr;
    Channel* channel = nullptr;  // outlives the query: a channel completes its queries before it goes away
    DnsCallback callback;
    std::string name;
    std::uint16_t type = 0;
    std::uint16_t id = 0;             // unique among the channel's queries in flight (c-ares matches on it)
    std::uint64_t sequence = 0;       // order of submission, for the refusal sweep
    std::vector<std::uint8_t> wire;   // kept to resubmit after a refusal sweep
    std::chrono::steady_clock::time_point started;
};

// One c-ares socket as Asio sees it. `fd` stays owned by c-ares.
struct Watcher {
    Watcher(IoContext& io, ares_socket_t socket) : descriptor(io), fd(socket) {}
    boost::asio::posix::stream_descriptor descriptor;
    ares_socket_t fd;
    bool want_read = false;
    bool want_write = false;
    bool read_waiting = false;
    bool write_waiting = false;
    bool active = true;
};

void sock_state_callback(void* data, ares_socket_t fd, int readable, int writable);
void answer_callback(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

struct Channel : std::enable_shared_from_this<Channel> {
    Channel(IoContext& io_context, DnsClient::Impl& owner) : io(io_context), impl(owner), timer(io_context) {}
    ~Channel() {
        if (channel != nullptr) ares_destroy(channel);  // runs pending answer callbacks, closes the sockets
        for (auto& [fd, watcher] : watchers) detach(*watcher);
        watchers.clear();
    }
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    static void detach(Watcher& watcher) {
        watcher.active = false;
        boost::system::error_code ignored;
        watcher.descriptor.cancel(ignored);
        if (watcher.descriptor.is_open()) (void)watcher.descriptor.release();  // the fd belongs to c-ares
    }

    void socket_state(ares_socket_t fd, bool readable, bool writable) {
        auto found = watchers.find(fd);
        if (!readable && !writable) {
            if (found != watchers.end()) {
                detach(*found->second);
                watchers.erase(found);
            }
            return;
        }
        std::shared_ptr<Watcher> watcher;
        if (found == watchers.end()) {
            watcher = std::make_shared<Watcher>(io, fd);
            boost::system::error_code ec;
            watcher->descriptor.assign(fd, ec);
            if (ec) return;  // c-ares will time the query out; nothing else we can do with this fd
            watchers.emplace(fd, watcher);
        } else {
            watcher = found->second;
        }
        watcher->want_read = readable;
        watcher->want_write = writable;
        arm(watcher);
    }

    void arm(const std::shared_ptr<Watcher>& watcher) {
        if (!watcher->active) return;
        std::weak_ptr<Channel> weak_self = weak_from_this();
        std::weak_ptr<Watcher> weak_watcher = watcher;
        if (watcher->want_read && !watcher->read_waiting) {
            watcher->read_waiting = true;
            watcher->descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                           [weak_self, weak_watcher](const boost::system::error_code& ec) {
                                               if (auto self = weak_self.lock()) self->ready(weak_watcher, true, ec);
                                           });
        }
        if (watcher->want_write && !watcher->write_waiting) {
            watcher->write_waiting = true;
            watcher->descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                                           [weak_self, weak_watcher](const boost::system::error_code& ec) {
                                               if (auto self = weak_self.lock()) self->ready(weak_watcher, false, ec);
                                           });
        }
    }

    void ready(const std::weak_ptr<Watcher>& weak_watcher, bool read, const boost::system::error_code& ec) {
        auto watcher = weak_watcher.lock();
        if (!watcher) return;
        (read ? watcher->read_waiting : watcher->write_waiting) = false;
        if (ec == boost::asio::error::operation_aborted || !watcher->active || channel == nullptr) return;
        // On a wait error (not expected for a live fd) let c-ares try the socket: its own read/write reports it.
        const ares_socket_t fd = watcher->fd;
        ares_process_fd(channel, read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
        if (!ec) arm(watcher);  // if c-ares still wants this direction; never a second wait
        schedule();
    }

    void schedule() {
        if (channel == nullptr) return;
        timeval remaining{};
        timeval* next = ares_timeout(channel, nullptr, &remaining);
        if (next == nullptr) {
            timer.cancel();
            return;
        }
        auto delay = std::chrono::seconds(next->tv_sec) + std::chrono::microseconds(next->tv_usec);
        timer.expires_after(delay);
        std::weak_ptr<Channel> weak_self = weak_from_this();
        timer.async_wait([weak_self](const boost::system::error_code& ec) {
            if (ec == boost::asio::error::operation_aborted) return;
            auto self = weak_self.lock();
            if (!self || self->channel == nullptr) return;
            ares_process_fd(self->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            self->schedule();
        });
    }

    // A random query id not used by another query of this channel in flight; nullopt when all 65536 are.
    std::optional<std::uint16_t> allocate_id(std::mt19937& random) {
        if (ids.size() >= 65536) return std::nullopt;
        while (true) {
            const auto id = static_cast<std::uint16_t>(random() & 0xFFFF);
            if (ids.insert(id).second) return id;
        }
    }

    // c-ares 1.18.1 shares one connected UDP socket among the queries to a server. When that server's port is
    // closed, the ICMP error surfaces on whichever query touches the socket next; that query ends with
    // ECONNREFUSED, the socket is closed, and the queries already sent on it are left to time out although their
    // datagrams were refused just the same. So after a UDP refusal from a one-server channel, the queries sent
    // before it are swept: cancelled and reported as connection_refused; later ones are resubmitted unchanged.
    void note_refusal(std::uint64_t up_to_sequence);
    void sweep();

    IoContext& io;
    DnsClient::Impl& impl;
    ares_channel channel = nullptr;
    boost::asio::steady_timer timer;
    std::unordered_map<ares_socket_t, std::shared_ptr<Watcher>> watchers;
    std::unordered_set<std::uint16_t> ids;
    std::size_t in_flight = 0;
    std::size_t server_count = 0;
    bool tcp = false;
    bool sweeping = false;
    bool sweep_posted = false;
    std::uint64_t refused_up_to = 0;
    int last_socket_error = 0;  // errno of the last failed socket call (see the socket functions below)
};

void sock_state_callback(void* data, ares_socket_t fd, int readable, int writable) {
    static_cast<Channel*>(data)->socket_state(fd, readable != 0, writable != 0);
}

// c-ares 1.18.1 ends every query whose socket failed with ARES_ECONNREFUSED, whatever the errno was (no route,
// host unreachable, port unreachable...). These thin wrappers around the socket calls remember the last hard
// errno per channel, so the outcome can tell connection_refused from network_error. errno is left as it was.
bool hard_socket_error(int error) { return error != EAGAIN && error != EWOULDBLOCK && error != EINTR && error != EINPROGRESS; }

void remember_socket_error(void* data, int error) {
    if (hard_socket_error(error)) static_cast<Channel*>(data)->last_socket_error = error;
}

// c-ares 1.18.1 leaves sockets it did not open itself in blocking mode (configure_socket skips user-managed
// sockets), so a TCP connect to a server whose SYNs are dropped would block the whole event loop for the kernel's
// SYN retries (about 127 s). They are opened non-blocking here.
ares_socket_t socket_open(int domain, int type, int protocol, void* data) {
    const ares_socket_t fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd == ARES_SOCKET_BAD) {
        const int error = errno;
        remember_socket_error(data, error);
        errno = error;
    }
    return fd;
}

int socket_close(ares_socket_t fd, void*) { return ::close(fd); }

int socket_connect(ares_socket_t fd, const struct sockaddr* address, ares_socklen_t length, void* data) {
    const int result = ::connect(fd, address, length);
    if (result < 0) {
        const int error = errno;
        remember_socket_error(data, error);
        errno = error;
    }
    return result;
}

ares_ssize_t socket_receive(ares_socket_t fd, void* buffer, size_t length, int flags, struct sockaddr* from,
                            ares_socklen_t* from_length, void* data) {
    const ares_ssize_t result = ::recvfrom(fd, buffer, length, flags, from, from_length);
    if (result < 0) {
        const int error = errno;
        remember_socket_error(data, error);
        errno = error;
    }
    return result;
}

ares_ssize_t socket_send(ares_socket_t fd, const struct iovec* vectors, int count, void* data) {
    msghdr message{};
    message.msg_iov = const_cast<struct iovec*>(vectors);
    message.msg_iovlen = static_cast<std::size_t>(count);
    const ares_ssize_t result = ::sendmsg(fd, &message, MSG_NOSIGNAL);  // a closed TCP peer must not SIGPIPE us
    if (result < 0) {
        const int error = errno;
        remember_socket_error(data, error);
        errno = error;
    }
    return result;
}

const ares_socket_functions socket_functions{&socket_open, &socket_close, &socket_connect, &socket_receive,
                                             &socket_send};

}  // namespace

struct DnsClient::Impl {
    Impl(IoContext& io_context, std::vector<DnsServer> servers) : io(io_context), defaults(std::move(servers)) {}

    Result<std::shared_ptr<Channel>> channel_for(const ChannelKey& key) {
        const std::string text = key.text();
        if (auto found = channels.find(text); found != channels.end()) return found->second;
        ensure_ares_library();
        auto created = std::make_shared<Channel>(io, *this);
        ares_options options{};
        int mask = 0;
        options.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH;
        if (key.tcp) options.flags |= ARES_FLAG_USEVC;
        if (key.accept_truncated) options.flags |= ARES_FLAG_IGNTC;
        if (key.edns_udp_size > 512) {
            // Without this c-ares 1.18.1 takes any UDP answer over 512 bytes for truncated: it retries over TCP,
            // or with IGNTC cuts the answer to 512 bytes. Our queries carry their own OPT record (ares_send sends
            // them unchanged); the flag only tells c-ares how large an answer we asked for.
            options.flags |= ARES_FLAG_EDNS;
            options.ednspsz = key.edns_udp_size;
            mask |= ARES_OPT_EDNSPSZ;
        }
        mask |= ARES_OPT_FLAGS;
        options.timeout = static_cast<int>(key.timeout_ms);
        mask |= ARES_OPT_TIMEOUTMS;
        options.tries = key.tries;
        mask |= ARES_OPT_TRIES;
        options.ndots = 1;
        mask |= ARES_OPT_NDOTS;
        options.domains = nullptr;
        options.ndomains = 0;
        mask |= ARES_OPT_DOMAINS;
        static char lookups[] = "b";  // DNS only, never the hosts file
        options.lookups = lookups;
        mask |= ARES_OPT_LOOKUPS;
        options.servers = nullptr;  // no servers from resolv.conf: ours are set right below
        options.nservers = 0;
        mask |= ARES_OPT_SERVERS;
        options.sortlist = nullptr;
        options.nsort = 0;
        mask |= ARES_OPT_SORTLIST;
        mask |= ARES_OPT_NOROTATE;
        options.sock_state_cb = &sock_state_callback;
        options.sock_state_cb_data = created.get();
        mask |= ARES_OPT_SOCK_STATE_CB;
        const int status = ares_init_options(&created->channel, &options, mask);
        if (status != ARES_SUCCESS) {
            created->channel = nullptr;
            return internal_error(std::string("c-ares initialisation failed: ") + ares_strerror(status));
        }
        const int set = ares_set_servers_ports_csv(created->channel, key.servers_csv.c_str());
        if (set != ARES_SUCCESS) {
            return usage_error(std::string("c-ares rejected the server list: ") + ares_strerror(set),
                               key.servers_csv);
        }
        ares_set_socket_functions(created->channel, &socket_functions, created.get());
        created->server_count = key.server_count;
        created->tcp = key.tcp;
        channels.emplace(text, created);
        return created;
    }

    void deliver(std::unique_ptr<PendingQuery> query, DnsResult result) {
        if (destroying) {
            // The client is going away: nothing may be queued behind it. Callbacks run now, once.
            try {
                query->callback(std::move(result));
            } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor cannot report it
            }
            return;
        }
        boost::asio::post(io, [callback = std::move(query->callback), result = std::move(result)]() mutable {
            callback(std::move(result));
        });
    }

    IoContext& io;
    std::vector<DnsServer> defaults;
    std::map<std::string, std::shared_ptr<Channel>> channels;
    std::unordered_map<PendingQuery*, std::unique_ptr<PendingQuery>> pending;
    std::mt19937 random{std::random_device{}()};
    std::uint64_t next_sequence = 1;
    bool destroying = false;
};

namespace {

void Channel::note_refusal(std::uint64_t up_to_sequence) {
    refused_up_to = std::max(refused_up_to, up_to_sequence);
    if (in_flight == 0 || sweep_posted || impl.destroying) return;
    sweep_posted = true;
    std::weak_ptr<Channel> weak_self = weak_from_this();
    // Not from inside c-ares' own processing: run the sweep as its own handler.
    boost::asio::post(io, [weak_self] {
        if (auto self = weak_self.lock()) self->sweep();
    });
}

void Channel::sweep() {
    sweep_posted = false;
    if (channel == nullptr || in_flight == 0) return;
    sweeping = true;
    ares_cancel(channel);  // queries resubmitted from the callbacks are not cancelled again
    sweeping = false;
    schedule();
}

}  // namespace

namespace {

void answer_callback(void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
    auto* raw = static_cast<PendingQuery*>(arg);
    DnsClient::Impl& impl = *raw->impl;
    Channel& channel = *raw->channel;
    if (status == ARES_ECANCELLED && channel.sweeping) {
        if (raw->sequence <= channel.refused_up_to) {
            status = ARES_ECONNREFUSED;  // its datagram went to the closed port as well
        } else {
            // Sent after the refusal: not known to be affected. Same bytes, same id, same start time.
            ares_send(channel.channel, raw->wire.data(), static_cast<int>(raw->wire.size()), &answer_callback, raw);
            return;
        }
    }
    auto found = impl.pending.find(raw);
    if (found == impl.pending.end()) return;  // cannot happen: c-ares calls back once per query
    std::unique_ptr<PendingQuery> query = std::move(found->second);
    impl.pending.erase(found);
    channel.ids.erase(query->id);
    --channel.in_flight;
    if (status == ARES_ECONNREFUSED && !channel.tcp && channel.server_count == 1 && !channel.sweeping) {
        channel.note_refusal(impl.next_sequence - 1);
    }

    DnsResult result;
    result.name = query->name;
    result.type = query->type;
    result.timeouts = timeouts;
    result.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - query->started);
    switch (status) {
        case ARES_SUCCESS: {
            channel.last_socket_error = 0;  // the path works again
            if (abuf != nullptr && alen > 0) result.raw.assign(abuf, abuf + alen);
            auto parsed = parse_dns_message(result.raw);
            if (!parsed) {
                result.outcome = DnsOutcome::bad_response;
                result.error_text = parsed.error().describe();
                break;
            }
            result.message = std::move(parsed.value());
            result.outcome = outcome_for_rcode(result.message->rcode);
            if (result.outcome == DnsOutcome::answer && result.records().empty()) result.outcome = DnsOutcome::nodata;
            break;
        }
        case ARES_ETIMEOUT: result.outcome = DnsOutcome::timeout; break;
        case ARES_ECONNREFUSED:
            if (channel.last_socket_error == 0 || channel.last_socket_error == ECONNREFUSED) {
                result.outcome = DnsOutcome::connection_refused;
            } else {
                result.outcome = DnsOutcome::network_error;
                result.error_text = std::strerror(channel.last_socket_error);
            }
            break;
        case ARES_ECANCELLED:
        case ARES_EDESTRUCTION: result.outcome = DnsOutcome::cancelled; break;
        case ARES_ESERVFAIL: result.outcome = DnsOutcome::servfail; break;
        case ARES_ENOTFOUND: result.outcome = DnsOutcome::nxdomain; break;
        case ARES_EREFUSED: result.outcome = DnsOutcome::refused; break;
        case ARES_EFORMERR: result.outcome = DnsOutcome::formerr; break;
        case ARES_ENOTIMP: result.outcome = DnsOutcome::notimp; break;
        case ARES_ENODATA: result.outcome = DnsOutcome::nodata; break;
        case ARES_EBADRESP:
            result.outcome = DnsOutcome::bad_response;
            result.error_text = ares_strerror(status);
            break;
        default:
            result.outcome = DnsOutcome::network_error;
            result.error_text = ares_strerror(status);
            break;
    }
    impl.deliver(std::move(query), std::move(result));
}

}  // namespace

DnsClient::DnsClient(IoContext& io, std::vector<DnsServer> default_servers)
    : impl_(std::make_unique<Impl>(io, std::move(default_servers))) {}

DnsClient::~DnsClient() {
    impl_->destroying = true;
    impl_->channels.clear();  // ares_destroy in each Channel: pending callbacks run with `cancelled`, now
}

Status DnsClient::query(const std::string& name, std::uint16_t type, const DnsQueryOptions& options,
                        DnsCallback callback) {
    if (impl_->destroying) return internal_error("DNS query started while the client is being destroyed", name);
    if (!callback) return internal_error("DNS query without a callback", name);
    const auto& servers = options.servers.empty() ? impl_->defaults : options.servers;
    if (servers.empty()) {
        return environment_error("no DNS server to ask: none given and none configured", name);
    }
    if (options.tries < 1) return usage_error("DNS tries must be at least 1", name);
    if (options.timeout.count() < 1) return usage_error("DNS timeout must be at least 1 ms", name);
    if (options.timeout.count() > 3'600'000) return usage_error("DNS timeout must be at most one hour", name);

    DnsQuerySpec spec;
    spec.name = name;
    spec.type = type;
    spec.recursion_desired = options.recursion_desired;
    spec.edns_udp_size = options.edns_udp_size;
    spec.dnssec_ok = options.dnssec_ok;
    auto wire = build_dns_query(spec);
    if (!wire) return wire.error();

    ChannelKey key;
    for (const auto& server : servers) {
        if (!key.servers_csv.empty()) key.servers_csv += ',';
        key.servers_csv += server.to_string();
    }
    key.server_count = servers.size();
    key.tcp = options.transport == DnsTransport::tcp;
    key.timeout_ms = static_cast<long>(options.timeout.count());
    key.tries = options.tries;
    key.accept_truncated = options.accept_truncated;
    if (!key.tcp) key.edns_udp_size = options.edns_udp_size;
    auto channel = impl_->channel_for(key);
    if (!channel) return channel.error();

    Channel& target = **channel;
    // c-ares 1.18.1 sends the id it is given and matches answers on it: ids must be random and unique.
    auto id = target.allocate_id(impl_->random);
    if (!id) return environment_error("65536 DNS queries already in flight to these servers", name);
    (*wire)[0] = static_cast<std::uint8_t>(*id >> 8);
    (*wire)[1] = static_cast<std::uint8_t>(*id & 0xFF);

    auto query = std::make_unique<PendingQuery>();
    query->impl = impl_.get();
    query->channel = &target;
    query->callback = std::move(callback);
    query->name = name;
    query->type = type;
    query->id = *id;
    query->sequence = impl_->next_sequence++;
    query->wire = std::move(*wire);
    query->started = std::chrono::steady_clock::now();
    PendingQuery* raw = query.get();
    impl_->pending.emplace(raw, std::move(query));
    ++target.in_flight;
    // May call answer_callback at once (e.g. no socket could be opened); it only posts, so that is fine here.
    ares_send(target.channel, raw->wire.data(), static_cast<int>(raw->wire.size()), &answer_callback, raw);
    target.schedule();
    return Ok{};
}

void DnsClient::cancel_all() {
    for (auto& [key, channel] : impl_->channels) {
        if (channel->channel == nullptr) continue;
        ares_cancel(channel->channel);  // every pending query calls back with ARES_ECANCELLED
        channel->schedule();
    }
}

std::size_t DnsClient::in_flight() const { return impl_->pending.size(); }

const std::vector<DnsServer>& DnsClient::default_servers() const { return impl_->defaults; }

IoContext& DnsClient::io_context() const { return impl_->io; }

Result<ResolvConf> read_resolv_conf(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return environment_error(std::string("cannot read: ") + std::strerror(errno), path);
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return environment_error("read error", path);
    return parse_resolv_conf(text.str());
}

}  // namespace nettool
