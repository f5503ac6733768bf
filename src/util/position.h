// The one way chaos names a place in a file: `path:line:column`, as compilers do, so terminals
// and editors can jump to it.
#pragma once

#include <yaml-cpp/mark.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace chaos {

// `path:line:column` with 1-based numbers; a line or column of 0 or less is unknown and left
// out (a column is only shown after a line).
std::string format_position(std::string_view path, int64_t line, int64_t column = 0);

// The position of a yaml-cpp mark (0-based) in `path`; just `path` when the mark is unknown.
std::string format_position(std::string_view path, const YAML::Mark& mark);

}  // namespace chaos
