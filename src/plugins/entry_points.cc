#include "plugins/entry_points.h"

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

// Length of the well-formed UTF-8 sequence at the start of `s`, or 0 when there is none.
size_t utf8_sequence_length(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                  : lead >= 0xE0 && lead <= 0xEF ? 3
                  : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                 : 0;
  if (length == 0 || s.size() < length) return 0;
  // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
  unsigned char low = 0x80, high = 0xBF;
  if (lead == 0xE0) low = 0xA0;
  if (lead == 0xED) high = 0x9F;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  while (!text.empty()) {
    size_t n = utf8_sequence_length(text);
    if (n == 0) return false;
    text.remove_prefix(n);
  }
  return true;
}

std::string escape_invalid_utf8(std::string_view text) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t n = utf8_sequence_length(text);
    if (n == 0) {
      auto c = static_cast<unsigned char>(text.front());
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xf];
      n = 1;
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

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
