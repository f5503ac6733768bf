// chaos check WHAT: arguments only; the listing and the lint are check/'s.
#include "check/check.h"
#include "cli/commands.h"

namespace chaos {

void define_check_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<CheckOptions>();
  std::vector<std::string> choices = {"plugins", "secrets"};
  for (const auto& g : all_groups()) choices.emplace_back(g.check_name);
  cmd->add_option("what", opts->what, "What to list")->required()->check(CLI::IsMember(choices));
  cmd->add_flag("-j,--json", opts->json, "Print JSON (for roles and the like: a sorted list of names; aliases: a map)");
  cmd->footer(R"(What:
  plugins       every installed plugin distribution, its version and what it registers;
                exits 1 if it finds problems (broken entry_points.txt, duplicate names,
                aliases pointing nowhere or in a cycle, targets that are not module:attr,
                roles, explanations or templates whose code fails to load)
  roles         chaos.roles          aliases     chaos.aliases + `aliases:` in config.yml
  explanations  chaos.explain        templates   chaos.keys
  providers     chaos.providers      boats       chaos.boats
  limanis       chaos.limanis        isles       chaos.isles
  secrets       the key paths in the decrypted secrets file (never the values)

Examples:
  chaos check roles --json
  chaos check plugins)");
  cmd->callback([&ctx, &exit_code, opts] { exit_code = run_check(ctx, *opts); });
}

}  // namespace chaos
