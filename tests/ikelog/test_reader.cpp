// The fast reading path: a format's LineFilter may dismiss only lines its parser makes nothing of, and a large
// plain file (read, split and sifted ahead on a second thread) gives the report the streaming path gives.
#include "nettool/ikelog/ike_log.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <sstream>

using namespace nettool;
using namespace nettool::ikelog;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const fs::path& path) {
    std::vector<std::string> out;
    std::istringstream in(nettool::test::read_file(path));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// Every log we can read here: the fixtures, and the shared corpus when it is there.
std::vector<fs::path> all_logs() {
    std::vector<fs::path> out;
    std::vector<fs::path> roots = {nettool::test::fixtures_dir() / "ikelog"};
    if (auto shared = nettool::test::shared_dir(); shared && fs::exists(*shared / "corpus/ike")) {
        roots.push_back(*shared / "corpus/ike");
    }
    for (const auto& root : roots) {
        for (const auto& entry : fs::recursive_directory_iterator(root)) {
            if (entry.path().extension() == ".log") out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string describe(const Event& e) {
    std::ostringstream out;
    out << to_string(e.kind) << '|' << to_string(e.role) << '|' << e.ike_version << '|' << to_string(e.exchange)
        << '|' << e.message_number << '|' << e.phase2 << '|' << static_cast<int>(e.proposal_side) << '|' << e.peer
        << '|' << e.local << '|' << e.connection << '|' << e.sa << '|' << e.code << '|' << e.also << '|' << e.notify
        << '|' << e.detail << '|' << e.spi << '|' << e.time << '|' << e.seconds;
    return out.str();
}

std::string report_json(const IkeReport& report) {
    nlohmann::json j;
    to_json(j, report);
    return j.dump();
}

}  // namespace

TEST_CASE("a format's line filter dismisses only lines its parser makes nothing of") {
    std::vector<std::string> tricky = {
        "",
        "   ",
        "Nov 28 08:45:25.109647: | debug line",
        "Nov 28 08:45:25.109647: | pluto[12]: \"site\" #1: initiating IKEv1 Main Mode connection",
        "gw pluto[1234]: | debug",
        "2026-11-28 09:02:40.634 05[IKE] <site|1> initiating Main Mode IKE_SA site[1] to 198.51.100.20",
        "2026-11-28 09:02:40.634 05[IKE] <site|1>   indented task",
        "2026-11-28 09:02:40.634 05[IKE] <site|1 no closing bracket",
        "2026-11-28 09:02:40.634 05[CFG] looking for peer configs matching 192.0.2.1[%any]...198.51.100.2[%any]",
        "2026-11-28 09:02:40.634 05[CFG] looking for an IKEv1 config for 192.0.2.1...198.51.100.2",
        "2026-11-28T09:02:40.634+02:00 05[NET] sending packet: from 192.0.2.1[500] to 198.51.100.2[500] (10 bytes)",
    };
    std::vector<std::vector<std::string>> inputs = {tricky};
    for (const auto& log : all_logs()) inputs.push_back(lines_of(log));
    std::size_t filters = 0;
    for (const FormatInfo* format : all_formats()) {
        if (!format->create_filter) continue;
        ++filters;
        std::size_t dismissed_total = 0;
        for (const auto& lines : inputs) {
            // One parser sees every line, the other only the lines the filter passes: their events must agree,
            // so a dismissed line neither makes an event nor changes what later lines make.
            auto filter = format->create_filter();
            auto every = format->create();
            auto passed = format->create();
            std::vector<Event> from_every, from_passed, events;
            std::size_t bad = 0;
            std::string first_bad;
            for (const auto& line : lines) {
                bool dismissed = filter->dismisses(line);
                events.clear();
                bool known = every->parse(line, events);
                from_every.insert(from_every.end(), events.begin(), events.end());
                if (dismissed) {
                    ++dismissed_total;
                    if (!known || !events.empty()) {
                        if (bad++ == 0) first_bad = line;
                    }
                } else {
                    passed->parse(line, from_passed);
                }
            }
            INFO("format " << format->name << ", first wrongly dismissed line: " << first_bad);
            CHECK(bad == 0);
            REQUIRE(from_every.size() == from_passed.size());
            for (std::size_t i = 0; i < from_every.size(); ++i) CHECK(describe(from_every[i]) == describe(from_passed[i]));
        }
        INFO("format " << format->name);
        CHECK(dismissed_total > 0);
    }
    CHECK(filters >= 2);  // strongswan and libreswan
}

TEST_CASE("a large plain file read ahead on a second thread gives the streaming path's report") {
    nettool::test::TempDir dir;
    for (std::string vendor : {"strongswan", "libreswan"}) {
        INFO("vendor " << vendor);
        std::string logs, unit;
        for (const auto& entry : fs::directory_iterator(nettool::test::fixtures_dir() / "ikelog" / vendor)) {
            if (entry.path().extension() == ".log") logs += nettool::test::read_file(entry.path());
        }
        for (int i = 0; i < 50; ++i) unit += logs;
        // Lines the reader must treat with care, wherever the reads happen to cut them.
        unit += std::string(70000, 'x') + "\n" + "carriage return\r\n" + "\n  \t\r\n" + "just some words\n";
        std::string content;
        while (content.size() < (9u << 20)) content += unit;
        content += std::string(100, 'z');  // no newline at the end
        fs::path plain = dir.path() / (vendor + ".log");
        nettool::test::write_file(plain, content);
        fs::path packed = dir.path() / (vendor + ".log.gz");
        REQUIRE(std::system(("gzip -c " + nettool::test::shell_quote(plain.string()) + " > " +
                             nettool::test::shell_quote(packed.string()))
                                .c_str()) == 0);
        for (const FormatInfo* forced : {static_cast<const FormatInfo*>(nullptr), find_format(vendor)}) {
            INFO("forced " << (forced ? forced->name : "no"));
            Analyzer ahead, streamed;
            REQUIRE(read_log(plain.string(), ahead, forced).ok());
            REQUIRE(read_log(packed.string(), streamed, forced).ok());
            IkeReport a = ahead.report(), s = streamed.report();
            REQUIRE(a.files.size() == 1);
            CHECK(a.files[0].format == vendor);
            CHECK(a.files[0].lines > 40000);
            CHECK(a.files[0].skipped_too_long > 0);
            std::string streamed_json = report_json(s);
            // The same report but for the file name.
            std::string packed_name = packed.string(), plain_name = plain.string();
            for (auto at = streamed_json.find(packed_name); at != std::string::npos;
                 at = streamed_json.find(packed_name, at + plain_name.size())) {
                streamed_json.replace(at, packed_name.size(), plain_name);
            }
            CHECK(report_json(a) == streamed_json);
        }
    }
}
