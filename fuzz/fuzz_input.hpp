#pragma once
// Splitting one fuzz input into the several values an entry point needs, the same way in both builds.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace nettool::fuzz {

class FuzzInput {
public:
    FuzzInput(const std::uint8_t* data, std::size_t size) : bytes_(data, size) {}
    // One byte (0 once the input is used up).
    std::uint8_t byte() {
        if (bytes_.empty()) return 0;
        const std::uint8_t value = bytes_.front();
        bytes_ = bytes_.subspan(1);
        return value;
    }
    // Everything not taken yet.
    std::span<const std::uint8_t> rest() const { return bytes_; }
    std::string_view rest_text() const {
        return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
    }

private:
    std::span<const std::uint8_t> bytes_;
};

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Calls each(piece) for every piece of `text` between `separator`s (lines for '\n'); a trailing separator adds no
// empty piece.
template <class Each>
void for_each_piece(std::string_view text, char separator, Each&& each) {
    while (!text.empty()) {
        const auto end = text.find(separator);
        each(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

}  // namespace nettool::fuzz
