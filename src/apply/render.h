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

std::string format_seconds(double seconds);

}  // namespace chaos
