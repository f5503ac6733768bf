// apply/host_split: a big fleet split across several role hosts. pyinfra works a fleet on one
// thread of one process (gevent), so one role host uses one core however many hosts it drives;
// each part of the inventory gets a role host of its own and the run merges their replies into
// the one a single host would have sent (docs/fleet.md "Many cores").
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace chaos {

// Below this many hosts per role host a split costs more (another Python start, plugins and
// pyinfra imported again) than it gains: measured in docs/performance.md ("Fleet").
constexpr size_t kHostsPerRoleHost = 20;

// How many role hosts a run with `hosts` hosts uses: `requested` when it is 1 or more (never
// more than the hosts), else (0: automatic) one per kHostsPerRoleHost hosts, at most one per
// core. `why_single` says why a split is ruled out (a prompt, --serial, --max-fail), or is empty.
size_t role_hosts_for(size_t hosts, int requested, unsigned cores, const std::string& why_single);

// The inventory (apply.prepare's `hosts` array) in `parts` contiguous slices whose sizes differ
// by at most one, fleet order kept.
std::vector<nlohmann::json> split_inventory(const nlohmann::json& hosts, size_t parts);

// One reply from the replies of several role hosts to the same request: arrays are joined in
// part order (`roles` is taken from the first: every part loads the same roles), mappings are
// joined, `success` holds when it holds for every part, other flags when they hold for any,
// and the first non-null value is kept for anything else (`error`).
nlohmann::json merge_replies(const std::vector<nlohmann::json>& replies);

}  // namespace chaos
