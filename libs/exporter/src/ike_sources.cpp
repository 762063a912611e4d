#include "nettool/exporter/ike_sources.hpp"

namespace nettool::exporter {

IkeSources::~IkeSources() { join(); }

void IkeSources::join() {
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

void IkeSources::start(const ExporterConfig& config) {
    auto launch = [this](std::string name, auto run) {
        sources_.push_back(std::make_unique<Source>());
        Source* source = sources_.back().get();
        source->name = std::move(name);
        threads_.emplace_back([source, run]() {
            ikelog::Analyzer analyzer;
            ikelog::LiveOptions options;
            options.on_idle = [&]() {
                ikelog::IkeReport report = analyzer.report();
                std::lock_guard lock(source->mutex);
                source->report = std::move(report);
            };
            Status status = run(analyzer, options);
            std::lock_guard lock(source->mutex);
            source->report = analyzer.report();
            if (!status) source->error = status.error().describe();
        });
    };
    for (const auto& log : config.ike_logs) {
        const ikelog::FormatInfo* forced = log.format.empty() ? nullptr : ikelog::find_format(log.format);
        launch(log.path, [path = log.path, forced](ikelog::Analyzer& analyzer, ikelog::LiveOptions& options) {
            options.forced = forced;
            return ikelog::follow_log(path, analyzer, options);
        });
    }
    for (const auto& endpoint : config.syslog) {
        launch(endpoint, [endpoint](ikelog::Analyzer& analyzer, ikelog::LiveOptions& options) {
            return ikelog::listen_syslog(endpoint, analyzer, options);
        });
    }
}

void add_ike_report_metrics(MetricSet& m, const std::string& source, const ikelog::IkeReport& report) {
    for (const auto& peer : report.peers) {
        Labels who{{"source", source}, {"peer", peer.peer}, {"connection", peer.connection}};
        m.add("nettool_ike_tunnel_up", "gauge", "1 when the peer's last negotiation attempt established the tunnel",
              peer.last_attempt_established, who);
        std::size_t other = peer.attempts - std::min(peer.attempts, peer.established + peer.failed);
        const std::pair<const char*, std::size_t> outcomes[] = {
            {"established", peer.established}, {"failed", peer.failed}, {"other", other}};
        for (const auto& [outcome, count] : outcomes) {
            Labels labels{{"source", source}, {"peer", peer.peer}, {"outcome", outcome}};
            m.add("nettool_ike_attempts_total", "counter", "Negotiation attempts seen in the log, by outcome",
                  static_cast<double>(count), labels);
        }
        for (const auto& failure : peer.failures) {
            m.add("nettool_ike_failures_total", "counter", "Negotiation failures seen in the log, by diagnosis code",
                  static_cast<double>(failure.count), {{"source", source}, {"peer", peer.peer}, {"code", failure.code}});
        }
        m.add("nettool_ike_flaps_total", "counter", "Established tunnels later lost (DPD, no answer)",
              static_cast<double>(peer.flaps), {{"source", source}, {"peer", peer.peer}});
    }
    for (const auto& file : report.files) {
        m.add("nettool_ike_log_lines_total", "counter", "Lines read from the source", static_cast<double>(file.lines),
              {{"source", source}, {"format", file.format}});
    }
}

void IkeSources::add_metrics(MetricSet& metrics) const {
    for (const auto& source : sources_) {
        std::lock_guard lock(source->mutex);
        add_ike_report_metrics(metrics, source->name, source->report);
        metrics.add("nettool_ike_source_up", "gauge", "1 while the log or syslog source is being read",
                    source->error.empty(), {{"source", source->name}});
    }
}

}  // namespace nettool::exporter
