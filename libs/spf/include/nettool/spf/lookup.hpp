#pragma once
// DNS as the SPF logic sees it, and the machinery that lets pure, sequential SPF code run over an asynchronous,
// concurrent resolver.
//
// The evaluator and the linter are plain sequential functions over a DnsView: a cache of answers keyed by
// (name, type). When they need an answer the cache does not hold, DnsView::get throws NeedLookup; the driver
// (run_with_dns) sends that query, plus every query it can already predict (the targets of all include/a/mx/
// exists/redirect terms of each record as soon as the record arrives, the addresses of MX and PTR targets), and
// re-runs the function from the start once the missing answer is in. Because the function only ever reads the
// cache in its own sequential order, its result is exactly that of the sequential RFC 7208 definition, limits and
// first-match-wins included, while a tree of depth N costs about N round trips instead of one per lookup.
#include "nettool/core/error.hpp"
#include "nettool/wire/ip_address.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nettool::spf {

struct LookupKey {
    std::string name;  // lower case, no trailing dot
    std::uint16_t type = 0;
    friend auto operator<=>(const LookupKey&, const LookupKey&) = default;
    std::string to_string() const;  // "TXT example.com"
};
LookupKey make_key(std::string_view name, std::uint16_t type);

enum class LookupStatus {
    records,   // NOERROR with records of the asked type
    nodata,    // NOERROR, none of that type
    nxdomain,  // name error
    error,     // SERVFAIL, REFUSED, other RCODEs, network errors, unparsable answers
    timeout,   // no answer in time
    invalid_name,  // the name cannot be queried (empty or long label, too long): never sent
};
const char* to_string(LookupStatus status);

struct LookupAnswer {
    LookupStatus status = LookupStatus::timeout;
    std::vector<std::vector<std::string>> txt;  // TXT/SPF: each record as its character-strings
    std::vector<IpAddress> addresses;           // A / AAAA
    std::vector<std::string> names;             // MX exchanges (answer order), PTR names; no trailing dot
    std::size_t message_size = 0;               // bytes of the DNS answer, when known
    bool via_tcp = false;                       // the answer came over TCP (UDP was truncated)
    bool server_responded = false;              // the server sent a response (any RCODE but REFUSED)
    std::string detail;                         // "SERVFAIL", "timeout after 2000 ms", ...
    std::chrono::microseconds elapsed{0};

    bool is_void() const { return status == LookupStatus::nodata || status == LookupStatus::nxdomain; }
    bool is_error() const { return status == LookupStatus::error || status == LookupStatus::timeout; }
    // The TXT records joined (character-strings concatenated without separator, RFC 7208 3.3).
    std::vector<std::string> joined_txt() const;
};

// Thrown by DnsView::get for an answer not yet in the cache; caught by run_with_dns.
struct NeedLookup {
    LookupKey key;
};

class DnsView {
public:
    // The cached answer, or throws NeedLookup. Invalid names are answered at once with invalid_name.
    const LookupAnswer& get(std::string_view name, std::uint16_t type);
    // Asks the driver to fetch this soon (speculatively); never throws.
    void prefetch(std::string_view name, std::uint16_t type);

    // Driver side.
    void store(const LookupKey& key, LookupAnswer answer);
    bool has(const LookupKey& key) const { return answers_.count(key) != 0; }
    std::vector<LookupKey> take_wanted();
    const std::map<LookupKey, LookupAnswer>& answers() const { return answers_; }

private:
    std::map<LookupKey, LookupAnswer> answers_;
    std::vector<LookupKey> wanted_;
};

// Asynchronous DNS for SPF. `done` runs exactly once per lookup, later (never inside lookup()).
class Resolver {
public:
    virtual ~Resolver() = default;
    virtual void lookup(const LookupKey& key, std::function<void(LookupAnswer)> done) = 0;
    // Runs until no lookup is outstanding.
    virtual void run() = 0;
    // Stops outstanding lookups (their callbacks still run, with timeout status); run() then returns.
    virtual void cancel_all() = 0;
};

struct DriverStats {
    std::size_t queries_sent = 0;
    std::size_t speculative_queries = 0;  // prefetched
    std::size_t passes = 0;               // how often the pure function ran
    std::size_t responses = 0;            // answers the server actually gave (server_responded)
    std::string first_failure;            // the first query the server did not answer, and why
    std::chrono::microseconds elapsed{0};
};

// Called for every answer as it arrives, to predict further lookups (DnsView::prefetch).
using Prefetcher = std::function<void(const LookupKey&, const LookupAnswer&, DnsView&)>;

struct DriverLimits {
    std::size_t max_queries = 400;      // hard cap on queries per run (needed + speculative)
    std::size_t max_speculative = 200;  // cap on prefetched queries
};

// Runs `compute` over `resolver` as described above. Returns its value, or an error when the query budget is
// exhausted (which the SPF limits make impossible for well-formed input) or the resolver stopped early.
template <class T>
Result<T> run_with_dns(Resolver& resolver, const std::function<T(DnsView&)>& compute, const Prefetcher& prefetcher,
                       DriverStats* stats = nullptr, DriverLimits limits = {});

// Non-template core of run_with_dns.
Status run_with_dns_core(Resolver& resolver, const std::function<void(DnsView&)>& compute,
                         const Prefetcher& prefetcher, DriverStats* stats, DriverLimits limits);

template <class T>
Result<T> run_with_dns(Resolver& resolver, const std::function<T(DnsView&)>& compute, const Prefetcher& prefetcher,
                       DriverStats* stats, DriverLimits limits) {
    std::optional<T> value;
    Status status = run_with_dns_core(
        resolver, [&](DnsView& view) { value = compute(view); }, prefetcher, stats, limits);
    if (!status) return status.error();
    if (!value) return internal_error("SPF evaluation did not finish");
    return std::move(*value);
}

// A resolver over a fixed table, for tests and for replaying: unknown keys answer nxdomain. Answers are delivered
// in rounds (all lookups started in one round are answered together in the next), so tests can count round trips.
class TableResolver : public Resolver {
public:
    void set(std::string_view name, std::uint16_t type, LookupAnswer answer);
    // Convenience: TXT records (one string each), addresses, names.
    void txt(std::string_view name, std::vector<std::string> records);
    void address(std::string_view name, std::string_view ip);  // A or AAAA by the address family
    void mx(std::string_view name, std::vector<std::string> exchanges);
    void ptr(std::string_view name, std::vector<std::string> names);
    void status(std::string_view name, std::uint16_t type, LookupStatus status);  // nodata/nxdomain/error/timeout
    // Marks a name as existing (so other types answer nodata rather than nxdomain).
    void exists(std::string_view name);

    void lookup(const LookupKey& key, std::function<void(LookupAnswer)> done) override;
    void run() override;
    void cancel_all() override;

    std::size_t rounds() const { return rounds_; }
    const std::vector<LookupKey>& log() const { return log_; }

private:
    std::map<LookupKey, LookupAnswer> table_;
    std::set<std::string> existing_;
    std::vector<std::pair<LookupKey, std::function<void(LookupAnswer)>>> pending_;
    std::vector<LookupKey> log_;
    std::size_t rounds_ = 0;
    bool cancelled_ = false;
};

}  // namespace nettool::spf
