#include "plugins/aliases.h"
#include "util/text.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace chaos {

const Alias* AliasTable::find(const std::string& name) const {
  if (by_name_.size() != aliases.size()) {
    by_name_.clear();
    // The first alias of a name is the one used, as importlib picks the first entry point.
    for (size_t i = 0; i < aliases.size(); ++i) by_name_.emplace(aliases[i].name, i);
    if (by_name_.size() != aliases.size()) {
      // Repeated names in the vector: fall back to the scan rather than rebuilding every call.
      for (const auto& a : aliases) {
        if (a.name == name) return &a;
      }
      return nullptr;
    }
  }
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &aliases[it->second];
}

AliasTable merge_aliases(const PluginIndex& index, const GlobalConfig& config) {
  AliasTable table;
  std::unordered_map<std::string, size_t> slot;  // name -> place in table.aliases
  for (const auto* r : index.in_group(Group::aliases)) {
    if (!slot.emplace(r->name, table.aliases.size()).second) continue;  // duplicates are reported by the index
    table.aliases.push_back({r->name, split_alias_targets(r->value), r->value, false, index.owner(*r).name, false});
  }
  for (const auto& def : config.aliases) {
    std::string text = join(def.targets, " ");
    Alias alias{def.name, def.targets, text, def.written_as_list, config.path, true};
    auto [it, fresh] = slot.emplace(def.name, table.aliases.size());
    if (fresh) {
      table.aliases.push_back(std::move(alias));
      continue;
    }
    Alias& existing = table.aliases[it->second];
    table.warnings.push_back("alias `" + def.name + "` from " + config.path + " overrides the one from plugin " +
                             existing.owner + " (`" + existing.text + "` becomes `" + text + "`)");
    existing = std::move(alias);
  }
  return table;
}

Result<std::vector<std::string>> expand_tags(const AliasTable& table, const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  // Depth-first with an explicit stack. `on_chain` holds the aliases being expanded (a target
  // among them is a cycle); `done` those fully expanded, whose tags are all in `out` already.
  enum class State { on_chain, done };
  std::unordered_map<const Alias*, State> state;
  struct Frame {
    const Alias* alias;
    size_t next = 0;
  };
  std::vector<Frame> stack;
  auto visit = [&](const std::string& tag) -> Status {
    const Alias* alias = table.find(tag);
    if (!alias) {
      if (seen.insert(tag).second) out.push_back(tag);
      return std::nullopt;
    }
    auto [it, fresh] = state.try_emplace(alias, State::on_chain);
    if (!fresh) {
      if (it->second == State::done) return std::nullopt;
      std::string path;
      auto start = std::find_if(stack.begin(), stack.end(), [&](const Frame& f) { return f.alias == alias; });
      for (auto f = start; f != stack.end(); ++f) path += f->alias->name + " -> ";
      path += tag;
      return Error("alias cycle: " + path, alias->owner,
                   "make one of these aliases point at a role instead of back into the chain");
    }
    stack.push_back({alias});
    return std::nullopt;
  };
  for (const auto& tag : tags) {
    if (auto err = visit(tag)) return *err;
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == top.alias->targets.size()) {
        state[top.alias] = State::done;
        stack.pop_back();
        continue;
      }
      const std::string& target = top.alias->targets[top.next++];
      if (auto err = visit(target)) return *err;  // may push: `top` is not used after this
    }
  }
  return out;
}

}  // namespace chaos
