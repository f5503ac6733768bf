#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.h"

namespace chaos {

// One line of $XDG_STATE_HOME/chaos/history.jsonl per `chaos apply`: when, what, where, how it
// went. Never a secret: only tags, host names, counts, timings and the exit code.
std::string history_file(const std::string& state_dir);

// Appends `record` as one line with a single write(2) under an exclusive lock: a full disk
// leaves no partial line (a short write is cut off again), and a file whose last line was torn
// by a crash gets the record on a fresh line, so the torn one never swallows it.
Status append_history(const std::string& state_dir, const nlohmann::json& record);

struct HistoryRead {
  std::vector<nlohmann::json> records;  // the newest `limit`, oldest first
  size_t damaged = 0;                   // lines read on the way that are not a well-formed record
  bool torn_tail = false;               // the file does not end in a newline: its last line was cut off
  std::string error;                    // the file exists but cannot be read (then records is empty)
};

// Reads backwards from the end in blocks, stopping once `limit` records are found: the cost
// depends on `limit`, not on the size of the history. A record whose known fields have the
// wrong type ({"exit_code": "0"}) counts as damaged, so callers can read fields without checks.
HistoryRead read_history(const std::string& state_dir, size_t limit);
// The same, for callers that only need the records and a count of the skipped lines (the torn
// last line included).
std::vector<nlohmann::json> read_history(const std::string& state_dir, size_t limit, size_t& damaged);

// Whether every field chaos reads from a record has the type it writes.
bool well_formed_history_record(const nlohmann::json& record);

}  // namespace chaos
