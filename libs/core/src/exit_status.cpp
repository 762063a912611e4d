#include "nettool/core/exit_status.hpp"

namespace nettool {

ExitStatus exit_status_for(const Error& error) {
    switch (error.kind) {
        case ErrorKind::usage:
        case ErrorKind::input: return ExitStatus::bad_input;
        case ErrorKind::environment:
        case ErrorKind::internal: return ExitStatus::cannot_run;
    }
    return ExitStatus::cannot_run;
}

ExitStatus exit_status_for(const std::vector<Diagnosis>& diagnoses) {
    return has_problem(diagnoses) ? ExitStatus::problem : ExitStatus::ok;
}

}  // namespace nettool
