#include "config/config_edit.h"

#include <functional>

#include "util/fs.h"
#include "util/yaml_edit.h"

namespace chaos {

Result<std::string> set_top_level_string(std::string_view text, const std::string& key, const std::string& value,
                                         const std::string& source) {
  auto edited = yaml_set_scalar(text, source, YamlPath{key}, YamlScalar::string(value));
  if (!edited) return edited.error();
  return std::move(edited->text);
}

namespace {

// Reads the file at `path` (a missing one is empty), edits its text, writes it back atomically.
Status edit_config_file(const std::string& path, const std::function<Result<std::string>(std::string)>& edit) {
  std::string text;
  if (stamp_of(path).exists) {
    auto read = read_regular_file(path);
    if (!read) return read.error();
    text = std::move(*read);
  }
  auto edited = edit(std::move(text));
  if (!edited) return edited.error();
  return write_file_atomic(path, *edited);
}

}  // namespace

Status set_config_strings(const std::string& path, const std::vector<std::pair<std::string, std::string>>& settings) {
  std::vector<ConfigSetting> nested;
  for (const auto& [key, value] : settings) nested.push_back({{key}, value});
  return set_config_paths(path, nested);
}

Status set_config_paths(const std::string& path, const std::vector<ConfigSetting>& settings) {
  return edit_config_file(path, [&](std::string text) -> Result<std::string> {
    for (const auto& [keys, value] : settings) {
      auto edited = yaml_set_scalar(text, path, YamlPath(keys.begin(), keys.end()), YamlScalar::string(value));
      if (!edited) return edited.error();
      text = std::move(edited->text);
    }
    return text;
  });
}

}  // namespace chaos
