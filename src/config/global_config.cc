#include "config/global_config.h"

#include <yaml-cpp/yaml.h>

#include <sstream>

#include "util/fs.h"

namespace chaos {
namespace {

std::string position(const std::string& path, const YAML::Mark& mark) {
  if (mark.is_null()) return path;
  return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Result<std::optional<std::string>> optional_string(const YAML::Node& root, const char* key, const std::string& path) {
  YAML::Node node = root[key];
  if (!node || node.IsNull()) return std::optional<std::string>();
  if (!node.IsScalar()) {
    return Error(std::string("`") + key + "` must be a string", position(path, node.Mark()),
                 std::string("write it as `") + key + ": /path/to/something`");
  }
  return std::optional<std::string>(node.as<std::string>());
}

}  // namespace

std::vector<std::string> split_alias_targets(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string word;
  while (in >> word) out.push_back(word);
  return out;
}

Result<GlobalConfig> load_global_config(const std::string& path) {
  GlobalConfig config;
  if (!is_regular_file(path)) return config;
  config.path = path;
  auto text = read_file(path);
  if (!text) return text.error();
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::ParserException& e) {
    return Error("the global configuration is not valid YAML: " + e.msg, position(path, e.mark),
                 "fix the file or move it away to start from defaults");
  }
  if (!root || root.IsNull()) return config;
  if (!root.IsMap()) {
    return Error("the global configuration must be a mapping of keys to values", position(path, root.Mark()));
  }
  struct Field {
    const char* key;
    std::optional<std::string>* slot;
  } fields[] = {{"python", &config.python},
                {"chobolo_file", &config.chobolo_file},
                {"secrets_file", &config.secrets_file},
                {"sops_file", &config.sops_file}};
  for (auto& f : fields) {
    auto value = optional_string(root, f.key, path);
    if (!value) return value.error();
    *f.slot = *value;
  }
  YAML::Node aliases = root["aliases"];
  if (aliases && !aliases.IsNull()) {
    if (!aliases.IsMap()) {
      return Error("`aliases` must map an alias to a tag, a space-separated list of tags, or a list",
                   position(path, aliases.Mark()));
    }
    for (const auto& item : aliases) {
      AliasDefinition def;
      if (!item.first.IsScalar()) {
        return Error("an alias name must be a word, not a list or a mapping", position(path, item.first.Mark()));
      }
      def.name = item.first.as<std::string>();
      const YAML::Node& target = item.second;
      if (target.IsScalar()) {
        def.targets = split_alias_targets(target.as<std::string>());
      } else if (target.IsSequence()) {
        def.written_as_list = true;
        for (const auto& t : target) {
          if (!t.IsScalar()) {
            return Error("alias `" + def.name + "` lists something that is not a tag", position(path, t.Mark()));
          }
          for (auto& word : split_alias_targets(t.as<std::string>())) def.targets.push_back(word);
        }
      } else {
        return Error("alias `" + def.name + "` must be a tag, a space-separated list of tags, or a list",
                     position(path, target.Mark()));
      }
      if (def.targets.empty()) {
        return Error("alias `" + def.name + "` expands to no tag", position(path, target.Mark()));
      }
      config.aliases.push_back(std::move(def));
    }
  }
  return config;
}

}  // namespace chaos
