#include "host/launch.h"

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

Result<HostLaunch> host_launch_for(Context& ctx) {
  const auto& env = ctx.python_env();
  if (!env) return env.error();
  HostLaunch launch;
  launch.interpreter = env->interpreter;
  // Plugin directories and wheels others could change were left out by Paths already.
  for (const auto& entry : plugin_search_path(ctx.paths, *env)) {
    if (entry.origin != "python") launch.sys_path_prepend.push_back(entry.path);
  }
  const BundledSdk& sdk = bundled_sdk();
  if (sdk.refused) {
    static bool warned = false;
    if (!warned) {
      ctx.print_warning(sdk.refused->message + " (" + sdk.refused->hint + ")");
      warned = true;
    }
  }
  launch.sdk_dir = sdk.dir;
  return launch;
}

}  // namespace chaos
