#include "config/global_config.h"

#include <yaml-cpp/yaml.h>

#include <sstream>

#include "util/fs.h"
#include "util/position.h"
#include "util/utf8.h"

namespace chaos {
namespace {

Result<std::optional<std::string>> optional_string(const YAML::Node& root, const char* key, const std::string& path) {
  YAML::Node node = root[key];
  if (!node || node.IsNull()) return std::optional<std::string>();
  if (!node.IsScalar()) {
    return Error(std::string("`") + key + "` must be a string", format_position(path, node.Mark()),
                 std::string("write it as `") + key + ": /path/to/something`");
  }
  std::string value = node.Scalar();
  if (!is_valid_utf8(value)) {
    return Error(std::string("`") + key + "` is not valid UTF-8: `" + escape_invalid_utf8(value) + "`",
                 format_position(path, node.Mark()),
                 "chaos keeps paths as UTF-8 text; rename the file or fix the value");
  }
  return std::optional<std::string>(std::move(value));
}

// A scalar's text for an alias name or target; anything else (a list or map written as a key,
// bytes that are not UTF-8) is an error at its position.
Result<std::string> plain_word(const YAML::Node& node, const std::string& path, const std::string& what,
                               const std::string& hint =
                                   "write aliases as `name: tag`, `name: \"tag other\"` or "
                                   "`name: [tag, other]`") {
  if (!node.IsScalar())
    return Error(what + " must be plain text, not a list or mapping", format_position(path, node.Mark()), hint);
  if (!is_valid_utf8(node.Scalar())) {
    return Error(what + " is not valid UTF-8: `" + escape_invalid_utf8(node.Scalar()) + "`",
                 format_position(path, node.Mark()));
  }
  return node.Scalar();
}

// `secret_providers` (and the original's `secret_backends`, whose settings never override it).
Status load_provider_settings(const YAML::Node& root, const char* section, const std::string& path,
                              GlobalConfig& config) {
  YAML::Node node = root[section];
  if (!node || node.IsNull()) return {};
  const std::string hint =
      std::string("write it as\n  ") + section + ":\n    default: bw.age\n    bw:\n      age_id: ITEM-ID";
  if (!node.IsMap())
    return Error(std::string("`") + section + "` must be a mapping", format_position(path, node.Mark()), hint);
  for (const auto& entry : node) {
    auto name = plain_word(entry.first, path, std::string("a key of `") + section + "`", hint);
    if (!name) return name.error();
    if (*name == "default") {
      auto value = plain_word(entry.second, path, std::string("`") + section + ".default`", hint);
      if (!value) return value.error();
      if (!config.default_provider) config.default_provider = *value;
      continue;
    }
    if (!entry.second.IsMap()) {
      return Error(std::string("`") + section + "." + *name + "` must be a mapping of settings",
                   format_position(path, entry.second.Mark()), hint);
    }
    auto& settings = config.secret_providers[*name];
    for (const auto& setting : entry.second) {
      auto key = plain_word(setting.first, path, "a setting name", hint);
      if (!key) return key.error();
      auto value = plain_word(setting.second, path, std::string("`") + section + "." + *name + "." + *key + "`", hint);
      if (!value) return value.error();
      settings.emplace(*key, *value);  // the first section read wins
    }
  }
  return {};
}

// `logbook_keep`: a whole number of runs, at least 1. A typo here must not empty the logbook.
Result<size_t> load_logbook_keep(const YAML::Node& root, const std::string& path) {
  YAML::Node node = root["logbook_keep"];
  if (!node || node.IsNull()) return size_t{1000};
  const std::string& text = node.IsScalar() ? node.Scalar() : std::string();
  bool digits = !text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || text.find_first_not_of('0') == std::string::npos) {
    return Error("`logbook_keep` must be a number of runs, 1 or more", format_position(path, node.Mark()),
                 "write it as `logbook_keep: 1000`");
  }
  return static_cast<size_t>(std::stoul(text));
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
  } catch (const YAML::Exception& e) {
    return Error("the global configuration is not valid YAML: " + escape_invalid_utf8(e.msg),
                 format_position(path, e.mark), "fix the file or move it away to start from defaults");
  }
  if (!root || root.IsNull()) return config;
  if (!root.IsMap()) {
    return Error("the global configuration must be a mapping of keys to values", format_position(path, root.Mark()));
  }
  struct Field {
    const char* key;
    std::optional<std::string>* slot;
  } fields[] = {{"python", &config.python},
                {"chobolo_file", &config.chobolo_file},
                {"secrets_file", &config.secrets_file},
                {"sops_file", &config.sops_file},
                {"limani", &config.limani}};
  for (auto& f : fields) {
    auto value = optional_string(root, f.key, path);
    if (!value) return value.error();
    *f.slot = *value;
  }
  if (auto keep = load_logbook_keep(root, path)) {
    config.logbook_keep = *keep;
  } else {
    return keep.error();
  }
  for (const char* section : {"secret_providers", "secret_backends"}) {
    if (auto err = load_provider_settings(root, section, path, config)) return *err;
  }
  YAML::Node aliases = root["aliases"];
  if (aliases && !aliases.IsNull()) {
    if (!aliases.IsMap()) {
      return Error("`aliases` must map an alias to a tag, a space-separated list of tags, or a list",
                   format_position(path, aliases.Mark()));
    }
    for (const auto& item : aliases) {
      AliasDefinition def;
      auto name = plain_word(item.first, path, "an alias name");
      if (!name) return name.error();
      def.name = *name;
      const YAML::Node& target = item.second;
      if (target.IsScalar()) {
        auto text = plain_word(target, path, "alias `" + def.name + "`");
        if (!text) return text.error();
        def.targets = split_alias_targets(*text);
      } else if (target.IsSequence()) {
        def.written_as_list = true;
        for (const auto& t : target) {
          if (!t.IsScalar()) {
            return Error("alias `" + def.name + "` lists something that is not a tag", format_position(path, t.Mark()));
          }
          auto text = plain_word(t, path, "a tag of alias `" + def.name + "`");
          if (!text) return text.error();
          for (auto& word : split_alias_targets(*text)) def.targets.push_back(word);
        }
      } else {
        return Error("alias `" + def.name + "` must be a tag, a space-separated list of tags, or a list",
                     format_position(path, target.Mark()));
      }
      if (def.targets.empty()) {
        return Error("alias `" + def.name + "` expands to no tag", format_position(path, target.Mark()));
      }
      config.aliases.push_back(std::move(def));
    }
  }
  return config;
}

}  // namespace chaos
