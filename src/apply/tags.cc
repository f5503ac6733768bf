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

Result<std::vector<ResolvedRole>> resolve_roles(const PluginIndex& index, const AliasTable& aliases,
                                                const std::vector<std::string>& expanded_tags) {
  std::vector<ResolvedRole> roles;
  std::vector<std::string> unknown;
  for (const auto& tag : expanded_tags) {
    const Registration* r = index.find(Group::roles, tag);
    if (!r) {
      unknown.push_back(tag);
      continue;
    }
    roles.push_back({tag, r->value, index.owner(*r).name});
  }
  if (unknown.empty()) return roles;
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
  if (hint.empty()) hint = "`chaos check roles` lists the roles installed plugins provide";
  return Error(message, "", hint);
}

}  // namespace chaos
