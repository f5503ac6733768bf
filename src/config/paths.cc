#include "config/paths.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "util/fs.h"
#include "util/text.h"

namespace chaos {
namespace {

std::string xdg_dir(const char* variable, const std::string& home, const char* fallback) {
  std::string v = env_or_empty(variable);
  // The XDG spec says relative values are invalid and must be ignored.
  if (!v.empty() && v.front() == '/') return v;
  return join_path(home, fallback);
}

}  // namespace

std::string Paths::config_file() const { return join_path(config_dir, "config.yml"); }

Paths Paths::from_environment() {
  Paths p;
  p.home = env_or_empty("HOME");
  if (p.home.empty()) {
    if (const passwd* pw = ::getpwuid(::getuid())) p.home = pw->pw_dir;
  }
  auto override_or = [](const char* variable, std::string fallback) {
    std::string v = env_or_empty(variable);
    return v.empty() ? fallback : absolute_path(v);
  };
  p.config_dir = override_or("CHAOS_CONFIG_DIR", join_path(xdg_dir("XDG_CONFIG_HOME", p.home, ".config"), "chaos"));
  p.cache_dir = override_or("CHAOS_CACHE_DIR", join_path(xdg_dir("XDG_CACHE_HOME", p.home, ".cache"), "chaos"));
  p.state_dir = join_path(xdg_dir("XDG_STATE_HOME", p.home, ".local/state"), "chaos");
  p.user_plugin_dir =
      override_or("CHAOS_PLUGIN_DIR", join_path(xdg_dir("XDG_DATA_HOME", p.home, ".local/share"), "chaos/plugins"));
  p.system_plugin_dir = "/usr/share/chaos/plugins";
  std::string dev = env_or_empty("CHAOS_DEV_PATH");
  p.dev_path = dev.empty() ? dev : absolute_path(dev);
  return p;
}

}  // namespace chaos
