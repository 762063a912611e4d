#include "nettool/core/error.hpp"

namespace nettool {

const char* to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::usage: return "usage";
        case ErrorKind::input: return "input";
        case ErrorKind::environment: return "environment";
        case ErrorKind::internal: return "internal";
    }
    return "internal";
}

std::string Error::describe() const { return context.empty() ? message : context + ": " + message; }

Error usage_error(std::string message, std::string context) {
    return {ErrorKind::usage, std::move(message), std::move(context)};
}
Error input_error(std::string message, std::string context) {
    return {ErrorKind::input, std::move(message), std::move(context)};
}
Error environment_error(std::string message, std::string context) {
    return {ErrorKind::environment, std::move(message), std::move(context)};
}
Error internal_error(std::string message, std::string context) {
    return {ErrorKind::internal, std::move(message), std::move(context)};
}

}  // namespace nettool
