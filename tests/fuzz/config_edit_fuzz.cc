// `chaos set` on any config.yml: the edit succeeds with the value read back and every other
// setting unchanged (set_top_level_string checks that itself), or it is refused; never a crash.
// The first line of the input is the value; the rest is the file.
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "config/config_edit.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string input(fuzz::as_text(data, size));
  size_t newline = input.find('\n');
  std::string value = input.substr(0, newline);
  std::string text = newline == std::string::npos ? "" : input.substr(newline + 1);
  auto edited = set_top_level_string(text, "chobolo_file", value, "config.yml");
  if (!edited) return 0;
  try {
    YAML::Node again = YAML::Load(*edited);
    if (!again["chobolo_file"].IsScalar() || again["chobolo_file"].Scalar() != value) std::abort();
  } catch (const YAML::Exception&) {
    std::abort();
  }
  return 0;
}
