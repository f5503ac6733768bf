#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugins/plugin_index.h"
#include "util/fs.h"

namespace chaos {

// The plugin index cache file. A line-oriented, tab-separated text format rather than JSON:
// loading it is on the path of every command, and a linear scan is several times faster than
// building a JSON document for hundreds of plugins.
//
//   chaos-plugin-index  2
//   E  <path entry>  <origin>                         the search path, in order
//   S  <exists> <mtime_ns> <size> <inode> <path>      a stamp of something the index came from
//   D  <shadowed_by> <name> <version> <metadata_dir> <origin> <entry_points_file>
//   R  <group> <distribution> <line> <name> <value>
//   P  <kind> <where> <message>
//   end
//
// Fields are separated by one tab; a backslash, tab, newline or carriage return inside a
// field is escaped as \\ \t \n \r. The final `end` line tells a complete file from a cut one.
std::string serialize_index_cache(const PluginIndex& index,
                                  const std::vector<std::pair<std::string, FileStamp>>& stamps);

enum class CacheVerdict { current, stale, damaged };

// Reads the cache for `path`: `current` fills `index` (every stamp still matches what is on
// disk), `stale` means something changed, `damaged` that the file is not a cache this code
// wrote.
CacheVerdict parse_index_cache(std::string_view text, const std::vector<PathEntry>& path, PluginIndex& index);

}  // namespace chaos
