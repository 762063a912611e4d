// dnscheck_nfq_delay: a fixed delay for packets, made with NFQUEUE because this kernel has no netem.
//
//   dnscheck_nfq_delay --queue N --delay MS
//
// An iptables rule (e.g. `iptables -A FORWARD -p udp --sport 53 -j NFQUEUE --queue-num N`) hands matching packets
// to this program through libnetfilter_queue. Each packet's id and arrival time are kept in a FIFO; the program
// sleeps in poll() until the oldest packet is MS milliseconds old and then gives the kernel its NF_ACCEPT verdict,
// so every packet leaves exactly MS later than it arrived, in order. Only packet metadata is copied to user space.
// "ready" is printed on stdout once the queue is bound; SIGTERM/SIGINT accept whatever is still held and exit.
// netinet/in.h before the kernel headers, so linux/in.h stands back (libc-compat).
#include <arpa/inet.h>
#include <netinet/in.h>

#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

struct Held {
    std::uint32_t id;
    Clock::time_point due;
};

struct State {
    std::deque<Held> held;
    std::chrono::milliseconds delay{0};
};

volatile sig_atomic_t stop_requested = 0;

void on_signal(int) { stop_requested = 1; }

int on_packet(nfq_q_handle*, nfgenmsg*, nfq_data* data, void* opaque) {
    auto* state = static_cast<State*>(opaque);
    nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
    if (header == nullptr) return 0;
    state->held.push_back(Held{ntohl(header->packet_id), Clock::now() + state->delay});
    return 0;
}

bool parse_int(const char* text, long min, long max, long& out) {
    char* end = nullptr;
    errno = 0;
    long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) return false;
    out = value;
    return true;
}

int usage() {
    std::fprintf(stderr, "usage: dnscheck_nfq_delay --queue N --delay MS\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    long queue = -1, delay = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--queue" && parse_int(argv[i + 1], 0, 65535, queue)) continue;
        if (flag == "--delay" && parse_int(argv[i + 1], 0, 60000, delay)) continue;
        return usage();
    }
    if (queue < 0 || delay < 0 || argc != 5) return usage();

    State state;
    state.delay = std::chrono::milliseconds(delay);

    nfq_handle* handle = nfq_open();
    if (handle == nullptr) {
        std::fprintf(stderr, "dnscheck_nfq_delay: nfq_open failed: %s\n", std::strerror(errno));
        return 3;
    }
    nfq_q_handle* q = nfq_create_queue(handle, static_cast<std::uint16_t>(queue), on_packet, &state);
    if (q == nullptr) {
        std::fprintf(stderr, "dnscheck_nfq_delay: cannot bind queue %ld: %s\n", queue, std::strerror(errno));
        nfq_close(handle);
        return 3;
    }
    if (nfq_set_mode(q, NFQNL_COPY_META, 0) < 0) {
        std::fprintf(stderr, "dnscheck_nfq_delay: nfq_set_mode failed\n");
        nfq_destroy_queue(q);
        nfq_close(handle);
        return 3;
    }
    nfq_set_queue_maxlen(q, 4096);

    struct sigaction action {};
    action.sa_handler = on_signal;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    std::printf("ready\n");
    std::fflush(stdout);

    const int fd = nfq_fd(handle);
    char buffer[65536];
    while (stop_requested == 0) {
        int wait_ms = -1;
        if (!state.held.empty()) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(state.held.front().due - Clock::now());
            wait_ms = static_cast<int>(std::max<long long>(0, left.count()));
        }
        pollfd p{fd, POLLIN, 0};
        int ready = ::poll(&p, 1, wait_ms);
        if (ready < 0 && errno != EINTR) break;
        if (ready > 0 && (p.revents & POLLIN) != 0) {
            ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n > 0) nfq_handle_packet(handle, buffer, static_cast<int>(n));
            // ENOBUFS: the kernel dropped queue messages (the packets are lost, as on a full link); carry on.
        }
        const auto now = Clock::now();
        while (!state.held.empty() && state.held.front().due <= now) {
            nfq_set_verdict(q, state.held.front().id, NF_ACCEPT, 0, nullptr);
            state.held.pop_front();
        }
    }
    for (const auto& h : state.held) nfq_set_verdict(q, h.id, NF_ACCEPT, 0, nullptr);
    nfq_destroy_queue(q);
    nfq_close(handle);
    return 0;
}
