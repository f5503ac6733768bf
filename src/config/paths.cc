#include "config/paths.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "util/fs.h"
#include "util/text.h"
#include "util/trusted_path.h"

namespace chaos {
namespace {

std::string xdg_dir(const char* variable, const std::string& home, const char* fallback) {
  std::string v = env_or_empty(variable);
  // The XDG spec says relative values are invalid and must be ignored.
  if (!v.empty() && v.front() == '/') return v;
  return join_path(home, fallback);
}

std::vector<std::string>& private_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

void remove_private_dirs() {
  for (const auto& dir : private_dirs()) remove_tree(dir);
}

// Stands in for a cache or state directory chaos must not use: new, mode 0700, ours alone.
std::string private_dir(const char* what) {
  std::string pattern = std::string("/tmp/chaos-") + what + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    // Nothing can be created below a file: every read misses and every write fails, which a
    // cache and the history survive.
    return "/dev/null/chaos-" + std::string(what);
  }
  if (private_dirs().empty()) std::atexit(remove_private_dirs);
  private_dirs().push_back(pattern);
  return pattern;
}

// A directory chaos writes caches or state into and reads them back from: forged content there
// (an import path, a plugin index) would decide what runs as root.
void check_own_dir(Paths& p, std::string& dir, const char* what, const char* loss) {
  auto err = check_trusted_path(dir, std::string("the ") + what + " directory");
  if (!err) return;
  p.warnings.push_back(err->message + "; " + loss + " (fix: " + err->hint + ")");
  dir = private_dir(what);
}

void check_import_dir(Paths& p, const std::string& dir, const char* what) {
  if (dir.empty() || !is_directory(dir)) return;
  if (auto err = check_trusted_path(dir, what)) {
    p.refused.push_back(dir);
    p.warnings.push_back(err->message + "; its plugins are not loaded (fix: " + err->hint + ")");
    return;
  }
  for (const auto& name : list_directory(dir)) {
    if (name.size() <= 4 || name.compare(name.size() - 4, 4, ".whl") != 0) continue;
    std::string wheel = join_path(dir, name);
    if (auto err = check_trusted_path(wheel, "the wheel")) {
      p.refused.push_back(wheel);
      p.warnings.push_back(err->message + "; it is not loaded (fix: " + err->hint + ")");
    }
  }
}

}  // namespace

std::string Paths::config_file() const { return join_path(config_dir, "config.yml"); }

bool Paths::refuses(const std::string& path) const {
  return std::find(refused.begin(), refused.end(), path) != refused.end();
}

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
  p.system_plugin_dir = CHAOS_SYSTEM_PLUGIN_DIR;
  std::string dev = env_or_empty("CHAOS_DEV_PATH");
  p.dev_path = dev.empty() ? dev : absolute_path(dev);

  check_own_dir(p, p.cache_dir, "cache", "caches are kept for this run only");
  check_own_dir(p, p.state_dir, "state", "this run is not recorded in the logbook");
  // After the state check: a refused state directory takes its default logbook with it.
  p.logbook_dir = override_or("CHAOS_LOGBOOK_DIR", join_path(p.state_dir, "logbook"));
  check_own_dir(p, p.logbook_dir, "logbook", "this run is not recorded in the logbook");
  check_import_dir(p, p.dev_path, "CHAOS_DEV_PATH");
  check_import_dir(p, p.user_plugin_dir, "the plugin directory");
  check_import_dir(p, p.system_plugin_dir, "the system plugin directory");
  return p;
}

}  // namespace chaos
