#pragma once
// One fuzz entry point per file (fuzz/fuzz_<name>.cpp), written once and built two ways:
//  - with NETTOOL_FUZZ (clang, -fsanitize=fuzzer): NETTOOL_FUZZ_TARGET(name) is libFuzzer's LLVMFuzzerTestOneInput,
//    one executable fuzz_<name> per file;
//  - in the normal build (any compiler): the entry registers itself under its name, and fuzz_regressions (one
//    executable holding them all) feeds it the kept crash inputs and the seed files, as a CTest entry per target.
// An entry must accept any bytes: it returns 0, and a bug shows as a sanitizer report, an exception escaping, or a
// failed NETTOOL_FUZZ_CHECK (an invariant the parser promises).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#if defined(NETTOOL_LIBFUZZER)
#define NETTOOL_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
#else
namespace nettool::fuzz {
using Entry = int (*)(const std::uint8_t* data, std::size_t size);
bool register_target(const char* name, Entry entry);
}  // namespace nettool::fuzz
#define NETTOOL_FUZZ_TARGET(name)                                                                        \
    static int nettool_fuzz_entry_##name(const std::uint8_t* data, std::size_t size);                    \
    [[maybe_unused]] static const bool nettool_fuzz_registered_##name =                                  \
        ::nettool::fuzz::register_target(#name, nettool_fuzz_entry_##name);                              \
    static int nettool_fuzz_entry_##name(const std::uint8_t* data, std::size_t size)
#endif

// An invariant the code under test promises; its failure is a finding, like a crash.
#define NETTOOL_FUZZ_CHECK(condition)                                                              \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)
