#pragma once
// The exporter's HTTP server (Boost.Beast) on the process io_context:
//   GET /probe?module=M&target=T[&name=..][&ip=..]  one probe, Prometheus text (multi-target, like blackbox)
//   GET /metrics                                    the exporter's own counters and the IKE sources' tunnels
//   GET /                                           a short index
// Probes run on a bounded worker pool (the libraries run a probe to completion); beyond the cap a probe gets
// 503. A bad request gets 400 with a one-line reason; no request can stop the server.
#include "nettool/exporter/config.hpp"
#include "nettool/exporter/ike_sources.hpp"
#include "nettool/exporter/probe.hpp"
#include "nettool/io/event_loop.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace nettool::exporter {

struct HttpAnswer {
    unsigned status = 200;
    std::string content_type = "text/plain; version=0.0.4; charset=utf-8";
    std::string body;
};

class Server {
public:
    Server(IoContext& io, ExporterConfig config, const IkeSources& ike);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting; returns the bound port (useful with port 0).
    Result<unsigned short> start();
    void stop();

    // Routes one request; `respond` is called on the io_context's thread, now or once a probe finished.
    void handle(const std::string& method, const std::string& target, const std::string& scrape_timeout,
                std::function<void(HttpAnswer)> respond);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace nettool::exporter
