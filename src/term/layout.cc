#include "term/layout.h"

#include <algorithm>

namespace chaos {

std::string render_columns(const std::vector<std::string>& items, int width, const Painter& paint, Tone tone,
                           int indent) {
  if (items.empty()) return "";
  size_t widest = 0;
  for (const auto& item : items) widest = std::max(widest, display_width(item));
  const size_t gap = 3;
  size_t usable = width > indent ? static_cast<size_t>(width - indent) : 1;
  size_t columns = std::max<size_t>(1, (usable + gap) / (widest + gap));
  size_t rows = (items.size() + columns - 1) / columns;
  columns = (items.size() + rows - 1) / rows;  // no empty trailing columns
  std::string out;
  for (size_t r = 0; r < rows; ++r) {
    out.append(static_cast<size_t>(indent), ' ');
    for (size_t c = 0; c < columns; ++c) {
      size_t i = c * rows + r;
      if (i >= items.size()) break;
      out += paint(tone, items[i]);
      bool last_in_row = c + 1 == columns || (c + 1) * rows + r >= items.size();
      if (!last_in_row) out.append(widest - display_width(items[i]) + gap, ' ');
    }
    out += '\n';
  }
  return out;
}

std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                         const Painter& paint) {
  std::vector<size_t> widths(header.size(), 0);
  for (size_t c = 0; c < header.size(); ++c) widths[c] = display_width(header[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool is_header) {
    std::string out = "  ";
    for (size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      out += is_header ? paint(Tone::bold, cell) : cell;
      if (c + 1 < widths.size()) out.append(widths[c] - display_width(cell) + 3, ' ');
    }
    out += '\n';
    return out;
  };
  std::string out = line(header, true);
  for (const auto& row : rows) out += line(row, false);
  return out;
}

}  // namespace chaos
