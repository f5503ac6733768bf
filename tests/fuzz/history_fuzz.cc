// The run-history reader (history.jsonl) on any bytes, and the fields `chaos log` reads from
// every record it returns: damaged lines are counted, never a crash.
#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "records/history.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string_view text = fuzz::as_text(data, size);
  size_t limit = size ? 1 + data[0] % 8 : 1;
  fuzz::put_file("history.jsonl", text);
  size_t damaged = 0;
  auto records = read_history(fuzz::scratch_dir(), limit, damaged);
  if (records.size() > limit) std::abort();
  for (const auto& r : records) {
    // What `chaos log` reads (src/cli/log.cc), and its --json output.
    const auto& counts = r.value("counts", nlohmann::json::object());
    (void)(r.value("exit_code", 1) + counts.value("changed", 0) + counts.value("no_change", 0) +
           counts.value("failed", 0));
    (void)(r.value("dry", false) || r.value("interrupted", false));
    (void)r.value("duration_s", 0.0);
    (void)r.value("started", "");
    (void)r.value("tags", nlohmann::json::array());
    (void)r.value("hosts", nlohmann::json::array());
  }
  (void)nlohmann::json(records).dump(2);
  return 0;
}
