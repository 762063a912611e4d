#pragma once
// The request target of an HTTP GET: path and query parameters, percent-decoded ('+' is a space in a query).
// Pure; a malformed escape or a NUL byte is an error, never a guess.
#include "nettool/core/error.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nettool::exporter {

struct HttpTarget {
    std::string path;
    std::multimap<std::string, std::string> parameters;
};

Result<HttpTarget> parse_http_target(std::string_view target);

// X-Prometheus-Scrape-Timeout-Seconds: seconds as a decimal ("10", "9.5"); nullopt for anything else.
std::optional<double> parse_scrape_timeout(std::string_view value);

}  // namespace nettool::exporter
