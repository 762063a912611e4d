// Running `nettool p2p`: packet sources (nettool_io) into the analyser.
#include "nettool/p2p/p2p.hpp"

#include "nettool/io/capture.hpp"
#include "nettool/io/event_loop.hpp"
#include "nettool/io/pcapng_writer.hpp"
#include "nettool/link/snapshot.hpp"

#include <boost/asio/steady_timer.hpp>

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
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

Status drop_privileges(const std::string& user) {
    if (::geteuid() == 0 && !user.empty()) {
        // Root can write any root-owned file: become an unprivileged user before touching packet data.
        errno = 0;
        const passwd* account = ::getpwnam(user.c_str());
        if (!account) return usage_error("no such user '" + user + "' to run as (-Z)");
        uid_t uid = account->pw_uid;
        gid_t gid = account->pw_gid;
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
            return internal_error("could not switch to user '" + user + "': " + std::strerror(errno));
        }
        if (uid != 0 && ::setuid(0) == 0) return internal_error("switching to '" + user + "' is reversible; stopping");
    }
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
        std::optional<std::chrono::nanoseconds> earliest, latest;
        auto handler = [&](const CapturedPacket& packet) {
            last_number = packet.number;
            if (!earliest || packet.timestamp < *earliest) earliest = packet.timestamp;
            if (!latest || packet.timestamp > *latest) latest = packet.timestamp;
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
        if (earliest) source.span_seconds = std::chrono::duration<double>(*latest - *earliest).count();
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

// rx_dropped + rx_missed_errors of the interface now (nullopt when sysfs has no such interface).
std::optional<std::uint64_t> nic_drop_counters(const std::string& interface) {
    auto sysfs = link::read_sysfs_interface("/sys", interface);
    if (!sysfs) return std::nullopt;
    std::uint64_t total = 0;
    for (const char* name : {"rx_dropped", "rx_missed_errors"}) {
        if (auto it = sysfs->statistics.find(name); it != sysfs->statistics.end()) total += it->second;
    }
    return total;
}

std::string describe_user() {
    uid_t uid = ::getuid();
    const passwd* account = ::getpwuid(uid);
    return (account ? std::string(account->pw_name) + " " : std::string()) + "(uid " + std::to_string(uid) + ", gid " +
           std::to_string(::getgid()) + ")";
}

Result<P2pReport> run_live(const P2pRequest& request, Analyzer& analyzer, const RunHooks& hooks) {
    IoContext io;
    LiveCaptureOptions options;
    options.interface = request.interface;
    options.filter = request.filter;
    options.duration = request.duration;
    options.max_packets = request.max_packets;
    options.buffer_size = request.buffer_bytes;
    auto opened = LiveCapture::open(io, options);
    if (!opened) return opened.error();
    std::unique_ptr<LiveCapture> capture = std::move(opened).take();
    // Opened before the privilege switch, as the user who started the run, so a root run can write where it was
    // started from.
    std::unique_ptr<PcapngWriter> writer;
    if (!request.write_path.empty()) {
        auto created = PcapngWriter::create(request.write_path, capture->link_type(), options.snaplen, request.interface);
        if (!created) return created.error();
        writer = std::move(created).take();
    }
    // The device is open: nothing after this point needs a privilege.
    if (auto dropped = drop_privileges(request.run_as_user); !dropped) return dropped.error();
    std::optional<std::uint64_t> nic_drops_at_start = nic_drop_counters(request.interface);

    auto started = std::chrono::steady_clock::now();
    boost::asio::steady_timer ticker(io);
    bool finished = false;
    CaptureStats final_stats;
    InterruptHandler interrupt(io, [&]() { capture->stop(); });

    std::function<void()> arm_tick = [&]() {
        ticker.expires_after(std::chrono::seconds(1));
        ticker.async_wait([&](const boost::system::error_code& ec) {
            if (ec || finished) return;
            if (hooks.on_counters) {
                CaptureStats now = capture->stats();
                hooks.on_counters({now.packets, now.kernel_dropped, now.interface_dropped});
            }
            if (hooks.on_tick) {
                double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                hooks.on_tick(analyzer.report(), elapsed);
            }
            arm_tick();
        });
    };
    if (hooks.on_tick || hooks.on_counters) arm_tick();

    capture->start(
        [&](const CapturedPacket& packet) {
            if (writer) writer->write(packet);
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
    source.kernel_dropped = final_stats.kernel_dropped;
    source.interface_dropped = final_stats.interface_dropped;
    if (auto now = nic_drop_counters(request.interface); now && nic_drops_at_start && *now >= *nic_drops_at_start) {
        source.nic_rx_dropped = *now - *nic_drops_at_start;
    }
    source.run_as = describe_user();
    if (writer) {
        source.written_to = writer->path();
        source.written_packets = writer->packets();
        if (auto closed = writer->close(); !closed) source.error = closed.error().describe();
    }
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
    if (!request.files.empty() && request.duration) {
        return usage_error("--duration limits a live capture; with -r FILE use -c COUNT or --filter");
    }
    if (request.max_packets && *request.max_packets == 0) return usage_error("-c wants a count of at least 1");
    if (request.limits.max_flows == 0) return usage_error("--max-flows wants at least 1");

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
