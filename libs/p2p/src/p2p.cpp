// Running `nettool p2p`: packet sources (nettool_io) into the analyser.
#include "nettool/p2p/p2p.hpp"

#include "nettool/io/capture.hpp"
#include "nettool/io/event_loop.hpp"

#include <boost/asio/steady_timer.hpp>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace nettool::p2p {

Result<std::vector<IpPrefix>> parse_local_networks(const std::vector<std::string>& texts) {
    std::vector<IpPrefix> out;
    for (const auto& text : texts) {
        auto prefix = IpPrefix::parse(text);
        if (!prefix) return usage_error("--local wants an address or CIDR such as 192.168.1.0/24, not '" + text + "'");
        out.push_back(*prefix);
    }
    return out;
}

Status drop_privileges() {
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capset, &header, data) != 0) {
        return internal_error(std::string("could not drop capabilities: ") + std::strerror(errno));
    }
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return internal_error(std::string("could not set no_new_privs: ") + std::strerror(errno));
    }
    return Ok{};
}

namespace {

Result<P2pReport> run_offline(const P2pRequest& request, Analyzer& analyzer, const RunHooks& hooks) {
    std::uint64_t offset = 0;  // packet numbers continue across files
    std::uint64_t remaining_budget = request.max_packets.value_or(0);
    for (const auto& path : request.files) {
        if (request.max_packets && remaining_budget == 0) break;
        Progress progress;
        progress.file = path;
        if (path != "-") {
            std::error_code ec;
            if (std::filesystem::is_regular_file(path, ec)) progress.file_size = std::filesystem::file_size(path, ec);
        }
        OfflineReadOptions options;
        options.filter = request.filter;
        if (request.max_packets) options.max_packets = remaining_budget;
        std::uint64_t last_number = 0;
        auto handler = [&](const CapturedPacket& packet) {
            last_number = packet.number;
            analyzer.add_frame(offset + packet.number, packet.timestamp, packet.link_type, packet.data,
                               packet.wire_length);
            ++progress.packets;
            progress.bytes_read += packet.captured_length + 16;
            if (hooks.on_progress && (progress.packets & 0xFFFF) == 0) hooks.on_progress(progress);
        };
        auto stats = read_capture_file(path, options, handler);
        if (!stats) return stats.error();
        SourceInfo source;
        source.name = path;
        source.packets = progress.packets;
        source.truncated = stats->file_truncated;
        source.error = stats->file_error;
        analyzer.add_source(std::move(source));
        offset += last_number;
        if (request.max_packets) remaining_budget -= std::min(remaining_budget, progress.packets);
        if (hooks.on_progress) {
            progress.bytes_read = progress.file_size != 0 ? progress.file_size : progress.bytes_read;
            hooks.on_progress(progress);
        }
    }
    return analyzer.finish();
}

Result<P2pReport> run_live(const P2pRequest& request, Analyzer& analyzer, const RunHooks& hooks) {
    IoContext io;
    LiveCaptureOptions options;
    options.interface = request.interface;
    options.filter = request.filter;
    options.duration = request.duration;
    options.max_packets = request.max_packets;
    auto opened = LiveCapture::open(io, options);
    if (!opened) return opened.error();
    std::unique_ptr<LiveCapture> capture = std::move(opened).take();
    // The device is open: nothing after this point needs a privilege.
    (void)drop_privileges();

    auto started = std::chrono::steady_clock::now();
    boost::asio::steady_timer ticker(io);
    bool finished = false;
    CaptureStats final_stats;
    InterruptHandler interrupt(io, [&]() { capture->stop(); });

    std::function<void()> arm_tick = [&]() {
        ticker.expires_after(std::chrono::seconds(1));
        ticker.async_wait([&](const boost::system::error_code& ec) {
            if (ec || finished) return;
            if (hooks.on_tick) {
                double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                hooks.on_tick(analyzer.report(), elapsed);
            }
            arm_tick();
        });
    };
    if (hooks.on_tick) arm_tick();

    capture->start(
        [&](const CapturedPacket& packet) {
            analyzer.add_frame(packet.number, packet.timestamp, packet.link_type, packet.data, packet.wire_length);
        },
        [&](const CaptureStats& stats) {
            finished = true;
            final_stats = stats;
            ticker.cancel();
            interrupt.cancel();
        });
    io.run();
    if (!finished) final_stats = capture->stats();

    SourceInfo source;
    source.name = request.interface;
    source.live = true;
    source.packets = final_stats.packets;
    source.kernel_dropped = final_stats.kernel_dropped + final_stats.interface_dropped;
    analyzer.add_source(std::move(source));
    return analyzer.finish();
}

}  // namespace

Result<P2pReport> run_p2p(const P2pRequest& request, const RunHooks& hooks) {
    auto local = parse_local_networks(request.local);
    if (!local) return local.error();
    if (request.top == 0 || request.top > 10000) return usage_error("--top wants a number from 1 to 10000");
    if (!request.interface.empty() && !request.files.empty()) {
        return usage_error("give either an interface or -r FILE, not both");
    }

    std::optional<Inventory> inventory;
    if (!request.inventory_path.empty()) {
        auto loaded = load_inventory(request.inventory_path);
        if (!loaded) return loaded.error();
        inventory = std::move(loaded).take();
    }

    AnalyzerOptions options;
    options.local = std::move(local).take();
    options.top = request.top;
    options.inventory = inventory ? &*inventory : nullptr;
    options.limits = request.limits;
    Analyzer analyzer(std::move(options));
    if (inventory) analyzer.set_inventory_skipped(inventory->skipped.size());

    if (!request.files.empty()) return run_offline(request, analyzer, hooks);
    if (request.interface.empty()) {
        return usage_error("no interface: give one, or -r FILE (no default route to take the interface from)");
    }
    return run_live(request, analyzer, hooks);
}

}  // namespace nettool::p2p
