#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "config/global_config.h"
#include "plugins/plugin_index.h"
#include "util/error.h"

namespace chaos {

struct Alias {
  std::string name;
  std::vector<std::string> targets;
  std::string text;  // the value as written (plugin entry-point value or config string)
  bool written_as_list = false;
  std::string owner;  // the plugin distribution, or the config file
  bool from_config = false;
};

struct AliasTable {
  std::vector<Alias> aliases;         // plugin aliases in discovery order, then new config ones
  std::vector<std::string> warnings;  // a config alias overriding a plugin alias, ...

  // By name, in constant time: 100k aliases must not make every lookup a scan. Rebuilt on
  // first use after `aliases` grew (tests and merge_aliases fill the vector directly).
  const Alias* find(const std::string& name) const;

 private:
  mutable std::unordered_map<std::string, size_t> by_name_;
};

// Plugin aliases (first registration of a name wins, as everywhere) with the global
// configuration's aliases on top: a config alias replaces a plugin alias of the same name,
// keeping its place, and says so in `warnings`.
AliasTable merge_aliases(const PluginIndex& index, const GlobalConfig& config);

// Expands tags through aliases, keeping first-seen order and dropping repeats. A cycle is an
// error that names the chain (a -> b -> a). Iterative (a 60k-deep chain needs no stack) and
// linear in the aliases reached: an alias expanded once is not expanded again, so shared
// sub-aliases (b: [a, c], a: c) cost once and are not mistaken for a cycle.
Result<std::vector<std::string>> expand_tags(const AliasTable& table, const std::vector<std::string>& tags);

}  // namespace chaos
