// fleet/boats: hosts found at run time by `chaos.boats` plugins (the Ch-obolo's `fleet.boats`),
// run in the role host and merged into the fleet (docs/fleet.md "Boats", docs/protocol.md).
#pragma once

#include <string>
#include <vector>

#include "fleet/inventory.h"
#include "host/role_host.h"
#include "plugins/plugin_index.h"
#include "util/error.h"

namespace chaos {

struct BoatRun {
  std::string provider;  // the fleet.boats[].provider, a chaos.boats entry-point name
  std::string plugin;    // the distribution that provides it
  int added = 0;         // hosts it added
};

// Runs every boat of `fleet.boats` in order on `host` (each sees the Ch-obolo as the previous
// one left it) and appends the hosts they add to `fleet.hosts`, marked with their boat. A boat
// may only add hosts: a name already in the fleet (from the Ch-obolo or an earlier boat) is an
// error naming both sources, as are an unknown provider (with the installed ones), a boat that
// fails, and anything malformed it returns. No boats: nothing happens.
Result<std::vector<BoatRun>> sail_boats(Fleet& fleet, const PluginIndex& index, RoleHost& host,
                                        const std::string& chobolo_path);

}  // namespace chaos
