// plugins/: finding the plugin environment, reading what its distributions register, and
// caching that so no Python process is needed to know it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chaos {

struct EntryPointLine {
  std::string group;
  std::string name;
  std::string value;
  int line = 0;  // 1-based, for messages
};

struct EntryPointProblem {
  int line = 0;
  std::string message;
};

struct ParsedEntryPoints {
  std::vector<EntryPointLine> entries;
  std::vector<EntryPointProblem> problems;
};

// Parses entry_points.txt with the rules importlib.metadata applies: lines are stripped,
// blank lines and lines starting with '#' are skipped, `[group]` opens a section, lines
// before the first section are ignored, and `name = value` splits on the first '='. Where
// importlib would raise for the whole environment (a line without '='), this reports the
// line and keeps going, so one broken plugin never hides the others. A line that is not valid
// UTF-8 (importlib would fail to decode the file) is a problem showing the line escaped.
ParsedEntryPoints parse_entry_points(std::string_view text);

// True for `module.sub:attr.sub` with optional ` [extras]`: what an importable target must
// look like (importlib's pattern, but with the attribute required, as chaos loads objects).
bool is_object_reference(std::string_view value);

// importlib.metadata's name normalisation: runs of -_. become '_' and letters go lower case.
std::string normalize_distribution_name(std::string_view name);

}  // namespace chaos
