// log/: `chaos log`: the runs the logbook holds (records/logbook.h): a list, one run in detail,
// or one run exported in the original's v1 format.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "context/context.h"

namespace chaos {

struct LogOptions {
  size_t limit = 20;
  bool json = false;
  // Filters: runs (list) or the parts of a run (show) that touch this role or host, or failed.
  std::optional<std::string> role;
  std::optional<std::string> host;
  bool failed = false;
  std::string run = "last";  // show/export: a run number, `last`, or a run id (chaos-YYYY/MM/DD-…)
  std::string output;        // export: the file to write; "-" is standard output
};

int run_log(Context& ctx, const LogOptions& opts);
int run_log_show(Context& ctx, const LogOptions& opts);
int run_log_export(Context& ctx, const LogOptions& opts);

}  // namespace chaos
