#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.h"

namespace chaos {

// One line of $XDG_STATE_HOME/chaos/history.jsonl per `chaos apply`: when, what, where, how it
// went. Never a secret: only tags, host names, counts, timings and the exit code.
std::string history_file(const std::string& state_dir);
Status append_history(const std::string& state_dir, const nlohmann::json& record);
// The last `limit` records, oldest first; damaged lines are skipped and counted.
std::vector<nlohmann::json> read_history(const std::string& state_dir, size_t limit, size_t& damaged);

}  // namespace chaos
