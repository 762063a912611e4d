#include "nettool/exporter/server.hpp"

#include "nettool/exporter/http_query.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>

namespace nettool::exporter {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::size_t max_header_bytes = 16 * 1024;
constexpr std::size_t max_body_bytes = 8 * 1024;
constexpr auto idle_timeout = std::chrono::seconds(30);
constexpr double default_scrape_seconds = 5.0;
constexpr double max_scrape_seconds = 120.0;

HttpAnswer text_answer(unsigned status, std::string body) {
    return {status, "text/plain; charset=utf-8", std::move(body) + "\n"};
}

}  // namespace

struct Server::Impl {
    IoContext& io;
    Server* owner = nullptr;  // for the sessions' callbacks
    ExporterConfig config;
    const IkeSources& ike;
    ProbeSettings settings;
    tcp::acceptor acceptor;
    boost::asio::thread_pool pool;
    std::size_t in_flight = 0;  // touched on the io thread only
    std::map<std::pair<std::string, std::string>, std::uint64_t> probes_total;  // (module, result)
    std::uint64_t bad_requests = 0;
    std::uint64_t over_capacity = 0;

    Impl(IoContext& context, ExporterConfig c, const IkeSources& sources)
        : io(context), config(std::move(c)), ike(sources), acceptor(context), pool(config.max_concurrent_probes) {
        settings.policy = config.policy;
        settings.dns_servers = config.dns_servers;
    }

    void accept();
    std::string own_metrics() const;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, Server& server) : stream_(std::move(socket)), server_(server) {}

    void read() {
        parser_.emplace();
        parser_->header_limit(max_header_bytes);
        parser_->body_limit(max_body_bytes);
        stream_.expires_after(idle_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

private:
    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == boost::asio::error::eof ||
            ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted) {
            return close();
        }
        if (ec) {  // a request HTTP cannot parse: say so once, then close
            keep_alive_ = false;
            return write(text_answer(400, "bad request: " + ec.message()), 11);
        }
        const auto& request = parser_->get();
        keep_alive_ = request.keep_alive();
        int version = request.version();
        auto timeout = request.find("X-Prometheus-Scrape-Timeout-Seconds");
        std::string scrape = timeout == request.end() ? std::string() : std::string(timeout->value());
        server_.handle(std::string(request.method_string()), std::string(request.target()), scrape,
                       [self = shared_from_this(), version](HttpAnswer answer) {
                           self->write(std::move(answer), version);
                       });
    }

    void write(HttpAnswer answer, int version) {
        auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(answer.status),
                                                                             version);
        response->set(http::field::server, "nettool-exporter");
        response->set(http::field::content_type, answer.content_type);
        response->keep_alive(keep_alive_);
        response->body() = std::move(answer.body);
        response->prepare_payload();
        stream_.expires_after(idle_timeout);
        http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
            if (ec || !self->keep_alive_) return self->close();
            self->buffer_.consume(self->buffer_.size());
            self->read();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.socket().close(ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Server& server_;
    bool keep_alive_ = false;
};

}  // namespace

Server::Server(IoContext& io, ExporterConfig config, const IkeSources& ike)
    : impl_(std::make_unique<Impl>(io, std::move(config), ike)) {
    impl_->owner = this;
}

Server::~Server() {
    stop();
    impl_->pool.join();
}

Result<unsigned short> Server::start() {
    auto listen = parse_listen(impl_->config.listen);
    if (!listen) return listen.error();
    boost::asio::ip::address address;
    if (listen->any) {
        address = boost::asio::ip::address_v6::any();
    } else if (listen->address.is_v4()) {
        address = boost::asio::ip::address_v4(listen->address.v4_host_order());
    } else {
        boost::asio::ip::address_v6::bytes_type bytes;
        std::copy_n(listen->address.bytes.begin(), 16, bytes.begin());
        address = boost::asio::ip::address_v6(bytes);
    }
    tcp::endpoint endpoint(address, listen->port);
    beast::error_code ec;
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec && listen->any) acceptor.set_option(boost::asio::ip::v6_only(false), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) return environment_error("cannot listen on " + impl_->config.listen + ": " + ec.message());
    impl_->accept();
    return acceptor.local_endpoint().port();
}

void Server::stop() {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
}

