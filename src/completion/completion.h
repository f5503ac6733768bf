// completion/: shell completion, the engine behind the hidden `chaos __complete` command, which the scripts
// printed by `chaos completion SHELL` call. It walks the CLI11 command table itself, so new
// commands and options complete with no extra work; dynamic values (role tags, aliases,
// topics, templates) come from the cached plugin index and manifest, never from Python.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace chaos {

struct Candidate {
  std::string value;
  std::string description;
};

// Where dynamic values come from; each is called only when needed.
struct CompletionSources {
  std::function<std::vector<Candidate>()> tags;                            // role tags and aliases (apply)
  std::function<std::vector<Candidate>(std::string_view current)> topics;  // explain
  std::function<std::vector<Candidate>()> templates;                       // init chobolo
};

struct Completion {
  std::vector<Candidate> candidates;  // already filtered by the current word's prefix
  enum class Fallback { none, files, directories } fallback = Fallback::none;
};

// `words` is the command line up to the cursor: words[0] the program, the last one the word
// being completed (empty when the cursor follows a space).
Completion complete_command_line(CLI::App& root, const std::vector<std::string>& words,
                                 const CompletionSources& sources);

// What `__complete` prints for a shell: one candidate per line (`value<TAB>description` for
// zsh and fish), or `:files` / `:dirs` to let the shell complete paths.
std::string format_completion(const Completion& completion, std::string_view shell);

// The script `chaos completion SHELL` prints; empty for an unknown shell.
std::string completion_script(std::string_view shell);

}  // namespace chaos
