#pragma once

#include <CLI/CLI.hpp>

#include "context/context.h"

namespace chaos {

// One function per command, each in cli/<command>.cc. It adds the subcommand and its options
// to `app` and sets a callback that runs it and stores its exit code in `exit_code`.
void add_check_command(CLI::App& app, Context& ctx, int& exit_code);
void add_doctor_command(CLI::App& app, Context& ctx, int& exit_code);
void add_apply_command(CLI::App& app, Context& ctx, int& exit_code);
void add_log_command(CLI::App& app, Context& ctx, int& exit_code);
void add_explain_command(CLI::App& app, Context& ctx, int& exit_code);
void add_init_command(CLI::App& app, Context& ctx, int& exit_code);
// `completion SHELL` and the hidden `__complete`, which walks `app` itself: add it last.
void add_completion_commands(CLI::App& app, Context& ctx, int& exit_code);

}  // namespace chaos
