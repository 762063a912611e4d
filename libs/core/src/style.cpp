#include "nettool/core/style.hpp"

#include <cstdlib>
#include <unistd.h>

namespace nettool {

Style Style::for_stream(int fd, bool no_color_flag) {
    if (no_color_flag) return Style(false);
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') return Style(false);
    return Style(::isatty(fd) == 1);
}

std::string Style::paint(std::string_view text, Colour colour) const {
    if (!colour_ || colour == Colour::none) return std::string(text);
    const char* code = "";
    switch (colour) {
        case Colour::red: code = "\x1b[31m"; break;
        case Colour::yellow: code = "\x1b[33m"; break;
        case Colour::green: code = "\x1b[32m"; break;
        case Colour::cyan: code = "\x1b[36m"; break;
        case Colour::bold: code = "\x1b[1m"; break;
        case Colour::dim: code = "\x1b[2m"; break;
        case Colour::none: break;
    }
    return std::string(code) + std::string(text) + "\x1b[0m";
}

std::string Style::severity_tag(Severity severity) const {
    std::string tag = std::string("[") + to_string(severity) + "]";
    switch (severity) {
        case Severity::critical: return paint(tag, Colour::red);
        case Severity::warning: return paint(tag, Colour::yellow);
        case Severity::info: return paint(tag, Colour::green);
    }
    return tag;
}

}  // namespace nettool
