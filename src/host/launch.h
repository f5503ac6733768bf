#pragma once

#include "config/paths.h"
#include "host/role_host.h"
#include "plugins/python_env.h"

namespace chaos {

// The chaos SDK (and the role host) of a system install: <prefix>/share/chaos/python beside
// <prefix>/bin/chaos, for plugin environments without the `chaos` package. A wheel install
// has the package in the environment itself and no such directory. Never a build tree: the
// binary holds no path of the checkout it was built from.
struct BundledSdk {
  std::string dir;  // empty when there is none, or it was refused
  Status refused;   // the directory exists but others could change it (check_trusted_path)
};
const BundledSdk& bundled_sdk();
std::string bundled_sdk_dir();

// Everything needed to start a role host for a plugin environment: its interpreter, the plugin
// directories and wheels in the same order discovery scanned them, and the bundled SDK (when
// bundled_sdk() refused it, the caller says so: see Context::host_launch).
HostLaunch host_launch_for(const Paths& paths, const PythonEnv& env);

}  // namespace chaos
