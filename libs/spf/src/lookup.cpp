#include "nettool/spf/lookup.hpp"

#include "nettool/spf/macro.hpp"
#include "nettool/wire/dns_message.hpp"

#include <algorithm>

namespace nettool::spf {

namespace {

std::string normalize(std::string_view name) {
    std::string out(name);
    if (!out.empty() && out.back() == '.') out.pop_back();
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace

std::string LookupKey::to_string() const {
    const char* type_name = type == dns_type::txt    ? "TXT"
                            : type == dns_type::a    ? "A"
                            : type == dns_type::aaaa ? "AAAA"
                            : type == dns_type::mx   ? "MX"
                            : type == dns_type::ptr  ? "PTR"
                            : type == dns_type::spf  ? "SPF"
                                                     : nullptr;
    return (type_name ? std::string(type_name) : "TYPE" + std::to_string(type)) + " " + name;
}

LookupKey make_key(std::string_view name, std::uint16_t type) { return LookupKey{normalize(name), type}; }

const char* to_string(LookupStatus status) {
    switch (status) {
        case LookupStatus::records: return "records";
        case LookupStatus::nodata: return "nodata";
        case LookupStatus::nxdomain: return "nxdomain";
        case LookupStatus::error: return "error";
        case LookupStatus::timeout: return "timeout";
        case LookupStatus::invalid_name: return "invalid_name";
    }
    return "error";
}

std::vector<std::string> LookupAnswer::joined_txt() const {
    std::vector<std::string> out;
    out.reserve(txt.size());
    for (const auto& strings : txt) {
        std::string joined;
        for (const auto& s : strings) joined += s;
        out.push_back(std::move(joined));
    }
    return out;
}

const LookupAnswer& DnsView::get(std::string_view name, std::uint16_t type) {
    LookupKey key = make_key(name, type);
    auto it = answers_.find(key);
    if (it != answers_.end()) return it->second;
    if (!valid_query_name(key.name)) {
        LookupAnswer invalid;
        invalid.status = LookupStatus::invalid_name;
        invalid.detail = "not a valid DNS name";
        return answers_.emplace(key, std::move(invalid)).first->second;
    }
    throw NeedLookup{std::move(key)};
}

void DnsView::prefetch(std::string_view name, std::uint16_t type) {
    LookupKey key = make_key(name, type);
    if (answers_.count(key) != 0 || !valid_query_name(key.name)) return;
    wanted_.push_back(std::move(key));
}

void DnsView::store(const LookupKey& key, LookupAnswer answer) { answers_[key] = std::move(answer); }

std::vector<LookupKey> DnsView::take_wanted() {
    std::vector<LookupKey> out;
    out.swap(wanted_);
    return out;
}

Status run_with_dns_core(Resolver& resolver, const std::function<void(DnsView&)>& compute,
                         const Prefetcher& prefetcher, DriverStats* stats, DriverLimits limits) {
    auto started = std::chrono::steady_clock::now();
    DnsView view;
    bool done = false;
    bool finished = false;
    bool budget_exceeded = false;
    std::optional<LookupKey> blocked;
    std::set<LookupKey> requested;
    DriverStats local;

    std::function<void()> step;
    std::function<void(const LookupKey&, bool)> issue;
    auto flush_wanted = [&] {
        for (const auto& key : view.take_wanted()) issue(key, true);
    };
    issue = [&](const LookupKey& key, bool speculative) {
        if (done || requested.count(key) != 0 || view.has(key)) return;
        if (requested.size() >= limits.max_queries) {
            if (!speculative) budget_exceeded = true;
            return;
        }
        if (speculative && local.speculative_queries >= limits.max_speculative) return;
        requested.insert(key);
        ++local.queries_sent;
        if (speculative) ++local.speculative_queries;
        resolver.lookup(key, [&, key](LookupAnswer answer) {
            if (done) return;
            if (answer.server_responded) {
                ++local.responses;
            } else if (local.first_failure.empty()) {
                local.first_failure = key.to_string() + ": " + (answer.detail.empty() ? to_string(answer.status)
                                                                                      : answer.detail);
            }
            if (prefetcher) prefetcher(key, answer, view);
            view.store(key, std::move(answer));
            if (blocked && *blocked == key) {
                step();
            } else {
                flush_wanted();
            }
        });
    };
    step = [&] {
        ++local.passes;
        try {
            compute(view);
            done = true;
            finished = true;
            blocked.reset();
            resolver.cancel_all();
            return;
        } catch (const NeedLookup& need) {
            blocked = need.key;
        }
        issue(*blocked, false);
        flush_wanted();
        if (budget_exceeded) {
            done = true;
            resolver.cancel_all();
        }
    };

    step();
    resolver.run();
    local.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    if (stats) *stats = local;
    if (budget_exceeded) {
        return input_error("more than " + std::to_string(limits.max_queries) + " DNS queries needed; stopped");
    }
    if (!finished) return internal_error("DNS lookups stopped before the evaluation finished");
    return Ok{};
}

// ---------------------------------------------------------------------------------------------------------------

void TableResolver::set(std::string_view name, std::uint16_t type, LookupAnswer answer) {
    existing_.insert(normalize(name));
    table_[make_key(name, type)] = std::move(answer);
}

void TableResolver::txt(std::string_view name, std::vector<std::string> records) {
    LookupAnswer answer;
    answer.status = LookupStatus::records;
    for (auto& r : records) answer.txt.push_back({std::move(r)});
    set(name, dns_type::txt, std::move(answer));
}

void TableResolver::address(std::string_view name, std::string_view ip) {
    auto parsed = IpAddress::parse(ip);
    if (!parsed) return;
    std::uint16_t type = parsed->is_v4() ? dns_type::a : dns_type::aaaa;
    auto key = make_key(name, type);
    LookupAnswer& answer = table_[key];
    existing_.insert(key.name);
    answer.status = LookupStatus::records;
    answer.addresses.push_back(*parsed);
}

void TableResolver::mx(std::string_view name, std::vector<std::string> exchanges) {
    LookupAnswer answer;
    answer.status = LookupStatus::records;
    for (auto& e : exchanges) answer.names.push_back(normalize(e));
    set(name, dns_type::mx, std::move(answer));
}

void TableResolver::ptr(std::string_view name, std::vector<std::string> names) {
    LookupAnswer answer;
    answer.status = LookupStatus::records;
    for (auto& n : names) answer.names.push_back(normalize(n));
    set(name, dns_type::ptr, std::move(answer));
}

void TableResolver::status(std::string_view name, std::uint16_t type, LookupStatus status) {
    LookupAnswer answer;
    answer.status = status;
    answer.detail = to_string(status);
    set(name, type, std::move(answer));
}

void TableResolver::exists(std::string_view name) { existing_.insert(normalize(name)); }

void TableResolver::lookup(const LookupKey& key, std::function<void(LookupAnswer)> done) {
    log_.push_back(key);
    pending_.emplace_back(key, std::move(done));
}

void TableResolver::run() {
    while (!pending_.empty()) {
        ++rounds_;
        auto batch = std::move(pending_);
        pending_.clear();
        for (auto& [key, done] : batch) {
            LookupAnswer answer;
            if (cancelled_) {
                answer.status = LookupStatus::timeout;
                answer.detail = "cancelled";
            } else if (auto it = table_.find(key); it != table_.end()) {
                answer = it->second;
                answer.server_responded = answer.status != LookupStatus::timeout;
            } else if (existing_.count(key.name) != 0 ||
                       std::any_of(existing_.begin(), existing_.end(), [&name = key.name](const std::string& n) {
                           // (captured by name: clang 14, which builds the fuzzers, cannot capture a binding)
                           return n.size() > name.size() && n.ends_with("." + name);
                       })) {
                answer.status = LookupStatus::nodata;
                answer.server_responded = true;
            } else {
                answer.status = LookupStatus::nxdomain;
                answer.server_responded = true;
            }
            done(std::move(answer));
        }
    }
    cancelled_ = false;
}

void TableResolver::cancel_all() { cancelled_ = true; }

}  // namespace nettool::spf
