// chaos explain: arguments only; topics are resolved and rendered by explain/.
#include "cli/commands.h"
#include "explain/builtin_topics.h"
#include "explain/run.h"
#include "util/text.h"

namespace chaos {

void define_explain_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<ExplainOptions>();
  const std::vector<std::string> levels = {"basic", "intermediate", "advanced"};
  cmd->add_option("topics", opts->topics,
                  "TOPIC, TOPIC.SUBTOPIC or TOPIC.list; several may be given (none: list the topics)");
  cmd->add_option("-d,--details", opts->details, "Which parts to show (default: basic)")->check(CLI::IsMember(levels));
  cmd->add_option("-c,--complexity", opts->complexity, "Complexity asked of the explanation (default: basic)")
      ->check(CLI::IsMember(levels));
  cmd->add_flag("-n,--no-pretty", opts->no_pretty, "Print the explanation as YAML, unfiltered");
  cmd->add_flag("-j,--json", opts->json, "Print JSON instead (implies -n)");
  const std::string builtins = join(builtin_topic_names());
  cmd->footer(R"(Topics:
  built in      )" +
              builtins + R"(
  from plugins  one per `chaos.explain` entry point: `chaos check explanations`

Examples:
  chaos explain                         the topics there are
  chaos explain my-role                 what a role is, does, and why
  chaos explain my-role.list            its sub-topics
  chaos explain my-role.usage -d advanced
  chaos explain apply fleet.hosts       several topics at once
  chaos explain my-role.usage -n -j     the raw explanation as JSON

-d filters what is shown: basic = concept, what, why, how, examples, security;
intermediate adds commands and equivalent scripts; advanced shows everything (technical,
validation, files, learn_more). -c is passed to the explanation method, which may write a
simpler or a more thorough text. In `topic.sub`, a hyphen stands for an underscore in the
method name (`demo.layout-rules` reads explain_layout_rules). On a terminal, long output goes
through $PAGER (default `less -RFX`).

Exit status: 0 when every topic was shown, 1 when one could not be (each is reported).)");
  cmd->callback([&ctx, &exit_code, opts] { exit_code = run_explain(ctx, *opts); });
}

}  // namespace chaos
