#include "init/chobolo_template.h"

#include <algorithm>

namespace chaos {
namespace {

constexpr const char* kFleetTemplate = R"YAML(fleet:
  # How many hosts pyinfra works on at once; 0 lets pyinfra decide.
  parallelism: 0
  # Host name -> connection data (pyinfra's ssh_* keys, and any data your roles read).
  # A name may start with a pyinfra connector: @local, @ssh/ (the default),
  # @docker/NAME, @podman/NAME, @chroot/PATH.
  hosts:
    "@local": {}
    # web1.example.com:
    #   ssh_user: deploy
    #   ssh_port: 22
    #   ssh_key: ~/.ssh/id_ed25519
  # Boats add hosts found at run time (cloud APIs, inventories): `chaos check boats`.
  boats: []
  #  - provider: my-cloud
  #    config:
  #      region: eu-west-1
  # Which roles, by name, may run where. allow_list: the only roles a host gets.
  # black_list: roles a host never gets; an empty mapping excludes the host entirely.
  restrictions:
    allow_list: {}
    #  db1.example.com:
    #    postgres: true
    black_list: {}
    #  web1.example.com:
    #    postgres: true
)YAML";

constexpr const char* kFleetIntro =
    "# The machines a fleet run works on (`chaos explain fleet`). A run on this machine alone\n"
    "# ignores this block; delete it if that is all you need.\n";

void deep_merge(ordered_json& into, const ordered_json& from) {
  for (const auto& [key, value] : from.items()) {
    auto it = into.find(key);
    if (it != into.end() && it->is_object() && value.is_object()) {
      deep_merge(*it, value);
    } else {
      into[key] = value;
    }
  }
}

std::string type_name(const ordered_json& v) {
  if (v.is_string()) return "string";
  if (v.is_array()) return "list";
  if (v.is_number()) return "number";
  if (v.is_boolean()) return "boolean";
  if (v.is_null()) return "null";
  return "mapping";
}

std::string describe(const TemplateSource& s) {
  return "`" + s.name + "` (" + s.origin + (s.entry_point.empty() ? "" : ", " + s.entry_point) + ")";
}

}  // namespace

MergedTemplate merge_templates(const std::vector<TemplateSource>& sources) {
  MergedTemplate merged;
  for (size_t i = 0; i < sources.size(); ++i) {
    const auto& source = sources[i];
    if (!source.items.is_array()) {
      merged.warnings.push_back("template " + describe(source) + " is a " + type_name(source.items) +
                                ", not a list of mappings; skipped");
      continue;
    }
    for (size_t j = 0; j < source.items.size(); ++j) {
      const auto& item = source.items[j];
      if (!item.is_object()) {
        merged.warnings.push_back("item " + std::to_string(j + 1) + " of template " + describe(source) + " is a " +
                                  type_name(item) + ", not a mapping; skipped");
        continue;
      }
      for (const auto& [key, value] : item.items()) {
        auto owner = std::find_if(merged.owners.begin(), merged.owners.end(),
                                  [&key = key](const auto& o) { return o.first == key; });
        if (owner == merged.owners.end()) {
          merged.owners.push_back({key, {i}});
          continue;
        }
        auto& list = owner->second;
        if (std::find(list.begin(), list.end(), i) != list.end()) continue;
        std::string earlier;
        for (size_t k : list) earlier += (earlier.empty() ? "" : " and ") + describe(sources[k]);
        merged.warnings.push_back("root key `" + key + "` is defined by " + earlier + " and by " + describe(source) +
                                  "; merged, " + source.name + " wins where they differ");
        list.push_back(i);
      }
      deep_merge(merged.data, item);
    }
  }
  return merged;
}

std::string template_yaml(const MergedTemplate& merged, const std::vector<TemplateSource>& sources) {
  std::string names;
  for (const auto& s : sources) names += (names.empty() ? "" : ", ") + s.name;
  std::string out = "# Ch-obolo written by `chaos init chobolo` from: " + names +
                    ".\n"
                    "# Each block is read by the role named above it: edit the values, delete what you\n"
                    "# do not use. `chaos explain TOPIC` tells what a role does with its keys.\n";
  if (merged.data.empty()) out += "{}\n";
  // A source whose every root key is its own alone is written verbatim (comments included).
  auto alone = [&](size_t i) {
    return !sources[i].verbatim.empty() && std::all_of(merged.owners.begin(), merged.owners.end(), [&](auto& o) {
      return std::find(o.second.begin(), o.second.end(), i) == o.second.end() || o.second.size() == 1;
    });
  };
  std::vector<bool> written(sources.size(), false);
  size_t previous = sources.size();
  for (const auto& [key, owners] : merged.owners) {
    size_t first = owners.front();
    if (alone(first)) {
      if (!written[first]) out += "\n" + sources[first].verbatim;
      written[first] = true;
      previous = first;
      continue;
    }
    if (first != previous) {
      out += "\n# Keys for " + sources[first].name + ", from " + sources[first].origin + "\n";
      previous = first;
    }
    if (owners.size() > 1) {
      std::string also;
      for (size_t k = 1; k < owners.size(); ++k) also += (also.empty() ? "" : ", ") + sources[owners[k]].name;
      out += "# `" + key + "` is also set by " + also + " (merged)\n";
    }
    out += yaml_entry(key, merged.data.at(key));
  }
  return out;
}

TemplateSource fleet_template() {
  TemplateSource source;
  source.name = "fleet";
  source.origin = "chaos (built in)";
  auto data = parse_yaml(kFleetTemplate, "built-in fleet template");
  source.items = ordered_json::array({data ? *data : ordered_json::object()});
  source.verbatim = std::string(kFleetIntro) + kFleetTemplate;
  return source;
}

}  // namespace chaos
