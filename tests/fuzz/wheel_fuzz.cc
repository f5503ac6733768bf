// The wheel reader: any bytes as a .whl on the plugin path (libzip reads it from the file, as
// it would a real wheel), then the index built from what was found.
#include "fuzz_support.h"
#include "plugins/distributions.h"
#include "plugins/plugin_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string wheel = fuzz::put_file("plugin-1.0-py3-none-any.whl", fuzz::as_text(data, size));
  std::vector<PathEntry> path = {{wheel, "CHAOS_PLUGIN_DIR"}};
  ScanResult scan = scan_distributions(path);
  PluginIndex index = index_from_scan(path, scan);
  for (const auto& d : scan.distributions) {
    std::string name, version;
    name_and_version(d, name, version);
  }
  return 0;
}
