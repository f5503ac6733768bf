// A Ch-obolo's fleet block, on any bytes: read or refused with a position, never a crash; and
// whatever hosts it yields, selecting with patterns from the same input never crashes either.
#include "fleet/inventory.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string text(fuzz::as_text(data, size));
  auto fleet = read_fleet(text, "box.yml");
  if (!fleet) return 0;
  std::vector<std::string> patterns;
  for (const auto& h : fleet->hosts) patterns.push_back(h.name.substr(0, 3) + "*");
  (void)select_hosts(*fleet, patterns, {});
  (void)select_hosts(*fleet, {}, patterns);
  (void)select_hosts(*fleet, {"@web", "[", "\\"}, {});
  return 0;
}
