#include "host/launch.h"

#include "util/fs.h"

namespace chaos {

std::string bundled_sdk_dir() {
  // Asked for by the manifest's cache key and by every host launch; it cannot change while
  // chaos runs, so the lookup (readlink of /proc/self/exe, stats) happens once.
  static const std::string found = [] {
    for (const std::string& dir :
         {join_path(parent_path(executable_directory()), "share/chaos/python"), std::string(CHAOS_SOURCE_PYTHON_DIR)}) {
      if (is_regular_file(join_path(dir, "chaos/host/__init__.py"))) return dir;
    }
    return std::string();
  }();
  return found;
}

Result<HostLaunch> host_launch_for(Context& ctx) {
  const auto& env = ctx.python_env();
  if (!env) return env.error();
  HostLaunch launch;
  launch.interpreter = env->interpreter;
  for (const auto& entry : plugin_search_path(ctx.paths, *env)) {
    if (entry.origin != "python") launch.sys_path_prepend.push_back(entry.path);
  }
  launch.sdk_dir = bundled_sdk_dir();
  return launch;
}

}  // namespace chaos
