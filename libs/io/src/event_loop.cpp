#include "nettool/io/event_loop.hpp"

#include <csignal>

namespace nettool {

InterruptHandler::InterruptHandler(IoContext& io, std::function<void()> on_interrupt)
    : io_(io), signals_(io, SIGINT, SIGTERM), on_interrupt_(std::move(on_interrupt)) {
    arm();
}

InterruptHandler::~InterruptHandler() { cancel(); }

void InterruptHandler::cancel() {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
}

void InterruptHandler::arm() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        if (++received_ == 1) {
            arm();  // armed before the callback, so a cancel() inside it really stops listening
            if (on_interrupt_) on_interrupt_();
        } else {
            io_.stop();
        }
    });
}

}  // namespace nettool
