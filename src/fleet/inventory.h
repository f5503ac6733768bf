// fleet/: the machines `chaos apply --fleet` works on, read from the Ch-obolo's `fleet:` block
// (docs/fleet.md), and which of them a run targets (--limit, --exclude).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace chaos {

struct FleetHost {
  std::string name;                 // the inventory name: an address, or @connector/target
  nlohmann::ordered_json data;      // pyinfra connector data (ssh_user, ssh_port, ...)
  std::vector<std::string> groups;  // for --limit @group
  std::string where;                // file:line:column of its entry (or the boat that added it), for messages
  std::string boat;                 // the provider of the boat that added it; empty: from the Ch-obolo
};

struct Fleet {
  bool present = false;  // the Ch-obolo has a `fleet:` block
  std::vector<FleetHost> hosts;
  int parallelism = 0;  // 0: pyinfra's default
  nlohmann::ordered_json boats = nlohmann::ordered_json::array();
  std::vector<std::string> boats_where;  // file:line:column of each fleet.boats entry
  nlohmann::ordered_json restrictions;   // fleet.restrictions, else the top level's (the original read it there)
  std::string source;                    // the Ch-obolo's path
};

// Why `name` cannot be a fleet host (empty, not UTF-8, a space or control character, a leading
// `-`, `@` with no connector), or nullopt when it can. The same rule for Ch-obolo and boat hosts.
std::optional<std::string> host_name_problem(const std::string& name);

// Reads `fleet:` from the Ch-obolo text. `hosts` may be a mapping (name: data) or a list of
// `- name: data` / `- name` entries; `groups:` a mapping group: [hosts], and a host's data may
// name its own `groups: [...]`. Malformed entries are errors at their line and column, never
// skipped: a host silently left out is a host that silently stays unmanaged.
Result<Fleet> read_fleet(std::string_view chobolo_text, const std::string& source);

// The hosts a run targets: every host when `limit` is empty, else those matching a pattern
// (a glob on the name, `@group`), minus those matching an `exclude` pattern. A pattern that
// matches nothing is an error naming it (a typo must not quietly target nothing).
Result<std::vector<FleetHost>> select_hosts(const Fleet& fleet, const std::vector<std::string>& limit,
                                            const std::vector<std::string>& exclude);

}  // namespace chaos
