#include "plugins/plugin_index.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "plugins/entry_points.h"
#include "plugins/index_cache.h"
#include "util/fs.h"
#include "util/position.h"

namespace chaos {
namespace {

constexpr std::array<GroupInfo, kGroupCount> kGroups = {{
    {Group::roles, "chaos.roles", "roles", "role", true},
    {Group::aliases, "chaos.aliases", "aliases", "alias", false},
    {Group::explanations, "chaos.explain", "explanations", "explanation", true},
    {Group::templates, "chaos.keys", "templates", "template", true},
    {Group::providers, "chaos.providers", "providers", "provider", true},
    {Group::boats, "chaos.boats", "boats", "boat", true},
    {Group::limanis, "chaos.limanis", "limanis", "limani", true},
    {Group::isles, "chaos.isles", "isles", "isle", true},
}};

std::optional<Group> group_from_entry_point_group(std::string_view name) {
  for (const auto& g : kGroups) {
    if (g.entry_point_group == name) return g.group;
  }
  return std::nullopt;
}

std::vector<std::string> wheels_in(const std::string& dir) {
  std::vector<std::string> wheels;
  for (const auto& name : list_directory(dir)) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".whl") == 0) wheels.push_back(join_path(dir, name));
  }
  // Sorted: the directory order of wheels would make precedence depend on the filesystem.
  std::sort(wheels.begin(), wheels.end());
  return wheels;
}

std::string cache_file(const Paths& paths) { return join_path(paths.cache_dir, "plugin-index.cache"); }

void find_duplicates(PluginIndex& index) {
  for (const auto& g : kGroups) {
    std::map<std::string, std::vector<const Registration*>> by_name;
    for (const auto* r : index.in_group(g.group)) by_name[r->name].push_back(r);
    for (const auto& [name, regs] : by_name) {
      std::set<int> owners;
      for (const auto* r : regs) owners.insert(r->distribution);
      if (owners.size() < 2) continue;
      std::string message = std::string(g.singular) + " `" + name + "` is registered by ";
      for (size_t i = 0; i < regs.size(); ++i) {
        const auto& d = index.owner(*regs[i]);
        if (i) message += i + 1 == regs.size() ? " and " : ", ";
        message += d.name + " " + d.version + " (" + regs[i]->value + ")";
      }
      message += "; " + index.owner(*regs.front()).name + " is used, as it comes first on the import path";
      index.problems.push_back({"duplicate", std::string(g.entry_point_group) + ":" + name, message});
    }
  }
}

}  // namespace

const std::array<GroupInfo, kGroupCount>& all_groups() { return kGroups; }

const GroupInfo& info_of(Group group) { return kGroups[static_cast<size_t>(group)]; }

std::optional<Group> group_from_check_name(std::string_view name) {
  for (const auto& g : kGroups) {
    if (g.check_name == name) return g.group;
  }
  return std::nullopt;
}

std::vector<const Registration*> PluginIndex::in_group(Group group) const {
  std::vector<const Registration*> out;
  for (const auto& r : registrations) {
    if (r.group == group) out.push_back(&r);
  }
  return out;
}

const Registration* PluginIndex::find(Group group, std::string_view name) const {
  for (const auto& r : registrations) {
    if (r.group == group && r.name == name) return &r;
  }
  return nullptr;
}

std::vector<std::string> PluginIndex::names(Group group) const {
  std::set<std::string> unique;
  for (const auto& r : registrations) {
    if (r.group == group) unique.insert(r.name);
  }
  return {unique.begin(), unique.end()};
}

std::vector<PathEntry> plugin_search_path(const Paths& paths, const PythonEnv& env) {
  std::vector<PathEntry> path;
  // Directories and wheels others could change (Paths::refused) never reach the import path.
  if (!paths.dev_path.empty() && !paths.refuses(paths.dev_path)) {
    for (auto& wheel : wheels_in(paths.dev_path)) {
      if (!paths.refuses(wheel)) path.push_back({wheel, "CHAOS_DEV_PATH"});
    }
  }
  for (const auto& [dir, origin] : {std::pair{paths.user_plugin_dir, std::string("CHAOS_PLUGIN_DIR")},
                                    std::pair{paths.system_plugin_dir, paths.system_plugin_dir}}) {
    if (!is_directory(dir) || paths.refuses(dir)) continue;
    path.push_back({dir, origin});
    for (auto& wheel : wheels_in(dir)) {
      if (!paths.refuses(wheel)) path.push_back({wheel, origin});
    }
  }
  for (const auto& entry : env.sys_path) path.push_back({entry, "python"});
  return path;
}

PluginIndex build_plugin_index(const std::vector<PathEntry>& path) {
  return index_from_scan(path, scan_distributions(path));
}

PluginIndex index_from_scan(const std::vector<PathEntry>& path, const ScanResult& scan) {
  PluginIndex index;
  index.path = path;
  for (auto& p : scan.problems) index.problems.push_back({"unreadable", p.path, p.message});
  std::unordered_map<std::string, int> first_of_name;  // normalised name -> distributions index
  for (const auto& found : scan.distributions) {
    if (found.entry_points_text.empty()) continue;
    ParsedEntryPoints parsed = parse_entry_points(found.entry_points_text);
    bool registers_chaos = std::any_of(parsed.entries.begin(), parsed.entries.end(),
                                       [](const auto& e) { return group_from_entry_point_group(e.group).has_value(); });
    if (!registers_chaos && parsed.problems.empty()) continue;
    PluginDistribution dist;
    name_and_version(found, dist.name, dist.version);
    dist.metadata_dir = found.metadata_dir;
    dist.origin = found.origin;
    dist.entry_points_file = found.entry_points_file;
    int self = static_cast<int>(index.distributions.size());
    auto [it, first] = first_of_name.try_emplace(found.normalized_name, self);
    if (!first) dist.shadowed_by = it->second;
    for (const auto& p : parsed.problems) {
      index.problems.push_back(
          {"broken-entry-points", format_position(found.entry_points_file, p.line), dist.name + ": " + p.message});
    }
    index.distributions.push_back(dist);
    if (!first) continue;
    for (auto& e : parsed.entries) {
      auto group = group_from_entry_point_group(e.group);
      if (!group) continue;
      if (info_of(*group).value_is_object && !is_object_reference(e.value)) {
        index.problems.push_back({"bad-target", format_position(found.entry_points_file, e.line),
                                  dist.name + ": " + std::string(info_of(*group).singular) + " `" + e.name +
                                      "` points at `" + e.value + "`, which is not `module:attribute`"});
      }
      index.registrations.push_back({*group, std::move(e.name), std::move(e.value), self, e.line});
    }
  }
  find_duplicates(index);
  return index;
}

PluginIndex load_plugin_index(const Paths& paths, const PythonEnv& env, bool refresh, std::string& warning) {
  std::vector<PathEntry> path = plugin_search_path(paths, env);
  std::string file = cache_file(paths);
  if (!refresh && is_regular_file(file)) {
    auto text = read_regular_file(file);
    PluginIndex cached;
    CacheVerdict verdict = text ? parse_index_cache(*text, path, cached) : CacheVerdict::damaged;
    if (verdict == CacheVerdict::current) return cached;
    if (verdict == CacheVerdict::damaged)
      warning = "the plugin index cache " + file + " could not be read; rebuilding it";
  }
  ScanResult scan = scan_distributions(path);
  PluginIndex index = index_from_scan(path, scan);
  if (auto err = write_file_atomic(file, serialize_index_cache(index, scan.stamps))) {
    if (warning.empty()) warning = "could not save the plugin index cache: " + err->message;
  }
  return index;
}

}  // namespace chaos
