#pragma once

#include "cli/context.h"
#include "host/role_host.h"

namespace chaos {

// Where the chaos SDK (and the role host) can be found when the plugin environment has no
// `chaos` package: beside an installed binary (share/chaos/python), else the source tree of
// a development build. Empty when neither exists.
std::string bundled_sdk_dir();

// Everything needed to start a role host for this context's plugin environment: its
// interpreter, the plugin directories and wheels in the same order discovery scanned them.
Result<HostLaunch> host_launch_for(Context& ctx);

}  // namespace chaos
