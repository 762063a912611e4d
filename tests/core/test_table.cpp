#include "nettool/core/table.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace nettool;

TEST_CASE("tables align columns, right-align numbers and sanitise cells") {
    Table table({{"HOST", Align::left}, {"BYTES", Align::right}, {"NOTE", Align::left}});
    table.add_row({"192.168.1.129", "758", "gnutella"});
    table.add_row({"10.0.0.1", "12345", "a\x1b"});
    table.add_row({"short"});
    std::ostringstream out;
    table.render(out, Style(false));
    CHECK(out.str() ==
          "HOST           BYTES  NOTE\n"
          "192.168.1.129    758  gnutella\n"
          "10.0.0.1       12345  a\\x1b\n"
          "short\n");
    CHECK(table.rows() == 3);
    CHECK(display_width("\xe6\x97\xa5x") == 2);
}
