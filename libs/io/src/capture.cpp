// Live packet source: libpcap on the run's io_context. The device is non-blocking; its selectable descriptor sits
// in a posix::stream_descriptor (released, never closed, on teardown: libpcap owns it); readiness triggers bounded
// pcap_dispatch batches; a full batch yields to other handlers and continues; a short one re-arms the wait. Where
// libpcap needs a select timeout (pcap_get_required_select_timeout) a timer polls as well.
#include "capture_pcap.hpp"

#include "nettool/core/privilege.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <exception>
#include <limits>

namespace nettool {

namespace {

using capture_detail::PcapHandle;

bool mentions_permission(const std::string& text) {
    return text.find("Operation not permitted") != std::string::npos ||
           text.find("Permission denied") != std::string::npos ||
           text.find("permission") != std::string::npos;
}

Error activation_error(int rc, pcap_t* pcap, const std::string& interface) {
    const std::string detail = pcap_geterr(pcap);
    const std::string action = "capturing on " + interface;
    switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return environment_error("no such network interface '" + interface +
                                         "' (list them with: ip -brief link)",
                                     interface);
        case PCAP_ERROR_PERM_DENIED:
        case PCAP_ERROR_PROMISC_PERM_DENIED: return missing_privilege(Capability::net_raw, action, interface);
        case PCAP_ERROR_IFACE_NOT_UP:
            return environment_error("interface '" + interface + "' is down (bring it up with: ip link set " +
                                         interface + " up)",
                                     interface);
        default:
            if (mentions_permission(detail)) return missing_privilege(Capability::net_raw, action, interface);
            return environment_error(std::string("cannot capture on '") + interface + "': " +
                                         (detail.empty() ? pcap_statustostr(rc) : detail),
                                     interface);
    }
}

// State shared with the pending asynchronous operations, so that their completion handlers stay valid after the
// LiveCapture object is gone.
class Engine : public std::enable_shared_from_this<Engine> {
public:
    Engine(IoContext& io, PcapHandle pcap, int fd, LiveCaptureOptions options)
        : io_(io),
          pcap_(std::move(pcap)),
          descriptor_(io, fd),
          poll_timer_(io),
          duration_timer_(io),
          options_(std::move(options)) {
        stats_.link_type = pcap_datalink(pcap_.get());
        stats_.timestamps_nanosecond = pcap_get_tstamp_precision(pcap_.get()) == PCAP_TSTAMP_PRECISION_NANO;
        if (options_.batch_size <= 0) options_.batch_size = 4096;
    }

    ~Engine() {
        if (descriptor_.is_open()) descriptor_.release();  // libpcap closes it in pcap_close
    }

    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    int link_type() const { return stats_.link_type; }

    CaptureStats stats() const {
        CaptureStats copy = stats_;
        if (!finished_) fill_kernel_stats(copy);
        return copy;
    }

    void start(PacketHandler handler, std::function<void(const CaptureStats&)> on_finished) {
        if (started_) throw ErrorException(internal_error("live capture started twice", options_.interface));
        started_ = true;
        handler_ = std::move(handler);
        on_finished_ = std::move(on_finished);
        if (stop_requested_ || (options_.max_packets && *options_.max_packets == 0)) {
            // stop() before start(), or nothing wanted: finish on the loop, not inside start().
            boost::asio::post(io_, [self = shared_from_this()] { self->finish(); });
            return;
        }
        if (options_.duration) {
            duration_timer_.expires_after(*options_.duration);
            duration_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
                if (!ec) self->drain_then_finish();
            });
        }
        if (const timeval* required = pcap_get_required_select_timeout(pcap_.get()); required != nullptr) {
            poll_interval_ = std::chrono::seconds(required->tv_sec) + std::chrono::microseconds(required->tv_usec);
            if (poll_interval_ <= std::chrono::microseconds(0)) poll_interval_ = std::chrono::milliseconds(1);
            arm_poll_timer();
        }
        // Packets may already be waiting in the ring; look once before waiting for readiness.
        boost::asio::post(io_, [self = shared_from_this()] { self->run_batch(); });
    }

    void stop() {
        stop_requested_ = true;
        if (!started_ || finished_) return;
        if (in_dispatch_) {
            // From the packet handler: no packet after this one (run_batch finishes once pcap_dispatch returns).
            stop_now_ = true;
            pcap_breakloop(pcap_.get());
            return;
        }
        drain_then_finish();
    }

    // The owner is going away: end quietly, without on_finished.
    void shutdown() {
        on_finished_ = nullptr;
        handler_ = nullptr;
        if (in_dispatch_) {
            stop_requested_ = true;
            pcap_breakloop(pcap_.get());
        }
        teardown();
        finished_ = true;
    }

