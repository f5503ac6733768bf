// YAML as text: written in block style for people to read (the Ch-obolo template, explain's
// YAML output) and parsed into JSON data (the built-in explain topics, templates' sources).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/error.h"

namespace YAML {
class Node;
}

namespace chaos {

using ordered_json = nlohmann::ordered_json;

// Block-style YAML for JSON data, keeping key order: multi-line strings become literal blocks,
// and a string is quoted whenever a YAML reader could take it for anything but that string
// (true, 1.0, null, 2024-01-01, "a: b", ...). Reading the text back gives the same data.
std::string to_yaml(const ordered_json& value);

// One mapping entry, `key: value`, indented by `indent` spaces (ends with a newline).
std::string yaml_entry(const std::string& key, const ordered_json& value, int indent = 0);

// A string as a YAML scalar on one line: plain when that reads back as the same string,
// double-quoted otherwise.
std::string yaml_string(std::string_view text);

// A line that holds no YAML data: blank, or only a comment.
bool is_blank_or_comment_line(std::string_view line);

// Parses YAML into JSON data with the YAML 1.2 core schema (plain true/false/null/numbers are
// typed, quoted scalars are strings). Errors name `source` with line:column.
Result<ordered_json> parse_yaml(std::string_view text, const std::string& source);
// The same conversion for a node of a document already loaded (whose marks a caller uses).
ordered_json json_of_yaml_node(const YAML::Node& node);

}  // namespace chaos
