// Usage errors a person can act on: the word chaos did not understand, what was meant, and where
// to look, instead of CLI11's "The following arguments were not expected: …".
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "util/error.h"

namespace chaos {

// Checks the command words of `args` (not reversed) against the command table before parsing:
// `chaos aply` is "unknown command `aply`, did you mean `apply`?", and the same for a
// subcommand of a command that only has subcommands (`chaos init chobol`).
Status check_command_word(CLI::App& app, const std::vector<std::string>& args);

// What CLI11 left over after parsing, as one error naming the first unexpected word and the
// command it was given to, with the closest option of that command.
Error describe_extra_arguments(CLI::App& app, const CLI::ExtrasError& error);

}  // namespace chaos
