// init/: generated files: the Ch-obolo template (`init chobolo`) and the plugin skeleton
// (`init plugin`).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "util/yaml_text.h"

namespace chaos {

// One `chaos.keys` object to merge into a Ch-obolo template.
struct TemplateSource {
  std::string name;         // the entry-point name (`fleet` for the built-in one)
  std::string origin;       // "plugin my-chaos-plugin 0.1.0", "chaos (built in)"
  std::string entry_point;  // module:attr, empty for built-ins
  ordered_json items;       // the list of mappings
  // Commented YAML written instead of the data when no other source touches its keys.
  std::string verbatim;
};

struct MergedTemplate {
  ordered_json data = ordered_json::object();
  // Each root key with the sources (indexes) that define it, in merge order.
  std::vector<std::pair<std::string, std::vector<size_t>>> owners;
  std::vector<std::string> warnings;  // root keys defined twice, items that are not mappings
};

// Deep-merges every source's items in order: mappings merge key by key, anything else is
// replaced by the later value. Root keys keep the place where they first appeared.
MergedTemplate merge_templates(const std::vector<TemplateSource>& sources);

// The template as YAML: a header, then the keys of each source under a comment naming the
// plugin that asked for them.
std::string template_yaml(const MergedTemplate& merged, const std::vector<TemplateSource>& sources);

// The built-in `fleet` template: documented YAML, and the same as data.
TemplateSource fleet_template();

}  // namespace chaos
