#pragma once
// The exit statuses every subcommand shares: scripts branch on them, so they never change.
#include "nettool/core/diagnosis.hpp"
#include "nettool/core/error.hpp"

namespace nettool {

enum class ExitStatus : int {
    ok = 0,          // nothing wrong found
    problem = 1,     // a problem was found (a diagnosis at warning or worse)
    bad_input = 2,   // bad usage or bad input
    cannot_run = 3,  // permission, no such interface, no resolver, ...
};

ExitStatus exit_status_for(const Error& error);
ExitStatus exit_status_for(const std::vector<Diagnosis>& diagnoses);
inline int to_int(ExitStatus status) { return static_cast<int>(status); }

}  // namespace nettool
