#include "host/launch.h"

#include "plugins/plugin_index.h"
#include "util/fs.h"
#include "util/trusted_path.h"

namespace chaos {

const BundledSdk& bundled_sdk() {
  // Asked for by the manifest's cache key and by every host launch; it cannot change while
  // chaos runs, so the lookup (readlink of /proc/self/exe, stats) happens once.
  static const BundledSdk found = [] {
    BundledSdk sdk;
    std::string here = executable_directory();
    if (here.empty()) return sdk;
    std::string dir = join_path(parent_path(here), "share/chaos/python");
    if (!is_regular_file(join_path(dir, "chaos/host/__init__.py"))) return sdk;
    // Appended to the role host's import path: code that runs as root.
    if (auto err = check_trusted_path(join_path(dir, "chaos"), "the chaos SDK directory")) {
      sdk.refused = std::move(err);
    } else {
      sdk.dir = dir;
    }
    return sdk;
  }();
  return found;
}

std::string bundled_sdk_dir() { return bundled_sdk().dir; }

HostLaunch host_launch_for(const Paths& paths, const PythonEnv& env) {
  HostLaunch launch;
  launch.interpreter = env.interpreter;
  // Plugin directories and wheels others could change were left out by Paths already.
  for (const auto& entry : plugin_search_path(paths, env)) {
    if (entry.origin != "python") launch.sys_path_prepend.push_back(entry.path);
  }
  launch.sdk_dir = bundled_sdk().dir;
  return launch;
}

}  // namespace chaos
