#pragma once
// nettool dnscheck: why does name resolution fail, and where. For every resolver, concurrently on one io_context
// and under one global deadline: ICMP echo, --count small queries over UDP, one over TCP, a large answer (EDNS
// 4096 + DO); plus getaddrinfo as applications see it and a ping to an IP target. The probe records then go
// through the pure diagnosis (diagnose.hpp).
#include "nettool/core/error.hpp"
#include "nettool/core/style.hpp"
#include "nettool/dnscheck/diagnose.hpp"
#include "nettool/dnscheck/model.hpp"

#include <ostream>

namespace nettool::dnscheck {

// Runs every probe and diagnoses the outcome. Errors: unusable request values (usage), an explicitly given
// resolver file that cannot be read (input), an io failure that stops the whole run (environment/internal).
// No resolver configured is not an error: the result carries the no_resolver diagnosis.
// Returns within request.timeout plus a few milliseconds, whatever the network does.
Result<DnsCheckResult> run_dnscheck(const DnsCheckRequest& request);

// Checks the request's values (count, timeout, names) without running anything.
Status validate_request(const DnsCheckRequest& request);

// The human report: verdict first, then one block per resolver, the system resolver and the reach test.
void render_dnscheck(std::ostream& out, const DnsCheckResult& result, const Style& style);

}  // namespace nettool::dnscheck
