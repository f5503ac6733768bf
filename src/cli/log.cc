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
  size_t damaged = 0;
  auto records = read_history(ctx.paths.state_dir, opts.limit, damaged);
  if (damaged) {
    ctx.print_warning(std::to_string(damaged) + " damaged line(s) in " + history_file(ctx.paths.state_dir) +
                      " were skipped");
  }
  if (opts.json) {
    std::printf("%s\n", nlohmann::json(records).dump(2).c_str());
    return kExitOk;
  }
  if (records.empty()) {
    std::printf("No runs recorded yet (%s).\n", history_file(ctx.paths.state_dir).c_str());
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
  cmd->add_option("-n,--limit", opts->limit, "How many runs to show")->default_val(20)->check(CLI::PositiveNumber);
  cmd->add_flag("-j,--json", opts->json, "Print the records as JSON (oldest first)");
  cmd->footer(
      "Every apply appends one record (time, tags, hosts, counts, duration, exit code; never a secret)\n"
      "to $XDG_STATE_HOME/chaos/history.jsonl (default ~/.local/state/chaos/history.jsonl).");
  cmd->callback([&ctx, &exit_code, opts] { exit_code = run_log(ctx, *opts); });
}

}  // namespace chaos
