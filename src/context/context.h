// context/: what a command runs with. Commands get everything through the
// Context, which loads configuration, the plugin environment and the index lazily, once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/global_config.h"
#include "config/paths.h"
#include "host/launch.h"
#include "plugins/plugin_index.h"
#include "plugins/python_env.h"
#include "term/style.h"
#include "util/error.h"

namespace chaos {

// Process exit codes (DESIGN.md decision 8).
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2, kExitInterrupted = 130 };

struct GlobalOptions {
  bool refresh_index = false;  // -u: rebuild the plugin index before running the command
};

class Context {
 public:
  Context();

  Paths paths;
  GlobalOptions options;
  Painter out;  // for stdout
  Painter err;  // for stderr
  bool stdout_is_terminal = false;
  int width = 80;

  // Each is computed on first use and kept for the rest of the run.
  const Result<GlobalConfig>& config();
  const Result<PythonEnv>& python_env();
  const Result<PluginIndex>& plugin_index();
  // How to start a role host for the plugin environment; warns once when the bundled SDK was
  // refused (others could change it).
  Result<HostLaunch> host_launch();

  // "error: ..." with where and hint, on stderr.
  void print_error(const Error& error) const;
  void print_warning(std::string_view message) const;

 private:
  std::optional<Result<GlobalConfig>> config_;
  std::optional<Result<PythonEnv>> python_env_;
  std::optional<Result<PluginIndex>> plugin_index_;
  bool sdk_refusal_said_ = false;
};

// Every directory in `paths` must be UTF-8: they are written into JSON (caches, history,
// role-host messages). The error names the variable it came from, with the bytes escaped.
Status check_paths_are_utf8(const Paths& paths);

}  // namespace chaos
