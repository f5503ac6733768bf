// The entry-point parser and what the plugin index builds from one distribution's
// entry_points.txt and METADATA, then the index cache written from that index and read back:
// what is read must be what was written.
#include <cstdlib>

#include "fuzz_support.h"
#include "plugins/entry_points.h"
#include "plugins/index_cache.h"
#include "plugins/plugin_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string_view text = fuzz::as_text(data, size);
  ParsedEntryPoints parsed = parse_entry_points(text);
  for (const auto& e : parsed.entries) {
    (void)is_object_reference(e.value);
    (void)normalize_distribution_name(e.name);
  }

  // The same bytes as entry_points.txt and as METADATA of a distribution found on the path.
  std::vector<PathEntry> path = {{"/nonexistent/site-packages", "python"}};
  ScanResult scan;
  FoundDistribution found;
  found.normalized_name = "fuzz";
  found.dir_name = "fuzz-1.0.dist-info";
  found.metadata_dir = "/nonexistent/site-packages/fuzz-1.0.dist-info";
  found.path_entry = path[0].path;
  found.origin = "python";
  found.entry_points_file = found.metadata_dir + "/entry_points.txt";
  found.entry_points_text = std::string(text);
  found.metadata_text = std::string(text);
  found.in_zip = true;  // only metadata_text, no reading from the disk
  scan.distributions.push_back(found);
  scan.distributions.push_back(found);  // a second one of the same name: shadowed
  PluginIndex index = index_from_scan(path, scan);

  std::string cache = serialize_index_cache(index, {});
  PluginIndex again;
  if (parse_index_cache(cache, path, again) != CacheVerdict::current) std::abort();
  if (again.registrations.size() != index.registrations.size() ||
      again.distributions.size() != index.distributions.size() || again.problems.size() != index.problems.size()) {
    std::abort();
  }
  for (size_t i = 0; i < index.registrations.size(); ++i) {
    const auto& a = index.registrations[i];
    const auto& b = again.registrations[i];
    if (a.name != b.name || a.value != b.value || a.group != b.group || a.line != b.line) std::abort();
  }
  for (size_t i = 0; i < index.problems.size(); ++i) {
    if (index.problems[i].message != again.problems[i].message) std::abort();
  }
  return 0;
}
