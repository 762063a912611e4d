#pragma once
// The exporter's long-running sources: IKE logs followed like `ike-log --follow` and syslog listeners like
// `ike-log --listen`, each on its own thread with its own Analyzer. After every batch the thread publishes a copy
// of its report; /metrics reads the copies, so scraping never waits for a log.
#include "nettool/exporter/config.hpp"
#include "nettool/exporter/metrics.hpp"
#include "nettool/ikelog/ike_log.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nettool::exporter {

class IkeSources {
public:
    IkeSources() = default;
    ~IkeSources();
    IkeSources(const IkeSources&) = delete;
    IkeSources& operator=(const IkeSources&) = delete;

    // Starts one thread per log file and syslog endpoint. The threads run until SIGINT/SIGTERM (like --follow).
    void start(const ExporterConfig& config);
    // Joins the threads (after the signal that ended them).
    void join();
    // nettool_ike_* metrics of every source, from the last published reports.
    void add_metrics(MetricSet& metrics) const;

private:
    struct Source {
        std::string name;  // the path or the udp:// endpoint
        mutable std::mutex mutex;
        ikelog::IkeReport report;  // the last published one
        std::string error;         // why the source stopped, when it failed
    };
    std::vector<std::unique_ptr<Source>> sources_;
    std::vector<std::thread> threads_;
};

// The metrics of one report (pure; exposed for tests): tunnel up, attempts and failures by code, flaps.
void add_ike_report_metrics(MetricSet& metrics, const std::string& source, const ikelog::IkeReport& report);

}  // namespace nettool::exporter
