#include "plugins/aliases.h"
#include "util/text.h"

#include <algorithm>
#include <set>

namespace chaos {

const Alias* AliasTable::find(const std::string& name) const {
  for (const auto& a : aliases) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

AliasTable merge_aliases(const PluginIndex& index, const GlobalConfig& config) {
  AliasTable table;
  for (const auto* r : index.in_group(Group::aliases)) {
    if (table.find(r->name)) continue;  // duplicates are reported by the index
    table.aliases.push_back({r->name, split_alias_targets(r->value), r->value, false, index.owner(*r).name, false});
  }
  for (const auto& def : config.aliases) {
    std::string text = join(def.targets, " ");
    Alias alias{def.name, def.targets, text, def.written_as_list, config.path, true};
    auto existing =
        std::find_if(table.aliases.begin(), table.aliases.end(), [&](const Alias& a) { return a.name == def.name; });
    if (existing == table.aliases.end()) {
      table.aliases.push_back(std::move(alias));
    } else {
      table.warnings.push_back("alias `" + def.name + "` from " + config.path + " overrides the one from plugin " +
                               existing->owner + " (`" + existing->text + "` becomes `" + text + "`)");
      *existing = std::move(alias);
    }
  }
  return table;
}

namespace {

Status expand_into(const AliasTable& table, const std::string& tag, std::vector<std::string>& chain,
                   std::vector<std::string>& out, std::set<std::string>& seen) {
  const Alias* alias = table.find(tag);
  if (!alias) {
    if (seen.insert(tag).second) out.push_back(tag);
    return std::nullopt;
  }
  if (auto start = std::find(chain.begin(), chain.end(), tag); start != chain.end()) {
    std::string path;
    for (auto it = start; it != chain.end(); ++it) path += *it + " -> ";
    path += tag;
    return Error("alias cycle: " + path, alias->owner,
                 "make one of these aliases point at a role instead of back into the chain");
  }
  chain.push_back(tag);
  for (const auto& target : alias->targets) {
    if (auto err = expand_into(table, target, chain, out, seen)) return err;
  }
  chain.pop_back();
  return std::nullopt;
}

}  // namespace

Result<std::vector<std::string>> expand_tags(const AliasTable& table, const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& tag : tags) {
    std::vector<std::string> chain;
    if (auto err = expand_into(table, tag, chain, out, seen)) return *err;
  }
  return out;
}

}  // namespace chaos
