// chaos log: arguments only; the listing is log/'s.
#include "log/log.h"
#include "cli/commands.h"

namespace chaos {

void define_log_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<LogOptions>();
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
