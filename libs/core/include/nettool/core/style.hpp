#pragma once
// Colour for the human renderer: only on a terminal, never with --no-color or NO_COLOR set.
#include "nettool/core/diagnosis.hpp"

#include <string>
#include <string_view>

namespace nettool {

enum class Colour { none, red, yellow, green, cyan, bold, dim };

class Style {
public:
    explicit Style(bool colour_enabled = false) : colour_(colour_enabled) {}
    // Colour on when `fd` is a terminal, NO_COLOR is unset or empty, and the user did not pass --no-color.
    static Style for_stream(int fd, bool no_color_flag);

    bool colour() const { return colour_; }
    std::string paint(std::string_view text, Colour colour) const;
    std::string severity_tag(Severity severity) const;  // "[critical]" in red, ...

private:
    bool colour_;
};

}  // namespace nettool
