// cli/: the command line. The flat command table (command_table.cc) names every command; each
// command's file defines its arguments and calls into the command's own folder.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <span>

#include "context/context.h"

namespace chaos {

// Defines a command's options on the subcommand the table created for it, and a callback that
// runs it and stores its exit code in `exit_code`.
using DefineCommand = void (*)(CLI::App* cmd, Context& ctx, int& exit_code);

struct CommandEntry {
  const char* name;
  const char* summary;  // the line `chaos --help` shows
  DefineCommand define;
  bool hidden = false;  // called by scripts (the completion scripts' __complete), not people
};

// Every command, in the order `chaos --help` lists them.
std::span<const CommandEntry> command_table();

// The whole command line: global options, help and version, and every command of the table.
// main() and the tests (completion walks this very table) build it with this one function.
std::unique_ptr<CLI::App> build_command_line(Context& ctx, int& exit_code);

void define_apply_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_check_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_doctor_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_secrets_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_edit_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_set_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_log_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_explain_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_init_command(CLI::App* cmd, Context& ctx, int& exit_code);
void define_completion_command(CLI::App* cmd, Context& ctx, int& exit_code);
// The hidden `__complete`, which walks the root of the table it is in.
void define_complete_command(CLI::App* cmd, Context& ctx, int& exit_code);

}  // namespace chaos
