// The logbook's v1 export (src/records/logbook_export.cc) on any JSON document: the store's run
// data is read back from a database anyone with the user's rights can edit, so no shape of it may
// crash or throw, and the export must always be a document every JSON reader accepts with the
// fields a viewer of the original's file indexes without checking. Inputs that are not JSON are
// skipped: the store hands over parsed JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "records/logbook_export.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nlohmann::json;
  json input = json::parse(chaos::fuzz::as_text(data, size), nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded()) return 0;
  json doc = chaos::logbook_export_v1(input);
  std::string text = doc.dump();  // the strict encoder: throws (and so fails here) on invalid UTF-8
  json again = json::parse(text, nullptr, false);
  if (again.is_discarded() || again != doc) std::abort();
  // What every viewer reads first, with the types it assumes.
  const json& summary = doc.at("summary");
  if (doc.at("api_version") != "v1" || !doc.at("hosts").is_object() || !summary.at("status").is_string() ||
      summary.at("status") == "in_progress" || !summary.at("total_duration").is_number() ||
      !doc.at("operation_summary").is_object() || !doc.at("streamed_history").is_array())
    std::abort();
  for (const auto& [name, host] : doc.at("hosts").items()) {
    for (const json& op : host.at("history")) {
      if (!op.at("stdout").is_string() || !op.at("duration").is_number() ||
          !op.at("operation_arguments").at("operation_meta").at("executed").is_boolean())
        std::abort();
    }
  }
  return 0;
}
