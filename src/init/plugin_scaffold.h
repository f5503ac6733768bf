#pragma once

#include <string>
#include <vector>

#include "util/error.h"

namespace chaos {

struct ScaffoldNames {
  std::string distribution;   // my-chaos-plugin
  std::string package;        // my_chaos_plugin
  std::string role;           // my-role: the role tag, explain topic and keys name
  std::string alias;          // mr
  std::string chobolo_key;    // my_role_dirs
  std::string role_class;     // MyRole
  std::string explain_class;  // MyRoleExplain
  std::string keys_object;    // my_role_keys
};

// Derives and checks every name of a new plugin. `role` and `alias` may be empty: the role is
// the distribution name without a `chaos-` prefix and `-plugin` suffix, the alias its
// initials. Errors say which name is wrong and why.
Result<ScaffoldNames> scaffold_names(const std::string& distribution, const std::string& role,
                                     const std::string& alias);

struct ScaffoldFile {
  std::string path;  // relative to the plugin's directory
  std::string content;
};

// The files of a working plugin, laid out as in the plugin development guide: pyproject.toml
// (hatchling, every chaos entry-point group), a Role class, an explanation class, a key
// template and an alias.
std::vector<ScaffoldFile> plugin_scaffold(const ScaffoldNames& names);

}  // namespace chaos
