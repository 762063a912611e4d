// fuzz_regressions: the fuzz entry points (fuzz/fuzz_*.cpp) in the normal build, without libFuzzer.
//
//   fuzz_regressions SOURCE_DIR TARGET   runs TARGET on every kept finding (tests/fixtures/fuzz-regressions/TARGET)
//                                        and every seed file fuzz/seeds.txt names for it
//   fuzz_regressions --list              the registered targets
//
// A finding crashes (a sanitizer in the asan build), throws, or fails a NETTOOL_FUZZ_CHECK; a run with no input
// at all is a failure too (it would check nothing).
#include "fuzz_target.hpp"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace nettool::fuzz {

namespace {

std::map<std::string, Entry>& registry() {
    static std::map<std::string, Entry> targets;
    return targets;
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Files a seeds.txt path names: a file, every file under a directory, or DIR/*SUFFIX (files under DIR ending so).
void add_files(const fs::path& path, std::vector<fs::path>& files) {
    std::string suffix;
    fs::path base = path;
    if (const auto name = path.filename().string(); !name.empty() && name.front() == '*') {
        suffix = name.substr(1);
        base = path.parent_path();
    }
    std::error_code error;
    if (fs::is_regular_file(base, error)) {
        files.push_back(base);
        return;
    }
    if (!fs::is_directory(base, error)) return;
    for (const auto& entry : fs::recursive_directory_iterator(base, error)) {
        if (entry.is_regular_file() && ends_with(entry.path().filename().string(), suffix)) {
            files.push_back(entry.path());
        }
    }
}

// fuzz/seeds.txt: "TARGET: PATH..." lines (paths relative to the repository; ../shared ones may be absent).
std::vector<fs::path> seed_files(const fs::path& source_dir, const std::string& target) {
    std::ifstream seeds(source_dir / "fuzz" / "seeds.txt");
    std::vector<fs::path> files;
    std::string line;
    while (std::getline(seeds, line)) {
        if (line.empty() || line.front() == '#') continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos || line.substr(0, colon) != target) continue;
        std::istringstream paths(line.substr(colon + 1));
        std::string path;
        while (paths >> path) add_files(source_dir / path, files);
    }
    return files;
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

bool register_target(const char* name, Entry entry) {
    registry()[name] = entry;
    return true;
}

}  // namespace nettool::fuzz

int main(int argc, char* argv[]) {
    using namespace nettool::fuzz;
    if (argc == 2 && std::string(argv[1]) == "--list") {
        for (const auto& [name, entry] : registry()) std::cout << name << "\n";
        return 0;
    }
    if (argc != 3) {
        std::cerr << "usage: fuzz_regressions SOURCE_DIR TARGET | --list\n";
        return 2;
    }
    const fs::path source_dir = argv[1];
    const std::string target = argv[2];
    const auto found = registry().find(target);
    if (found == registry().end()) {
        std::cerr << "fuzz_regressions: no target " << target << "\n";
        return 2;
    }
    std::vector<fs::path> findings;
    add_files(source_dir / "tests" / "fixtures" / "fuzz-regressions" / target, findings);
    const auto seeds = seed_files(source_dir, target);
    if (findings.empty() && seeds.empty()) {
        std::cerr << "fuzz_regressions: " << target << ": no inputs (fuzz/seeds.txt names none that exist)\n";
        return 1;
    }
    std::vector<fs::path> inputs = findings;
    inputs.insert(inputs.end(), seeds.begin(), seeds.end());
    std::sort(inputs.begin() + static_cast<std::ptrdiff_t>(findings.size()), inputs.end());
    for (const auto& input : inputs) {
        const std::string bytes = read_bytes(input);
        try {
            found->second(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        } catch (const std::exception& error) {
            std::cerr << "fuzz_regressions: " << target << ": " << input.string() << ": exception " << error.what()
                      << "\n";
            return 1;
        }
    }
    std::cout << "fuzz_regressions: " << target << ": " << findings.size() << " kept findings and " << seeds.size()
              << " seed files ran clean\n";
    return 0;
}
