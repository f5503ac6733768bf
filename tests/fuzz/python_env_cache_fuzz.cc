// The python-env cache reader (python-env.json) on any bytes: a hit or a miss, never a crash.
// The identity is fixed, so the corpus can hold files that get past it.
#include "fuzz_support.h"
#include "plugins/python_env.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  static const nlohmann::json identity = {{"interpreter", "/usr/bin/python3"}, {"HOME", "/root"}};
  PythonEnv env;
  // No cache path: the reader must not write while it is being fuzzed.
  (void)python_env_from_cache(fuzz::as_text(data, size), identity, "", env);
  return 0;
}
