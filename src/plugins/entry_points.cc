#include "plugins/entry_points.h"
#include "util/utf8.h"

#include <cctype>

namespace chaos {
namespace {

std::string_view strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Python's str.strip('[]').
std::string_view strip_brackets(std::string_view s) {
  while (!s.empty() && (s.front() == '[' || s.front() == ']')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '[' || s.back() == ']')) s.remove_suffix(1);
  return s;
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

// [\w.]+ with at least one word character and no empty dotted part.
bool is_dotted_identifier(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = '\0';
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_word_char(c)) {
      return false;
    }
    prev = c;
  }
  return true;
}

}  // namespace

ParsedEntryPoints parse_entry_points(std::string_view text) {
  ParsedEntryPoints result;
  std::string group;
  bool in_section = false;
  int line_number = 0;
  while (!text.empty()) {
    auto newline = text.find('\n');
    std::string_view raw = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    std::string_view line = strip(raw);
    if (line.empty() || line.front() == '#') continue;
    if (!is_valid_utf8(line)) {
      result.problems.push_back({line_number, "this line is not valid UTF-8: `" + escape_invalid_utf8(line) + "`"});
      // Entries after a section header that cannot be read belong to no group.
      if (line.front() == '[') in_section = false;
      continue;
    }
    if (line.front() == '[' && line.back() == ']') {
      group = std::string(strip_brackets(line));
      in_section = true;
      continue;
    }
    if (!in_section) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      result.problems.push_back(
          {line_number, "expected `name = value` in [" + group + "], found `" + std::string(line) + "`"});
      continue;
    }
    std::string_view name = strip(line.substr(0, eq));
    std::string_view value = strip(line.substr(eq + 1));
    if (name.empty()) {
      result.problems.push_back({line_number, "an entry point in [" + group + "] has no name"});
      continue;
    }
    result.entries.push_back({group, std::string(name), std::string(value), line_number});
  }
  return result;
}

bool is_object_reference(std::string_view value) {
  value = strip(value);
  // Optional extras: "module:attr [extra1, extra2]".
  if (!value.empty() && value.back() == ']') {
    auto open = value.rfind('[');
    if (open == std::string_view::npos) return false;
    value = strip(value.substr(0, open));
  }
  auto colon = value.find(':');
  if (colon == std::string_view::npos) return false;
  return is_dotted_identifier(strip(value.substr(0, colon))) && is_dotted_identifier(strip(value.substr(colon + 1)));
}

std::string normalize_distribution_name(std::string_view name) {
  std::string out;
  bool in_run = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) out.push_back('_');
      in_run = true;
    } else {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      in_run = false;
    }
  }
  return out;
}

}  // namespace chaos
