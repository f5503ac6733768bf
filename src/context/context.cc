#include "context/context.h"

#include <unistd.h>

#include <cstdio>

#include "term/escape.h"
#include "util/utf8.h"

namespace chaos {

Context::Context()
    : paths(Paths::from_environment()),
      out(colour_enabled_for(STDOUT_FILENO)),
      err(colour_enabled_for(STDERR_FILENO)),
      stdout_is_terminal(stream_is_terminal(STDOUT_FILENO)),
      width(terminal_width(STDOUT_FILENO)) {
  // Directories chaos refused to use (config/paths.h): said before anything else happens.
  for (const auto& w : paths.warnings) print_warning(w);
}

const Result<GlobalConfig>& Context::config() {
  if (!config_) config_.emplace(load_global_config(paths.config_file()));
  return *config_;
}

const Result<PythonEnv>& Context::python_env() {
  if (!python_env_) {
    const auto& cfg = config();
    if (!cfg) {
      python_env_.emplace(cfg.error());
    } else {
      python_env_.emplace(resolve_python_env(paths, *cfg, options.refresh_index));
    }
  }
  return *python_env_;
}

const Result<PluginIndex>& Context::plugin_index() {
  if (!plugin_index_) {
    const auto& env = python_env();
    if (!env) {
      plugin_index_.emplace(env.error());
    } else {
      std::string warning;
      plugin_index_.emplace(load_plugin_index(paths, *env, options.refresh_index, warning));
      if (!warning.empty()) print_warning(warning);
    }
  }
  return *plugin_index_;
}

Result<HostLaunch> Context::host_launch() {
  const auto& env = python_env();
  if (!env) return env.error();
  const BundledSdk& sdk = bundled_sdk();
  if (sdk.refused && !sdk_refusal_said_) {
    print_warning(sdk.refused->message + " (" + sdk.refused->hint + ")");
    sdk_refusal_said_ = true;
  }
  return host_launch_for(paths, *env);
}

Status check_paths_are_utf8(const Paths& paths) {
  const std::pair<const std::string*, const char*> checked[] = {
      {&paths.home, "HOME"},
      {&paths.config_dir, "CHAOS_CONFIG_DIR (or XDG_CONFIG_HOME, HOME)"},
      {&paths.cache_dir, "CHAOS_CACHE_DIR (or XDG_CACHE_HOME, HOME)"},
      {&paths.state_dir, "XDG_STATE_HOME (or HOME)"},
      {&paths.user_plugin_dir, "CHAOS_PLUGIN_DIR (or XDG_DATA_HOME, HOME)"},
      {&paths.dev_path, "CHAOS_DEV_PATH"},
  };
  for (const auto& [value, source] : checked) {
    if (is_valid_utf8(*value)) continue;
    return Error("a directory chaos uses is not valid UTF-8: `" + escape_invalid_utf8(*value) + "`",
                 std::string("from $") + source,
                 "chaos records paths as UTF-8 text; point the variable at a directory whose name is UTF-8 (a "
                 "relative value is resolved against the current directory)");
  }
  return std::nullopt;
}

// Messages quote plugins, files and the role host's stderr: escaped so they cannot rewrite the
// terminal; the lines of a multi-line message stay lines.
void Context::print_error(const Error& error) const {
  std::string text = err(Tone::red, "error:") + " " + visible_lines(error.message) + "\n";
  if (!error.where.empty()) text += "  " + err(Tone::dim, "-->") + " " + visible(error.where) + "\n";
  if (!error.hint.empty()) text += "  " + err(Tone::cyan, "hint:") + " " + visible_lines(error.hint) + "\n";
  std::fputs(text.c_str(), stderr);
}

void Context::print_warning(std::string_view message) const {
  std::string text = err(Tone::yellow, "warning:") + " " + visible_lines(message) + "\n";
  std::fputs(text.c_str(), stderr);
}

}  // namespace chaos