private:
    void arm_wait() {
        if (waiting_ || finished_) return;
        waiting_ = true;
        descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                               [self = shared_from_this()](const boost::system::error_code& ec) {
                                   self->waiting_ = false;
                                   if (ec == boost::asio::error::operation_aborted || self->finished_) return;
                                   if (ec) {
                                       self->stats_.capture_error = "waiting for packets failed: " + ec.message();
                                       self->finish();
                                       return;
                                   }
                                   self->run_batch();
                               });
    }

    void arm_poll_timer() {
        if (finished_) return;
        poll_timer_.expires_after(poll_interval_);
        poll_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->finished_) return;
            self->run_batch(/*from_timer=*/true);
            self->arm_poll_timer();
        });
    }

    static void on_packet(u_char* user, const pcap_pkthdr* header, const u_char* data) {
        auto* self = reinterpret_cast<Engine*>(user);
        if (self->pending_exception_ || self->finished_) return;
        ++self->stats_.packets;
        self->stats_.bytes += header->len;
        CapturedPacket packet;
        packet.number = self->stats_.packets;
        packet.timestamp = capture_detail::timestamp_of(*header, self->stats_.timestamps_nanosecond);
        packet.captured_length = header->caplen;
        packet.wire_length = header->len;
        packet.link_type = self->stats_.link_type;
        packet.data = {data, header->caplen};
        try {
            if (self->handler_) self->handler_(packet);
        } catch (...) {
            // Never let an exception unwind through libpcap's C frames: stop the loop and rethrow afterwards.
            self->pending_exception_ = std::current_exception();
            pcap_breakloop(self->pcap_.get());
        }
    }

    // Packets in the kernel's current block reach user space only once the block is retired (full, or after the
    // block timeout): before finishing, wait one block timeout and read what is left.
    void drain_then_finish() {
        if (finished_ || draining_) return;
        draining_ = true;
        duration_timer_.expires_after(options_.block_timeout + std::chrono::milliseconds(20));
        duration_timer_.async_wait([self = shared_from_this()](const boost::system::error_code&) {
            if (self->finished_) return;
            self->draining_ = false;
            self->run_batch(/*from_timer=*/false, /*last=*/true);
        });
    }

    void run_batch(bool from_timer = false, bool last = false) {
        if (finished_ || in_dispatch_ || draining_) return;
        int want = options_.batch_size;
        if (options_.max_packets) {
            const std::uint64_t remaining = *options_.max_packets - std::min(stats_.packets, *options_.max_packets);
            if (remaining == 0) return finish();
            want = static_cast<int>(std::min<std::uint64_t>(remaining, static_cast<std::uint64_t>(want)));
        }
        in_dispatch_ = true;
        const int rc = pcap_dispatch(pcap_.get(), last && !options_.max_packets ? -1 : want, &Engine::on_packet, reinterpret_cast<u_char*>(this));
        in_dispatch_ = false;
        if (pending_exception_) {
            auto exception = pending_exception_;
            pending_exception_ = nullptr;
            on_finished_ = nullptr;
            teardown();
            finished_ = true;
            std::rethrow_exception(exception);
        }
        if (finished_) return;  // shutdown() from inside the handler
        if (rc == PCAP_ERROR) {
            stats_.capture_error = pcap_geterr(pcap_.get());
            return finish();
        }
        if (options_.max_packets && stats_.packets >= *options_.max_packets) return finish();
        if (last) return finish();
        if (rc == PCAP_ERROR_BREAK || stop_requested_) return stop_now_ ? finish() : drain_then_finish();
        if (from_timer) return;
        if (rc >= want) {
            // A full batch: more may be queued. Let other handlers run, then continue without waiting (the
            // descriptor's readiness is edge-triggered and would not fire again for packets already queued).
            boost::asio::post(io_, [self = shared_from_this()] { self->run_batch(); });
            return;
        }
        arm_wait();
    }

    void fill_kernel_stats(CaptureStats& stats) const {
        pcap_stat kernel{};
        if (pcap_stats(pcap_.get(), &kernel) == 0) {
            stats.kernel_dropped = kernel.ps_drop;
            stats.interface_dropped = kernel.ps_ifdrop;
        }
    }

    void teardown() {
        boost::system::error_code ignored;
        duration_timer_.cancel();
        poll_timer_.cancel();
        if (descriptor_.is_open()) {
            descriptor_.cancel(ignored);
            descriptor_.release();  // libpcap owns the descriptor and closes it in pcap_close
        }
    }

    void finish() {
        if (finished_) return;
        fill_kernel_stats(stats_);
        teardown();
        finished_ = true;
        auto callback = std::move(on_finished_);
        on_finished_ = nullptr;
        handler_ = nullptr;
        if (callback) callback(stats_);
    }

    IoContext& io_;
    PcapHandle pcap_;
    boost::asio::posix::stream_descriptor descriptor_;
    boost::asio::steady_timer poll_timer_;
    boost::asio::steady_timer duration_timer_;
    LiveCaptureOptions options_;
    PacketHandler handler_;
    std::function<void(const CaptureStats&)> on_finished_;
    CaptureStats stats_;
    std::chrono::microseconds poll_interval_{0};
    std::exception_ptr pending_exception_;
    bool started_ = false;
    bool finished_ = false;
    bool stop_requested_ = false;
    bool waiting_ = false;
    bool in_dispatch_ = false;
    bool draining_ = false;  // waiting one block timeout before the last read
    bool stop_now_ = false;  // stop() from the packet handler: nothing more is delivered
};

