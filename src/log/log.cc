// log/: `chaos log`: the most recent `chaos apply` runs, from the run history.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "log/log.h"
#include "records/history.h"
#include "term/layout.h"

namespace chaos {
namespace {

std::string join(const nlohmann::json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!item.is_string()) continue;
    out += (out.empty() ? "" : " ") + item.get<std::string>();
  }
  return out;
}

// Newest first, one row per run.
std::string render_log_table(const std::vector<nlohmann::json>& records, const Painter& paint) {
  std::vector<std::vector<std::string>> rows;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    const auto& r = *it;
    const auto& counts = r.value("counts", nlohmann::json::object());
    std::string result = r.value("exit_code", 1) == 0 ? paint(Tone::green, "ok") : paint(Tone::red, "failed");
    if (r.value("dry", false)) result += " (dry)";
    if (r.value("interrupted", false)) result = paint(Tone::yellow, "interrupted");
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.1fs", r.value("duration_s", 0.0));
    rows.push_back({r.value("started", ""), join(r.value("tags", nlohmann::json::array())),
                    join(r.value("hosts", nlohmann::json::array())),
                    std::to_string(counts.value("changed", 0)) + "/" + std::to_string(counts.value("no_change", 0)) +
                        "/" + std::to_string(counts.value("failed", 0)),
                    duration, result});
  }
  return render_table({"Started", "Tags", "Hosts", "Changed/Same/Failed", "Took", "Result"}, rows, paint);
}

}  // namespace

int run_log(Context& ctx, const LogOptions& opts) {
  const std::string file = history_file(ctx.paths.state_dir);
  HistoryRead read = read_history(ctx.paths.state_dir, opts.limit);
  if (!read.error.empty()) {
    ctx.print_error(Error(read.error, file, "move the file away; a new history starts with the next apply"));
    return kExitFailure;
  }
  if (read.torn_tail) {
    ctx.print_warning("the last line of " + file +
                      " is incomplete (a run was cut off while writing it, or the disk was full) and was skipped");
  }
  if (read.damaged) {
    ctx.print_warning(std::to_string(read.damaged) + " damaged line(s) in " + file + " were skipped");
  }
  const auto& records = read.records;
  if (opts.json) {
    std::printf("%s\n", nlohmann::json(records).dump(2).c_str());
    return kExitOk;
  }
  if (records.empty()) {
    std::printf("No runs recorded yet (%s).\n", file.c_str());
    return kExitOk;
  }
  std::fputs(render_log_table(records, ctx.out).c_str(), stdout);
  return kExitOk;
}

}  // namespace chaos
