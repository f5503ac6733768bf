// chaos log [show|export]: arguments only; the logbook is read by log/.
#include "log/log.h"
#include "cli/commands.h"

namespace chaos {
namespace {

// A custom check: CLI11's PositiveNumber lets 0 through, and "how many" must be at least one.
const CLI::Validator& at_least_one() {
  static const CLI::Validator check(
      [](std::string& value) -> std::string {
        bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
        if (digits && value.find_first_not_of('0') != std::string::npos && value.size() <= 9) return "";
        return "`" + value + "` is not a number of runs: give 1 or more, e.g. `chaos log -n 5`";
      },
      "N>=1");
  return check;
}

void add_filters(CLI::App* cmd, LogOptions& opts, const char* what) {
  cmd->add_option("--role", opts.role, std::string(what) + " of this role (tag)")->type_name("TAG");
  cmd->add_option("--host", opts.host, std::string(what) + " on this host (inventory name, @local for this machine)")
      ->type_name("HOST");
  cmd->add_flag("--failed", opts.failed, std::string(what) + " that failed");
  cmd->add_flag("-j,--json", opts.json, "Print JSON instead of text");
}

}  // namespace

void define_log_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<LogOptions>();
  cmd->add_option("-n,--limit", opts->limit, "How many runs to list (1 or more)")
      ->default_val(20)
      ->check(at_least_one());
  add_filters(cmd, *opts, "Only runs");
  cmd->footer(R"(Every `chaos apply` is recorded in the logbook, an SQLite database: its hosts, deltas,
operations (status, duration, diff, failed commands with their stderr) and whether its changes
were intentional or corrective (docs/records.md). Never a secret: decrypted values and the sudo
password are replaced before anything is stored.
Where: $CHAOS_LOGBOOK_DIR/chrima.db (default ~/.local/state/chaos/logbook/chrima.db).
How many runs are kept: `logbook_keep` in config.yml (default 1000).

Examples:
  chaos log                       the 20 newest runs, newest first
  chaos log --failed --host web1  runs on web1 that did not succeed
  chaos log show                  the newest run in detail (`show 42`, `show chaos-2026/12/05-20:41:03`)
  chaos log show 42 --failed      only the operations that failed
  chaos log export 42             ./chaos_logbook.json in the original Ch-aOS v1 format)");
  cmd->callback([&ctx, &exit_code, opts, cmd] {
    if (cmd->get_subcommands().empty()) exit_code = run_log(ctx, *opts);
  });

  auto show = std::make_shared<LogOptions>();
  CLI::App* s = cmd->add_subcommand("show", "One run in detail: per host its deltas, operations, diffs and failures");
  s->add_option("run", show->run, "Run number, run id, or `last` (default)")->type_name("RUN");
  add_filters(s, *show, "Only operations and deltas");
  s->callback([&ctx, &exit_code, show] { exit_code = run_log_show(ctx, *show); });

  auto out = std::make_shared<LogOptions>();
  CLI::App* e = cmd->add_subcommand("export", "Write one run as chaos_logbook.json (the original's v1 format)");
  e->add_option("run", out->run, "Run number, run id, or `last` (default)")->type_name("RUN");
  e->add_option("-o,--output", out->output, "Where to write it (default ./chaos_logbook.json; - for stdout)")
      ->type_name("PATH");
  e->footer(
      "The file follows docs/chaos-logbook.schema.json: the fields and types of the original tool's\n"
      "`apply -x` report, so viewers written for it read it; chaos's own fields are under `chaos`.");
  e->callback([&ctx, &exit_code, out] { exit_code = run_log_export(ctx, *out); });
}

}  // namespace chaos
