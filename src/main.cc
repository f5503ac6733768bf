// chaos: declarative Linux system management. This file only wires the command table; each
// command lives in src/cli/<command>.cc.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cli/argv_rewrite.h"
#include "cli/commands.h"
#include "context/context.h"
#include "cli/parse_errors.h"
#include "util/signals.h"
#include "util/utf8.h"

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

constexpr const char* kBugHint =
    "this is a bug, please report it with the command you ran, the output above and `chaos --version`";

// The last resort: whatever escaped every error path becomes one line and exit 1 instead of
// SIGABRT (134), so a script sees a failure and a person sees what to report.
void report_internal_error(const char* what) {
  std::string text =
      "chaos: internal error: " + chaos::escape_invalid_utf8(what ? what : "unknown") + "\n  " + kBugHint + "\n";
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

[[noreturn]] void on_terminate() {
  // Reached from a throwing destructor or noexcept function, where unwinding cannot continue.
  const char* what = "std::terminate was called";
  if (auto current = std::current_exception()) {
    try {
      std::rethrow_exception(current);
    } catch (const std::exception& e) {
      report_internal_error(e.what());
      std::_Exit(chaos::kExitFailure);
    } catch (...) {
      what = "an exception that is not a std::exception";
    }
  }
  report_internal_error(what);
  std::_Exit(chaos::kExitFailure);
}

int run(int argc, char** argv) {
  // Before anything can start a process or wait: one policy for SIGINT, SIGTERM and SIGHUP.
  chaos::install_signal_policy();
  std::vector<std::string> args(argv + 1, argv + argc);
  // Arguments end up in JSON (history, role-host messages), which holds UTF-8 only.
  for (size_t i = 0; i < args.size(); ++i) {
    if (!chaos::is_valid_utf8(args[i])) {
      std::string text = "error: argument " + std::to_string(i + 1) + " is not valid UTF-8: `" +
                         chaos::escape_invalid_utf8(args[i]) +
                         "`\n  hint: chaos takes tags, paths and options as UTF-8 text; rename the file or "
                         "retype the argument\n";
      std::fputs(text.c_str(), stderr);
      return chaos::kExitUsage;
    }
  }
  chaos::Context ctx;
  if (auto err = chaos::check_paths_are_utf8(ctx.paths)) {
    ctx.print_error(*err);
    return chaos::kExitFailure;
  }
  args = chaos::rewrite_help_command(chaos::rewrite_legacy_options(args));

  CLI::App app(kDescription, "chaos");
  app.footer(kFooter);
  app.set_version_flag("-V,--version", std::string("chaos ") + CHAOS_VERSION);
  app.add_flag(
      "-u,--update-plugins", ctx.options.refresh_index,
      "Rebuild the plugin index and the plugin manifest (and relearn the interpreter's import path) before running");
  app.require_subcommand(0, 1);
  app.fallthrough();

  int exit_code = chaos::kExitOk;
  chaos::add_apply_command(app, ctx, exit_code);
  chaos::add_check_command(app, ctx, exit_code);
  chaos::add_doctor_command(app, ctx, exit_code);
  chaos::add_log_command(app, ctx, exit_code);
  chaos::add_explain_command(app, ctx, exit_code);
  chaos::add_init_command(app, ctx, exit_code);
  chaos::add_completion_commands(app, ctx, exit_code);

  if (args.empty()) {
    std::fputs(app.help().c_str(), stderr);
    return chaos::kExitUsage;
  }
  if (auto err = chaos::check_command_word(app, args)) {
    ctx.print_error(*err);
    return chaos::kExitUsage;
  }
  try {
    std::reverse(args.begin(), args.end());  // CLI11 consumes a reversed vector
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    ctx.print_error(chaos::describe_extra_arguments(app, e));
    return chaos::kExitUsage;
  } catch (const CLI::ParseError& e) {
    std::string message = ctx.err(chaos::Tone::red, "error:") + " " + e.what() + "\n";
    message += "Run `chaos --help` (or `chaos COMMAND --help`) to see what is accepted.\n";
    std::fputs(message.c_str(), stderr);
    return chaos::kExitUsage;
  }
  if (app.get_subcommands().empty() && ctx.options.refresh_index) {
    const auto& index = ctx.plugin_index();
    if (!index) {
      ctx.print_error(index.error());
      return chaos::kExitFailure;
    }
    std::printf("Plugin index rebuilt: %zu plugin distributions, %zu entry points.\n", index->distributions.size(),
                index->registrations.size());
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  std::set_terminate(on_terminate);
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    report_internal_error(e.what());
  } catch (...) {
    report_internal_error("an exception that is not a std::exception");
  }
  return chaos::kExitFailure;
}
