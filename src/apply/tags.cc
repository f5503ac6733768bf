#include "apply/tags.h"

#include <algorithm>

namespace chaos {
namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> closest_names(const std::string& word, const std::vector<std::string>& candidates,
                                       size_t limit) {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    // A prefix or substring match is a strong hint even when the distance is large.
    bool related = c.find(word) != std::string::npos || word.find(c) != std::string::npos;
    if (related) d = std::min(d, static_cast<size_t>(1));
    if (d <= std::max<size_t>(2, word.size() / 2)) scored.emplace_back(d, c);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (auto& [d, name] : scored) {
    if (out.size() == limit) break;
    out.push_back(name);
  }
  return out;
}

namespace {

// "p 1.0 (mod:run) and q 2.0 (other:run)" when more than one distribution registers role `tag`.
std::string other_owners(const PluginIndex& index, const std::string& tag) {
  std::vector<const Registration*> regs;
  for (const auto* r : index.in_group(Group::roles)) {
    if (r->name != tag) continue;
    bool known =
        std::any_of(regs.begin(), regs.end(), [&](const auto* k) { return k->distribution == r->distribution; });
    if (!known) regs.push_back(r);
  }
  if (regs.size() < 2) return "";
  std::string text;
  for (size_t i = 0; i < regs.size(); ++i) {
    const auto& d = index.owner(*regs[i]);
    if (i) text += i + 1 == regs.size() ? " and " : ", ";
    text += d.name + " " + d.version + " (" + regs[i]->value + ")";
  }
  return text;
}

}  // namespace

Result<std::vector<ResolvedRole>> resolve_roles(const PluginIndex& index, const AliasTable& aliases,
                                                const std::vector<std::string>& expanded_tags,
                                                const std::string& environment) {
  std::vector<ResolvedRole> roles;
  std::vector<std::string> unknown;
  for (const auto& tag : expanded_tags) {
    const Registration* r = index.find(Group::roles, tag);
    if (!r) {
      unknown.push_back(tag);
      continue;
    }
    // Which one runs would depend on the order of the import path: refuse rather than guess.
    if (std::string owners = other_owners(index, tag); !owners.empty()) {
      return Error("role `" + tag + "` is provided by more than one plugin: " + owners, "chaos.roles:" + tag,
                   "uninstall or rename one of them (`chaos check plugins` lists duplicates)");
    }
    roles.push_back({tag, r->value, index.owner(*r).name});
  }
  if (unknown.empty()) return roles;
  // An unknown tag an alias points at is the alias's fault: name it and who defined it.
  for (const auto& u : unknown) {
    for (const auto& a : aliases.aliases) {
      if (std::find(a.targets.begin(), a.targets.end(), u) == a.targets.end()) continue;
      return Error("alias `" + a.name + "` points at `" + u + "`, which no installed plugin provides as a role",
                   (a.from_config ? "alias defined in " : "alias from plugin ") + a.owner,
                   a.from_config ? "fix or remove the alias in " + a.owner
                                 : "install the plugin that provides `" + u + "`, or report it to the authors of " +
                                       a.owner + "; `chaos doctor` shows the plugin environment");
    }
  }
  std::vector<std::string> known = index.names(Group::roles);
  for (const auto& a : aliases.aliases) known.push_back(a.name);
  std::string message = unknown.size() == 1 ? "unknown role `" + unknown[0] + "`" : "unknown roles:";
  if (unknown.size() > 1) {
    for (const auto& u : unknown) message += " `" + u + "`";
  }
  std::string hint;
  for (const auto& u : unknown) {
    auto near = closest_names(u, known);
    if (near.empty()) continue;
    hint += (hint.empty() ? "" : "; ") + std::string("for `") + u + "` did you mean ";
    for (size_t i = 0; i < near.size(); ++i) hint += (i ? ", " : "") + ("`" + near[i] + "`");
    hint += "?";
  }
  if (!hint.empty()) hint += "; ";
  hint += "`chaos check roles` lists the roles installed plugins provide, `chaos doctor` shows the environment";
  std::string where = environment.empty() ? "" : "searched the plugins of the environment of " + environment;
  return Error(message, where, hint);
}

}  // namespace chaos
