#pragma once
// Missing privilege is explained, not reported as errno text: which capability, and how to grant it.
#include "nettool/core/error.hpp"

#include <string>

namespace nettool {

enum class Capability { net_raw, net_admin };

const char* capability_name(Capability capability);  // "CAP_NET_RAW"

// An environment Error saying that `action` (e.g. "capturing on eth0") needs `capability`, with the setcap line
// for the running binary and, for ICMP, the ping_group_range alternative.
Error missing_privilege(Capability capability, const std::string& action, const std::string& context = {});

// True for errno values that mean "not allowed" (EPERM, EACCES).
bool is_permission_errno(int error_number);

// Path of the running executable (/proc/self/exe), or "nettool" when unknown.
std::string self_executable_path();

}  // namespace nettool
