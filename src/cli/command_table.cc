#include <array>
#include <string>

#include "cli/commands.h"

namespace chaos {
namespace {

constexpr const char* kDescription =
    "chaos makes Linux machines match the state described in Ch-obolo YAML files, using roles\n"
    "from installed plugins (Python packages running pyinfra operations).";

constexpr const char* kFooter = R"(Examples:
  chaos apply my-role          apply a role from an installed plugin to this machine
  chaos apply mr --dry         see what would change, changing nothing
  chaos check roles            list the roles installed plugins provide
  chaos check plugins          list plugins and what each registers, with problems found
  chaos explain my-role        what a role does and why; `chaos explain chaos` for chaos itself
  chaos init chobolo           write ch-obolo.yml from the keys installed plugins document
  chaos init plugin my-plugin  start a new plugin that installs and applies as it is
  chaos doctor                 show the plugin environment and what is missing
  chaos -u check roles         rebuild the plugin index first (never needed after pip install)

Environment:
  CHAOS_PYTHON      interpreter of the plugin environment
  CHAOS_CONFIG_DIR  directory of config.yml (default ~/.config/chaos)
  CHAOS_CACHE_DIR   cache directory (default ~/.cache/chaos)
  CHAOS_PLUGIN_DIR  extra plugin directory (default ~/.local/share/chaos/plugins)
  CHAOS_DEV_PATH    directory of plugin wheels under development
  NO_COLOR          disable colour

Run `chaos help COMMAND` (or `chaos COMMAND --help`) for a command's options. Shell completion:
`chaos completion --help`.)";

// As ninja's tool table: one line per command. The order is the one `chaos --help` shows.
constexpr std::array kCommands = {
    CommandEntry{"apply", "Apply roles to this machine to make it match the Ch-obolo", define_apply_command},
    CommandEntry{"check", "List what installed plugins provide, and find problems in them", define_check_command},
    CommandEntry{"doctor", "Show the plugin environment chaos uses and what is missing", define_doctor_command},
    CommandEntry{"secrets", "Read and edit the sops-encrypted secrets; rotate their keys", define_secrets_command},
    CommandEntry{"edit", "Edit the Ch-obolo in $EDITOR; saved only when it is valid YAML (also chaos -e)",
                 define_edit_command},
    CommandEntry{"set", "Set the default Ch-obolo, secrets file or sops config in config.yml", define_set_command},
    CommandEntry{"log", "List recent `chaos apply` runs, newest first", define_log_command},
    CommandEntry{"explain", "Explain a role, a plugin topic or a chaos concept", define_explain_command},
    CommandEntry{"init", "Create starting files: a Ch-obolo template, a plugin", define_init_command},
    CommandEntry{"completion", "Print a shell completion script (bash, zsh or fish)", define_completion_command},
    CommandEntry{"__complete", "Completion candidates for a command line", define_complete_command, true},
};

}  // namespace

std::span<const CommandEntry> command_table() { return kCommands; }

std::unique_ptr<CLI::App> build_command_line(Context& ctx, int& exit_code) {
  auto app = std::make_unique<CLI::App>(kDescription, "chaos");
  app->footer(kFooter);
  app->set_version_flag("-V,--version", std::string("chaos ") + CHAOS_VERSION);
  app->add_flag(
      "-u,--update-plugins", ctx.options.refresh_index,
      "Rebuild the plugin index and the plugin manifest (and relearn the interpreter's import path) before running");
  app->require_subcommand(0, 1);
  app->fallthrough();
  for (const auto& command : kCommands) {
    CLI::App* cmd = app->add_subcommand(command.name, command.summary);
    if (command.hidden) cmd->group("");
    command.define(cmd, ctx, exit_code);
  }
  return app;
}

}  // namespace chaos
