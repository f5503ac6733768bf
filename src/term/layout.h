#pragma once

#include <string>
#include <utility>
#include <vector>

#include "term/style.h"

namespace chaos {

// Names laid out in as many columns as fit `width`, filled column by column (like `ls`).
std::string render_columns(const std::vector<std::string>& items, int width, const Painter& paint,
                           Tone tone = Tone::cyan, int indent = 2);

// A table with a header row; every cell is plain text, the header is bold.
std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                         const Painter& paint);

}  // namespace chaos
