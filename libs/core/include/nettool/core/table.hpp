#pragma once
// Aligned text tables for the human renderers. Cells are sanitised; colour codes do not count towards width.
#include "nettool/core/style.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace nettool {

enum class Align { left, right };

class Table {
public:
    struct Column {
        std::string title;
        Align align = Align::left;
    };

    explicit Table(std::vector<Column> columns);
    // Cells beyond the column count are dropped; missing ones are blank. Pass `colours` to paint cells.
    void add_row(std::vector<std::string> cells, std::vector<Colour> colours = {});
    std::size_t rows() const { return rows_.size(); }
    void render(std::ostream& out, const Style& style, const std::string& indent = "") const;

private:
    struct Row {
        std::vector<std::string> cells;
        std::vector<Colour> colours;
    };
    std::vector<Column> columns_;
    std::vector<Row> rows_;
};

// Display width of UTF-8 text in terminal columns (one per code point; good enough for our ASCII-heavy output).
std::size_t display_width(const std::string& text);

}  // namespace nettool
