#pragma once
// One boost::asio::io_context per run drives every socket, timer, pcap and c-ares descriptor.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>

namespace nettool {

using IoContext = boost::asio::io_context;

// Calls `on_interrupt` once on SIGINT/SIGTERM (so a run can stop cleanly and print its final report); a second
// signal stops the io_context outright. Keep the returned object alive for as long as the handler should apply.
class InterruptHandler {
public:
    InterruptHandler(IoContext& io, std::function<void()> on_interrupt);
    ~InterruptHandler();
    InterruptHandler(const InterruptHandler&) = delete;
    InterruptHandler& operator=(const InterruptHandler&) = delete;
    // Stop listening (e.g. when the run finished on its own) so the io_context can run out of work.
    void cancel();

private:
    void arm();
    IoContext& io_;
    boost::asio::signal_set signals_;
    std::function<void()> on_interrupt_;
    int received_ = 0;
};

}  // namespace nettool
