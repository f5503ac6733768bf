// explain/: `chaos explain`: resolving topics (built-in and from plugins) and rendering them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace chaos {

using ordered_json = nlohmann::ordered_json;

// A topic shipped with chaos. Its text is YAML compiled into the binary; each explanation has
// a base and optional `intermediate:` / `advanced:` overlays that replace keys at those
// complexities (advanced includes the intermediate overlay).
struct BuiltinTopic {
  std::string name;
  std::vector<std::string> order;                // sub-topics, in reading order
  std::map<std::string, ordered_json> sections;  // sub-topic (or the topic's own name) -> raw
  // The explanation of `sub` (the topic itself when empty) at a complexity.
  const ordered_json* section(const std::string& sub) const;
  static ordered_json at_complexity(const ordered_json& raw, std::string_view complexity);
};

// Names of the built-in topics, sorted.
const std::vector<std::string>& builtin_topic_names();
bool is_builtin_topic(std::string_view name);
// Parses the topic's YAML; an error here is a bug in chaos (the unit tests parse them all).
Result<BuiltinTopic> builtin_topic(std::string_view name);

}  // namespace chaos
