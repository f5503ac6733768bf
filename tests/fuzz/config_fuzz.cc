// The global configuration loader (config.yml) on any bytes: a config or an error, never a crash.
#include "config/global_config.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string path = fuzz::put_file("config.yml", fuzz::as_text(data, size));
  auto config = load_global_config(path);
  if (config) {
    for (const auto& alias : config->aliases) (void)alias.targets.size();
  }
  return 0;
}
