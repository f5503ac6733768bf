#include "host/output_lines.h"

#include <algorithm>

namespace chaos {

void add_output_lines(std::string_view chunk, std::string& partial, std::deque<std::string>& tail, size_t max_lines) {
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    std::string_view piece = chunk.substr(0, nl);
    size_t room = kMaxKeptLineBytes - std::min(partial.size(), kMaxKeptLineBytes);
    partial.append(piece.substr(0, std::min(room, piece.size())));
    if (nl == std::string_view::npos) return;
    chunk.remove_prefix(nl + 1);
    tail.push_back(std::move(partial));
    partial.clear();
    while (tail.size() > max_lines) tail.pop_front();
  }
}

}  // namespace chaos
