#pragma once

#include "context/context.h"
#include "plugins/manifest.h"

namespace chaos {

// The plugin manifest for this context's plugin environment. A role host is started only when
// some plugin's cached part is missing or out of date (and never with `cached_only`, which
// completion uses: it takes whatever is cached). `chaos -u` re-reads every plugin.
// `request` says what is needed (cached_only, only_named with topics/templates); the cache
// location, environment and refresh come from the context.
Result<Manifest> load_plugin_manifest(Context& ctx, ManifestOptions request = {});

}  // namespace chaos