class PcapLiveCapture final : public LiveCapture {
public:
    explicit PcapLiveCapture(std::shared_ptr<Engine> engine) : engine_(std::move(engine)) {}
    ~PcapLiveCapture() override { engine_->shutdown(); }
    PcapLiveCapture(const PcapLiveCapture&) = delete;
    PcapLiveCapture& operator=(const PcapLiveCapture&) = delete;

    void start(PacketHandler handler, std::function<void(const CaptureStats&)> on_finished) override {
        engine_->start(std::move(handler), std::move(on_finished));
    }
    void stop() override { engine_->stop(); }
    int link_type() const override { return engine_->link_type(); }
    CaptureStats stats() const override { return engine_->stats(); }

private:
    std::shared_ptr<Engine> engine_;
};

}  // namespace

Result<std::unique_ptr<LiveCapture>> LiveCapture::open(IoContext& io, const LiveCaptureOptions& options) {
    const std::string& interface = options.interface;
    if (interface.empty()) return usage_error("no capture interface given");
    if (options.snaplen <= 0) return usage_error("snapshot length must be positive", interface);
    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    PcapHandle pcap(pcap_create(interface.c_str(), errbuf));
    if (!pcap) return environment_error(std::string("cannot open capture device: ") + errbuf, interface);
    pcap_set_snaplen(pcap.get(), options.snaplen);
    pcap_set_promisc(pcap.get(), options.promiscuous ? 1 : 0);
    // Not libpcap's immediate mode: a block is handed over when full or after the block timeout, so a burst fills
    // whole blocks of the ring instead of nearly empty ones (bench/p2p/live.sh: no drops up to top speed).
    pcap_set_timeout(pcap.get(), static_cast<int>(std::max<std::int64_t>(1, options.block_timeout.count())));
    if (options.buffer_size > 0) pcap_set_buffer_size(pcap.get(), options.buffer_size);
    // Nanosecond timestamps where the kernel has them; microseconds otherwise (not an error).
    (void)pcap_set_tstamp_precision(pcap.get(), PCAP_TSTAMP_PRECISION_NANO);
    const int activated = pcap_activate(pcap.get());
    if (activated < 0) return activation_error(activated, pcap.get(), interface);
    if (auto filtered = capture_detail::apply_filter(pcap.get(), options.filter, interface); !filtered) {
        return filtered.error();
    }
    if (pcap_setnonblock(pcap.get(), 1, errbuf) != 0) {
        return internal_error(std::string("cannot make the capture non-blocking: ") + errbuf, interface);
    }
    const int fd = pcap_get_selectable_fd(pcap.get());
    if (fd < 0) return environment_error("this capture device cannot be polled", interface);
    auto engine = std::make_shared<Engine>(io, std::move(pcap), fd, options);
    return std::unique_ptr<LiveCapture>(std::make_unique<PcapLiveCapture>(std::move(engine)));
}

}  // namespace nettool
