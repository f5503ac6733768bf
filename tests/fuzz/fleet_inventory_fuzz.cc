// A Ch-obolo's fleet block, on any bytes: read or refused with a position, never a crash; and
// whatever hosts it yields, selecting with patterns from the same input never crashes either.
// The input's first line is also a --max-fail value: parsed or refused, and a parsed one is
// within the bounds the role host checks again.
#include <cstdlib>

#include "fleet/inventory.h"
#include "fleet/max_fail.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string text(fuzz::as_text(data, size));
  if (auto limit = parse_max_fail(std::string_view(text).substr(0, text.find('\n')))) {
    if (limit->value < 0 || (limit->percent && limit->value >= 100)) std::abort();
    (void)limit->param().dump();
  }
  auto fleet = read_fleet(text, "box.yml");
  if (!fleet) return 0;
  std::vector<std::string> patterns;
  for (const auto& h : fleet->hosts) patterns.push_back(h.name.substr(0, 3) + "*");
  (void)select_hosts(*fleet, patterns, {});
  (void)select_hosts(*fleet, {}, patterns);
  (void)select_hosts(*fleet, {"@web", "[", "\\"}, {});
  return 0;
}
