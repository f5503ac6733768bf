#include "util/position.h"

namespace chaos {

std::string format_position(std::string_view path, int64_t line, int64_t column) {
  std::string out(path);
  if (line <= 0) return out;
  out += ':' + std::to_string(line);
  if (column > 0) out += ':' + std::to_string(column);
  return out;
}

std::string format_position(std::string_view path, const YAML::Mark& mark) {
  if (mark.is_null()) return std::string(path);
  return format_position(path, int64_t{mark.line} + 1, int64_t{mark.column} + 1);
}

}  // namespace chaos
