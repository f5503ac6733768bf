#include "config/config_edit.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <vector>

#include "util/fs.h"
#include "util/position.h"
#include "util/text.h"
#include "util/yaml_edit.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

Result<YAML::Node> load(std::string_view text, const std::string& source) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error("not valid YAML: " + e.msg, format_position(source, e.mark));
  }
}

// Every top-level setting but `skip`, as text that compares equal when the data does.
std::map<std::string, std::string> settings_except(const YAML::Node& root, const std::string& skip) {
  std::map<std::string, std::string> out;
  if (!root.IsMap()) return out;
  for (const auto& pair : root) {
    std::string name = pair.first.IsScalar() ? pair.first.Scalar() : YAML::Dump(pair.first);
    if (name != skip) out[name] = YAML::Dump(pair.second);
  }
  return out;
}

// The comment that ends a one-line `key: value # note`, found by cutting the line at each " #"
// and keeping the cut after which the line still reads as the same value.
std::string trailing_comment(const std::string& line, const std::string& key, const YAML::Node& value) {
  if (!value.IsScalar()) return {};
  for (size_t at = line.find(" #"); at != std::string::npos; at = line.find(" #", at + 1)) {
    try {
      YAML::Node cut = YAML::Load(line.substr(0, at));
      if (cut.IsMap() && cut[key].IsScalar() && cut[key].Scalar() == value.Scalar()) return line.substr(at);
    } catch (const YAML::Exception&) {
    }
  }
  return {};
}

}  // namespace

Result<std::string> set_top_level_string(std::string_view text, const std::string& key, const std::string& value,
                                         const std::string& source) {
  auto root = load(text, source);
  if (!root) return root.error();
  if (!root->IsNull() && !root->IsMap()) return Error("the top level is not a mapping of settings", source);
  if (root->IsMap() && root->Style() == YAML::EmitterStyle::Flow)
    return Error("the settings are written as one {...} mapping; edit this file by hand", source);

  std::vector<std::string> lines = split_lines(text);
  std::optional<size_t> key_line, next_line;
  const YAML::Node* found = nullptr;
  YAML::Node found_value;
  if (root->IsMap()) {
    for (auto it = root->begin(); it != root->end(); ++it) {
      size_t line = static_cast<size_t>(it->first.Mark().line);
      if (key_line && !next_line) next_line = line;
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        // Found by config_edit_fuzz: with the key twice, which one to edit is a guess.
        if (key_line) return Error(key + " is set twice; remove one, then try again", source);
        key_line = line;
        found_value = it->second;
        found = &found_value;
      }
    }
  }
  // yaml-cpp counts lines its own way (a lone \r ends one too): where the lines it names are not
  // the ones seen here, the file is left to the user rather than edited at the wrong place.
  const auto at_key = [&](size_t line) { return line < lines.size() && lines[line].find(key) != std::string::npos; };
  if (key_line && (!at_key(*key_line) || next_line.value_or(lines.size()) > lines.size() ||
                   next_line.value_or(lines.size()) <= *key_line)) {
    return Error("cannot find " + key + " where YAML says it is (unusual line breaks); edit it by hand", source);
  }
  std::string entry = key + ": " + yaml_string(value);
  if (!key_line) {
    std::string out(text);
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += entry + "\n";
    lines = split_lines(out);
  } else {
    size_t end = next_line.value_or(lines.size());
    // Blank and comment lines before the next setting are that setting's, not this one's.
    while (end > *key_line + 1 && is_blank_or_comment_line(lines[end - 1])) --end;
    const std::string& first = lines[*key_line];
    std::string indent = first.substr(0, first.find_first_not_of(' '));
    std::string comment = end == *key_line + 1 ? trailing_comment(first, key, *found) : "";
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(*key_line),
                lines.begin() + static_cast<std::ptrdiff_t>(end));
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(*key_line), indent + entry + comment);
  }
  std::string out;
  for (const auto& line : lines) out += line + "\n";

  auto check = load(out, source);
  if (!check || !check->IsMap() || !(*check)[key].IsScalar() || (*check)[key].Scalar() != value ||
      settings_except(*check, key) != settings_except(*root, key)) {
    return Error("cannot set " + key + " without changing other settings (an unusual layout); edit it by hand", source);
  }
  return out;
}

Status set_config_strings(const std::string& path, const std::vector<std::pair<std::string, std::string>>& settings) {
  std::string text;
  if (stamp_of(path).exists) {
    auto read = read_regular_file(path);
    if (!read) return read.error();
    text = std::move(*read);
  }
  for (const auto& [key, value] : settings) {
    auto edited = set_top_level_string(text, key, value, path);
    if (!edited) return edited.error();
    text = std::move(*edited);
  }
  return write_file_atomic(path, text);
}

Status set_config_paths(const std::string& path, const std::vector<ConfigSetting>& settings) {
  std::string text;
  if (stamp_of(path).exists) {
    auto read = read_regular_file(path);
    if (!read) return read.error();
    text = std::move(*read);
  }
  for (const auto& [keys, value] : settings) {
    YamlPath at(keys.begin(), keys.end());
    auto edited = yaml_set_scalar(text, path, at, YamlScalar::string(value));
    if (!edited) return edited.error();
    text = std::move(edited->text);
  }
  return write_file_atomic(path, text);
}

}  // namespace chaos
