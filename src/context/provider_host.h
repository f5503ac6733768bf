// context/provider_host: reaching a `chaos.providers` plugin through the role host, for the
// commands that read or store a key item (apply -s, chaos secrets).
#pragma once

#include <string>
#include <vector>

#include "context/context.h"
#include "host/role_host.h"
#include "providers/providers.h"

namespace chaos {

// The installed provider plugins' entry-point names ([] when the index cannot be read: the
// built-in providers still work).
std::vector<std::string> plugin_provider_names(Context& ctx);

// Sends the `provider` request on a running role host (apply has one already).
PluginProviderCall provider_call_on(Context& ctx, RoleHost& host);
// Starts a role host for each request (the secrets commands run none otherwise).
PluginProviderCall provider_call_with_new_host(Context& ctx);

// The keys the command line asked for (-p, --from-X), read from the provider; empty when it
// asked for none (sops then finds the user's own keys).
Result<SopsKeys> requested_provider_keys(Context& ctx, const ProviderRequest& request,
                                         const PluginProviderCall& plugin);

}  // namespace chaos
