#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "term/style.h"

namespace chaos {

// What a role would change on a host: `+ item` / `- item` per key. A string value is one
// item, shown whole; lists give one line per element; mappings one `key: value` line each.
std::string render_delta(const nlohmann::json& delta, const Painter& paint);

// A role or host error from the role host: the message, where (plugin, entry point, role,
// host, phase) and the tail of the Python traceback.
std::string render_host_error(const nlohmann::json& error, const Painter& paint, size_t traceback_lines = 12);

// One finished operation: status mark, name, duration; failures add command, exit code and
// the tail of stderr.
std::string render_operation(const nlohmann::json& op, const Painter& paint);

// An operation the dry run would execute, with the diff pyinfra predicted.
std::string render_planned_operation(const nlohmann::json& op, const Painter& paint);

// A role left out because it needs secrets that were not supplied: `- ROLE on HOST skipped:
// it needs secrets (k1, k2) and none were supplied`.
std::string render_skipped_role(const nlohmann::json& skipped, const Painter& paint);

// What a failure before execution means on one host: which roles failed (none of their
// operations run) and which roles were not run because of them (without --keep-going).
std::string render_role_failures(const std::string& host, const nlohmann::json& failed, const nlohmann::json& not_run,
                                 bool keep_going, bool dry, const Painter& paint);

// "a, b, c" from a JSON array of strings (other items are skipped).
std::string join_names(const nlohmann::json& names);

std::string format_seconds(double seconds);

}  // namespace chaos
