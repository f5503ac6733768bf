// The plugin index cache reader (plugin-index.cache) on any bytes: a verdict, never a crash.
// A file it accepts as current must survive being written again and read back.
#include <cstdlib>

#include "fuzz_support.h"
#include "plugins/index_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::vector<PathEntry> path = {{"/nonexistent/plugins", "CHAOS_PLUGIN_DIR"}, {"/nonexistent/site", "python"}};
  PluginIndex index;
  if (parse_index_cache(fuzz::as_text(data, size), path, index) != CacheVerdict::current) return 0;
  PluginIndex again;
  if (parse_index_cache(serialize_index_cache(index, {}), path, again) != CacheVerdict::current) std::abort();
  if (again.registrations.size() != index.registrations.size()) std::abort();
  return 0;
}
