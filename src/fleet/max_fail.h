// fleet/max_fail: when a fleet run stops starting new work (`--max-fail N|P%`).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "util/error.h"

namespace chaos {

// More than `count` failed hosts, or more than `percent` of the hosts, stops the run: what is
// running finishes, nothing new starts. 0 hosts: the first failure stops it.
struct MaxFail {
  bool percent = false;
  double value = 0;  // hosts (a whole number) or a percentage in [0, 100)

  // The role host's `max_fail` parameter: {"hosts": N} or {"percent": P}.
  nlohmann::json param() const;
};

// "3" (hosts) or "25%" (of the hosts). A count is a whole number >= 0; a percentage is a
// number in [0, 100) (100% would never stop: say nothing instead).
Result<MaxFail> parse_max_fail(std::string_view text);

}  // namespace chaos
