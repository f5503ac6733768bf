#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace chaos {

// The longest line kept of a child's stderr; the rest of a longer line is dropped.
constexpr size_t kMaxKeptLineBytes = 4096;

// Adds `chunk` of a child's output to `tail` (its last `max_lines` complete lines) and
// `partial` (the line not ended yet, kept until the next chunk or the end). Each byte is looked
// at once, so the work is linear in the output however it is chunked, and a line without end
// costs at most kMaxKeptLineBytes of memory.
void add_output_lines(std::string_view chunk, std::string& partial, std::deque<std::string>& tail, size_t max_lines);

}  // namespace chaos
