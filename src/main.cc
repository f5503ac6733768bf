// chaos: declarative Linux system management. This file sets the signal policy, checks argv,
// parses it with the command table (src/cli/) and turns what escapes into an exit code.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cli/argv_rewrite.h"
#include "cli/commands.h"
#include "cli/parse_errors.h"
#include "context/context.h"
#include "util/signals.h"
#include "util/utf8.h"

namespace {

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
  args = chaos::rewrite_help_command(chaos::rewrite_edit_option(chaos::rewrite_legacy_options(args)));

  int exit_code = chaos::kExitOk;
  std::unique_ptr<CLI::App> command_line = chaos::build_command_line(ctx, exit_code);
  CLI::App& app = *command_line;

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
