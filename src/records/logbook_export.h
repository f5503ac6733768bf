// The logbook's JSON export in the original tool's "v1" format (`chaos apply -x`, `chaos log
// export RUN` write it as chaos_logbook.json), so viewers written for the original's file keep
// working on chaos's. The format and every type decided here: docs/chaos-logbook.schema.json.
#pragma once

#include <nlohmann/json.hpp>

namespace chaos {

// Converts one run as the logbook store returns it (Logbook::run_data: {run, hosts, snapshots,
// fact_logs}) into the v1 document. Pure: reads nothing but its argument. The argument is
// treated as untrusted: missing or wrong-typed fields get the v1 default of their type, never an
// exception, and the result holds no non-finite number and only valid UTF-8, so dump() always
// succeeds and its output always parses. Everything chaos knows beyond v1 is under the one key
// "chaos", which v1 readers ignore.
nlohmann::json logbook_export_v1(const nlohmann::json& run_data);

}  // namespace chaos
