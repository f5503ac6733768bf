// chaos log: the most recent `chaos apply` runs, from the run history.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "apply/history.h"
#include "cli/commands.h"
#include "term/layout.h"

namespace chaos {
namespace {

struct LogOptions {
  size_t limit = 20;
  bool json = false;
};

std::string join(const nlohmann::json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!item.is_string()) continue;
    out += (out.empty() ? "" : " ") + item.get<std::string>();
  }
  return out;
}

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
  std::vector<std::vector<std::string>> rows;
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    const auto& r = *it;
    const auto& counts = r.value("counts", nlohmann::json::object());
    std::string result = r.value("exit_code", 1) == 0 ? ctx.out(Tone::green, "ok") : ctx.out(Tone::red, "failed");
    if (r.value("dry", false)) result += " (dry)";
    if (r.value("interrupted", false)) result = ctx.out(Tone::yellow, "interrupted");
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.1fs", r.value("duration_s", 0.0));
    rows.push_back({r.value("started", ""), join(r.value("tags", nlohmann::json::array())),
                    join(r.value("hosts", nlohmann::json::array())),
                    std::to_string(counts.value("changed", 0)) + "/" + std::to_string(counts.value("no_change", 0)) +
                        "/" + std::to_string(counts.value("failed", 0)),
                    duration, result});
  }
  std::fputs(render_table({"Started", "Tags", "Hosts", "Changed/Same/Failed", "Took", "Result"}, rows, ctx.out).c_str(),
             stdout);
  return kExitOk;
}

}  // namespace

void add_log_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<LogOptions>();
  CLI::App* cmd = app.add_subcommand("log", "List recent `chaos apply` runs, newest first");
  // A custom check: CLI11's PositiveNumber lets 0 through, and "how many" must be at least one.
  CLI::Validator at_least_one(
      [](std::string& value) -> std::string {
        bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
        if (digits && value.find_first_not_of('0') != std::string::npos && value.size() <= 9) return "";
        return "`" + value + "` is not a number of runs: give 1 or more, e.g. `chaos log -n 5`";
      },
      "N>=1");
  cmd->add_option("-n,--limit", opts->limit, "How many runs to show (1 or more)")->default_val(20)->check(at_least_one);
  cmd->add_flag("-j,--json", opts->json, "Print the records as JSON (oldest first)");
  cmd->footer(
      "Every apply appends one record (time, tags, hosts, counts, duration, exit code; never a secret)\n"
      "to $XDG_STATE_HOME/chaos/history.jsonl (default ~/.local/state/chaos/history.jsonl).");
  cmd->callback([&ctx, &exit_code, opts] { exit_code = run_log(ctx, *opts); });
}

}  // namespace chaos
