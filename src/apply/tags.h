#pragma once

#include <string>
#include <vector>

#include "plugins/aliases.h"
#include "plugins/plugin_index.h"
#include "util/error.h"

namespace chaos {

struct ResolvedRole {
  std::string tag;     // the role's entry-point name
  std::string target;  // module:attr
  std::string plugin;  // distribution name
};

// Finds the role of each tag, already expanded from aliases (expand_tags). An unknown tag is
// an error naming it with the closest role and alias names and `environment` (the plugin
// environment's interpreter) as where it was searched; one an alias points at names the alias
// and its owner. A role two plugins register is refused, naming both.
Result<std::vector<ResolvedRole>> resolve_roles(const PluginIndex& index, const AliasTable& aliases,
                                                const std::vector<std::string>& expanded_tags,
                                                const std::string& environment = "");

// Names from `candidates` closest to `word` (edit distance), best first, at most `limit`.
std::vector<std::string> closest_names(const std::string& word, const std::vector<std::string>& candidates,
                                       size_t limit = 3);

}  // namespace chaos
