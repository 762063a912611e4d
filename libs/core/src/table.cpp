#include "nettool/core/table.hpp"

#include "nettool/core/text.hpp"

#include <algorithm>

namespace nettool {

std::size_t display_width(const std::string& text) {
    std::size_t width = 0;
    for (unsigned char c : text) {
        if ((c & 0xC0) != 0x80) ++width;
    }
    return width;
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells, std::vector<Colour> colours) {
    cells.resize(columns_.size());
    for (auto& cell : cells) cell = sanitize_for_terminal(cell);
    colours.resize(columns_.size(), Colour::none);
    rows_.push_back({std::move(cells), std::move(colours)});
}

void Table::render(std::ostream& out, const Style& style, const std::string& indent) const {
    std::vector<std::size_t> widths(columns_.size(), 0);
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        widths[c] = display_width(columns_[c].title);
        for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row.cells[c]));
    }
    auto emit = [&](const std::vector<std::string>& cells, const std::vector<Colour>& colours, bool header) {
        std::string line = indent;
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            const std::string& cell = cells[c];
            std::size_t pad = widths[c] - display_width(cell);
            bool last = c + 1 == columns_.size();
            std::string painted = header ? style.paint(cell, Colour::bold) : style.paint(cell, colours[c]);
            if (columns_[c].align == Align::right) {
                line += std::string(pad, ' ') + painted;
            } else {
                line += painted;
                if (!last) line += std::string(pad, ' ');
            }
            if (!last) line += "  ";
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << '\n';
    };
    std::vector<std::string> titles;
    for (const auto& column : columns_) titles.push_back(column.title);
    emit(titles, std::vector<Colour>(columns_.size(), Colour::none), true);
    for (const auto& row : rows_) emit(row.cells, row.colours, false);
}

}  // namespace nettool
