#include "util/yaml_text.h"
#include "util/position.h"
#include "util/text.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <regex>

namespace chaos {
namespace {

std::string pad(int n) { return std::string(static_cast<size_t>(n), ' '); }

bool has_control_characters(std::string_view s, bool allow_newline) {
  return std::any_of(s.begin(), s.end(), [&](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\n') return !allow_newline;
    return c == 0x7f || (c < 0x20 && c != '\t');
  });
}

// Hand-written rather than YAML::Emitter: the emitter leaves `yes` and `12:30` plain (PyYAML
// reads a bool and a number) and adds a blank line after a literal block ending in a newline.

// True when `s` written without quotes reads back as the same string in YAML 1.1 and 1.2
// readers alike (OmegaConf uses PyYAML, a 1.1 reader, where `yes` and `12:30` are not strings).
bool plain_is_safe(std::string_view s) {
  if (s.empty() || has_control_characters(s, false) || s.find('\t') != std::string_view::npos) return false;
  static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`<= ";
  if (kIndicators.find(s.front()) != std::string_view::npos) return false;
  if (s.back() == ' ' || s.back() == ':') return false;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return false;
  static const char* kReserved[] = {"null", "~", "true", "false", "yes",   "no",    "on",
                                    "off",  "y", "n",    ".inf",  "-.inf", "+.inf", ".nan"};
  std::string l = lower(s);
  for (const char* word : kReserved) {
    if (l == word) return false;
  }
  // Anything that starts like a number (ints, floats, octal, hex, sexagesimal, dates) is quoted.
  unsigned char first = static_cast<unsigned char>(s.front());
  if (std::isdigit(first)) return false;
  if ((first == '+' || first == '.') && s.size() > 1 &&
      (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.')) {
    return false;
  }
  return true;
}

std::string quoted(std::string_view s) {
  return ordered_json(std::string(s)).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// A multi-line string as a literal block (`|`, `|-`, `|+`), when one represents it exactly.
bool literal_block(std::string_view s, int indent, std::string& out) {
  if (s.find('\n') == std::string_view::npos || has_control_characters(s, true)) return false;
  size_t end = s.find_last_not_of('\n');
  if (end == std::string_view::npos) return false;  // only newlines
  std::string_view body = s.substr(0, end + 1);
  size_t trailing = s.size() - body.size();
  size_t first_text = body.find_first_not_of('\n');
  // The first non-empty line fixes the block's indentation, so it must not start with blanks.
  if (body[first_text] == ' ' || body[first_text] == '\t') return false;
  out += trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
  out += '\n';
  size_t start = 0;
  while (start <= body.size()) {
    size_t nl = body.find('\n', start);
    std::string_view line = body.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty()) out += pad(indent) + std::string(line);
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  for (size_t i = 1; i < trailing; ++i) out += '\n';
  return true;
}

std::string scalar(const ordered_json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return yaml_string(v.get_ref<const std::string&>());
  return v.dump();
}

void emit_mapping(const ordered_json& obj, int indent, std::string& out);
void emit_sequence(const ordered_json& arr, int indent, std::string& out);

// What follows `key:` or `-`: a space and a scalar, a block scalar, or a nested collection.
// Nested collections go on the next lines at `indent`, except that a collection inside a
// sequence entry starts on the dash's line (`- a: 1`).
void emit_node(const ordered_json& v, int indent, bool inline_collection, std::string& out) {
  if (v.is_object() && !v.empty()) {
    std::string nested;
    emit_mapping(v, indent, nested);
    out += inline_collection ? " " + nested.substr(static_cast<size_t>(indent)) : "\n" + nested;
    return;
  }
  if (v.is_array() && !v.empty()) {
    std::string nested;
    emit_sequence(v, indent, nested);
    out += inline_collection ? " " + nested.substr(static_cast<size_t>(indent)) : "\n" + nested;
    return;
  }
  if (v.is_object()) {
    out += " {}\n";
    return;
  }
  if (v.is_array()) {
    out += " []\n";
    return;
  }
  out += ' ';
  if (v.is_string() && literal_block(v.get_ref<const std::string&>(), indent, out)) return;
  out += scalar(v) + "\n";
}

void emit_mapping(const ordered_json& obj, int indent, std::string& out) {
  for (const auto& [key, value] : obj.items()) {
    out += pad(indent) + yaml_string(key) + ":";
    emit_node(value, indent + 2, false, out);
  }
}

void emit_sequence(const ordered_json& arr, int indent, std::string& out) {
  for (const auto& item : arr) {
    out += pad(indent) + "-";
    emit_node(item, indent + 2, true, out);
  }
}

// --- reading ---

ordered_json typed_plain_scalar(const std::string& s) {
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::regex_match(s, kInt)) {
    try {
      return std::stoll(s);
    } catch (const std::out_of_range&) {
      return s;
    }
  }
  if (std::regex_match(s, kFloat)) {
    // JSON has no infinity: a float too large for a double (7e777) stays the text it was.
    try {
      return std::stod(s);
    } catch (const std::out_of_range&) {
      return s;
    }
  }
  return s;
}

ordered_json from_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      ordered_json obj = ordered_json::object();
      for (const auto& kv : node) obj[kv.first.Scalar()] = from_node(kv.second);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      ordered_json arr = ordered_json::array();
      for (const auto& item : node) arr.push_back(from_node(item));
      return arr;
    }
    case YAML::NodeType::Scalar:
      // "!" marks a quoted or block scalar: always a string.
      return node.Tag() == "!" ? ordered_json(node.Scalar()) : typed_plain_scalar(node.Scalar());
    default:
      return nullptr;
  }
}

}  // namespace

ordered_json json_of_yaml_node(const YAML::Node& node) { return from_node(node); }

std::string yaml_string(std::string_view text) { return plain_is_safe(text) ? std::string(text) : quoted(text); }

std::string to_yaml(const ordered_json& value) {
  std::string out;
  if (value.is_object() && !value.empty()) {
    emit_mapping(value, 0, out);
  } else if (value.is_array() && !value.empty()) {
    emit_sequence(value, 0, out);
  } else {
    emit_node(value, 2, false, out);
    out.erase(0, 1);  // no leading space for a top-level scalar
  }
  return out;
}

std::string yaml_entry(const std::string& key, const ordered_json& value, int indent) {
  std::string out = pad(indent) + yaml_string(key) + ":";
  emit_node(value, indent + 2, false, out);
  return out;
}

bool is_blank_or_comment_line(std::string_view line) {
  size_t first = line.find_first_not_of(" \t\r");
  return first == std::string_view::npos || line[first] == '#';
}

Result<ordered_json> parse_yaml(std::string_view text, const std::string& source) {
  try {
    return from_node(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    return Error("invalid YAML: " + e.msg, format_position(source, e.mark));
  }
}

}  // namespace chaos
