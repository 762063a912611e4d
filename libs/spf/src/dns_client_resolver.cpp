#include "nettool/spf/dns_client_resolver.hpp"

#include "nettool/wire/dns_message.hpp"

namespace nettool::spf {

namespace {

std::string strip_dot(std::string text) {
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
}

}  // namespace

LookupAnswer to_lookup_answer(const DnsResult& result, std::uint16_t type) {
    LookupAnswer answer;
    answer.elapsed = result.elapsed;
    answer.message_size = result.raw.size();
    switch (result.outcome) {
        case DnsOutcome::refused:
        case DnsOutcome::timeout:
        case DnsOutcome::cancelled:
        case DnsOutcome::connection_refused:
        case DnsOutcome::network_error: answer.server_responded = false; break;
        default: answer.server_responded = true; break;
    }
    DnsOutcome outcome = result.outcome;
    std::vector<const DnsRecord*> records;
    if (result.message && result.message->rcode == dns_rcode::noerror &&
        (outcome == DnsOutcome::answer || outcome == DnsOutcome::nodata)) {
        records = answers_for(*result.message, result.name, type);
        outcome = records.empty() ? DnsOutcome::nodata : DnsOutcome::answer;
    }
    switch (outcome) {
        case DnsOutcome::answer: {
            answer.status = LookupStatus::records;
            for (const DnsRecord* record : records) {
                if (record->type != type) continue;
                if (type == dns_type::txt || type == dns_type::spf) {
                    answer.txt.push_back(record->texts);
                } else if (type == dns_type::a || type == dns_type::aaaa) {
                    if (record->address) answer.addresses.push_back(*record->address);
                } else if (type == dns_type::mx || type == dns_type::ptr) {
                    answer.names.push_back(strip_dot(record->target));
                }
            }
            if (answer.txt.empty() && answer.addresses.empty() && answer.names.empty()) {
                answer.status = LookupStatus::nodata;
            }
            break;
        }
        case DnsOutcome::nodata: answer.status = LookupStatus::nodata; break;
        case DnsOutcome::nxdomain: answer.status = LookupStatus::nxdomain; break;
        case DnsOutcome::timeout:
        case DnsOutcome::cancelled:
            answer.status = LookupStatus::timeout;
            answer.detail = result.outcome == DnsOutcome::timeout ? "no answer in time" : "stopped";
            break;
        default:
            answer.status = LookupStatus::error;
            answer.detail = to_string(result.outcome);
            if (!result.error_text.empty()) answer.detail += ": " + result.error_text;
            break;
    }
    if (answer.detail.empty()) answer.detail = to_string(outcome);
    return answer;
}

DnsClientResolver::DnsClientResolver(IoContext& io, DnsClient& client, DnsClientResolverOptions options)
    : io_(io), client_(client), options_(std::move(options)), deadline_(io) {}

void DnsClientResolver::lookup(const LookupKey& key, std::function<void(LookupAnswer)> done) {
    if (deadline_passed_) {
        LookupAnswer answer;
        answer.status = LookupStatus::timeout;
        answer.detail = "overall time limit reached";
        boost::asio::post(io_, [done = std::move(done), answer = std::move(answer)]() mutable {
            done(std::move(answer));
        });
        return;
    }
    DnsQueryOptions query;
    query.servers = options_.servers;
    query.timeout = options_.timeout;
    query.tries = options_.tries;
    query.edns_udp_size = 1232;
    std::uint16_t type = key.type;
    ++outstanding_;
    auto finish = [this, type, done](DnsResult result) {
        LookupAnswer answer = to_lookup_answer(result, type);
        if (deadline_passed_ && answer.status == LookupStatus::timeout) answer.detail = "overall time limit reached";
        done(std::move(answer));
        if (--outstanding_ == 0) deadline_.cancel();
    };
    Status started = client_.query(key.name, key.type, query, finish);
    if (!started) {
        // A name c-ares cannot encode: answer as an invalid name, on the loop like every other answer.
        boost::asio::post(io_, [this, done, detail = started.error().message] {
            LookupAnswer answer;
            answer.status = LookupStatus::invalid_name;
            answer.server_responded = true;  // never sent: says nothing about the server
            answer.detail = detail;
            done(std::move(answer));
            if (--outstanding_ == 0) deadline_.cancel();
        });
    }
}

void DnsClientResolver::run() {
    if (outstanding_ == 0) return;
    if (!deadline_armed_) {
        deadline_armed_ = true;
        deadline_.expires_after(options_.deadline);
        deadline_.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;
            deadline_passed_ = true;
            client_.cancel_all();
        });
    }
    io_.restart();
    io_.run();
}

void DnsClientResolver::cancel_all() {
    client_.cancel_all();
    if (outstanding_ == 0) deadline_.cancel();
}

}  // namespace nettool::spf
