#pragma once
// Splits a byte stream into lines for a LogFeeder; lines over max_line_bytes are passed on as truncated (their
// text dropped), so a huge line costs no memory.
#include "nettool/ikelog/ike_log.hpp"

#include <string>
#include <string_view>

namespace nettool::ikelog {

// Splits a byte stream into lines; lines over max_line_bytes are reported truncated (and their rest dropped).
class LineSplitter {
public:
    explicit LineSplitter(LogFeeder& feeder) : feeder_(feeder) {}
    void feed(const char* data, std::size_t size) {
        std::string_view chunk(data, size);
        while (!chunk.empty()) {
            auto nl = chunk.find('\n');
            std::string_view piece = nl == std::string_view::npos ? chunk : chunk.substr(0, nl);
            if (!dropping_) {
                if (carry_.empty() && nl != std::string_view::npos && piece.size() <= max_line_bytes) {
                    emit(piece, false);
                } else if (carry_.size() + piece.size() > max_line_bytes) {
                    dropping_ = true;
                    carry_.clear();
                } else {
                    carry_.append(piece);
                    if (nl != std::string_view::npos) {
                        emit(carry_, false);
                        carry_.clear();
                    }
                }
            }
            if (nl == std::string_view::npos) break;
            if (dropping_) {
                emit({}, true);
                dropping_ = false;
            }
            chunk.remove_prefix(nl + 1);
        }
    }
    void finish() {
        if (dropping_) {
            emit({}, true);
        } else if (!carry_.empty()) {
            emit(carry_, false);
        }
        carry_.clear();
        dropping_ = false;
    }

private:
    void emit(std::string_view line, bool truncated) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        feeder_.line(line, truncated);
    }
    LogFeeder& feeder_;
    std::string carry_;
    bool dropping_ = false;
};


}  // namespace nettool::ikelog
