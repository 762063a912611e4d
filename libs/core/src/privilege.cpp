#include "nettool/core/privilege.hpp"

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace nettool {

const char* capability_name(Capability capability) {
    switch (capability) {
        case Capability::net_raw: return "CAP_NET_RAW";
        case Capability::net_admin: return "CAP_NET_ADMIN";
    }
    return "CAP_NET_RAW";
}

bool is_permission_errno(int error_number) { return error_number == EPERM || error_number == EACCES; }

std::string self_executable_path() {
    std::error_code ec;
    auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("nettool") : path.string();
}

Error missing_privilege(Capability capability, const std::string& action, const std::string& context) {
    const std::string cap = capability_name(capability);
    std::string lower = capability == Capability::net_raw ? "cap_net_raw" : "cap_net_admin";
    std::string message = action + " needs " + cap + ": run as root, or grant it once with: sudo setcap " + lower +
                          "+ep " + self_executable_path();
    if (capability == Capability::net_raw && action.find("ICMP") != std::string::npos) {
        message += " (or allow unprivileged ICMP: sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\")";
    }
    return environment_error(std::move(message), context);
}

}  // namespace nettool
