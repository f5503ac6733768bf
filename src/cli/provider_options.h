// cli/provider_options: -p/--provider and the direct --from-X flags, shared by apply and the
// secrets commands that run sops.
#pragma once

#include <CLI/CLI.hpp>

#include "providers/providers.h"

namespace chaos {

void add_provider_options(CLI::App* cmd, ProviderRequest& request);

}  // namespace chaos