void Server::Impl::accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted) return;
        if (!ec) std::make_shared<Session>(std::move(socket), *owner)->read();
        accept();
    });
}

std::string Server::Impl::own_metrics() const {
    MetricSet m;
    for (const auto& [key, count] : probes_total) {
        m.add("nettool_exporter_probes_total", "counter", "Probes served, by module and result",
              static_cast<double>(count), {{"module", key.first}, {"result", key.second}});
    }
    m.add("nettool_exporter_probes_in_flight", "gauge", "Probes running now", static_cast<double>(in_flight));
    m.add("nettool_exporter_probe_concurrency_limit", "gauge", "The cap on concurrent probes",
          static_cast<double>(config.max_concurrent_probes));
    m.add("nettool_exporter_rejected_probes_total", "counter", "Probes refused because the cap was reached",
          static_cast<double>(over_capacity));
    m.add("nettool_exporter_bad_requests_total", "counter", "Requests answered with HTTP 400",
          static_cast<double>(bad_requests));
    ike.add_metrics(m);
    return m.text();
}

void Server::handle(const std::string& method, const std::string& target, const std::string& scrape_timeout,
                    std::function<void(HttpAnswer)> respond) {
    Impl& s = *impl_;
    if (method != "GET") return respond(text_answer(405, "only GET is served"));
    auto parsed = parse_http_target(target);
    if (!parsed) {
        ++s.bad_requests;
        return respond(text_answer(400, parsed.error().message));
    }
    if (parsed->path == "/metrics") return respond({200, "text/plain; version=0.0.4; charset=utf-8", s.own_metrics()});
    if (parsed->path == "/" || parsed->path.empty()) {
        std::string modules;
        for (const auto& m : probe_modules()) modules += (modules.empty() ? "" : ", ") + m;
        return respond(text_answer(200, "nettool exporter\n/probe?module=MODULE&target=TARGET  modules: " + modules +
                                            "\n/metrics  the exporter's own metrics and IKE tunnels"));
    }
    if (parsed->path != "/probe") return respond(text_answer(404, "not found: " + parsed->path));

    ProbeRequest request;
    request.parameters = parsed->parameters;
    if (auto it = request.parameters.find("module"); it != request.parameters.end()) request.module = it->second;
    if (auto it = request.parameters.find("target"); it != request.parameters.end()) request.target = it->second;
    double seconds = default_scrape_seconds;
    if (!scrape_timeout.empty()) {
        auto header = parse_scrape_timeout(scrape_timeout);
        if (!header) {
            ++s.bad_requests;
            return respond(text_answer(400, "X-Prometheus-Scrape-Timeout-Seconds is not a number of seconds"));
        }
        seconds = std::min(*header, max_scrape_seconds);
    }
    request.deadline = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    if (auto valid = validate_probe(request, s.settings); !valid) {
        ++s.bad_requests;
        return respond(text_answer(400, valid.error().message));
    }
    if (s.in_flight >= s.config.max_concurrent_probes) {
        ++s.over_capacity;
        return respond(text_answer(503, "too many probes running (limit " +
                                            std::to_string(s.config.max_concurrent_probes) + "); try again"));
    }
    ++s.in_flight;
    boost::asio::post(s.pool, [this, request, respond = std::move(respond)]() mutable {
        Result<MetricSet> metrics = [&]() -> Result<MetricSet> {
            try {
                return run_probe(request, impl_->settings);
            } catch (const std::exception& e) {
                return internal_error(std::string("probe failed: ") + e.what());
            }
        }();
        boost::asio::post(impl_->io, [this, request, metrics = std::move(metrics), respond = std::move(respond)]() {
            Impl& state = *impl_;
            --state.in_flight;
            if (!metrics) {
                ++state.bad_requests;
                ++state.probes_total[{request.module, "error"}];
                return respond(text_answer(400, metrics.error().message));
            }
            bool success = false;
            for (const auto& family : metrics->families()) {
                if (family.name == "nettool_probe_success" && !family.samples.empty()) {
                    success = family.samples.front().value == 1;
                }
            }
            ++state.probes_total[{request.module, success ? "success" : "failure"}];
            respond({200, "text/plain; version=0.0.4; charset=utf-8", metrics->text()});
        });
    });
}

}  // namespace nettool::exporter
