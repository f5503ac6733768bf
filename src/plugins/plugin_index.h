#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/paths.h"
#include "plugins/distributions.h"
#include "plugins/python_env.h"
#include "util/error.h"

namespace chaos {

// The entry-point groups chaos reads, with the names `chaos check` uses for them.
enum class Group { roles, aliases, explanations, templates, providers, boats, limanis, isles };
constexpr size_t kGroupCount = 8;

struct GroupInfo {
  Group group;
  std::string_view entry_point_group;  // chaos.roles
  std::string_view check_name;         // roles
  std::string_view singular;           // role
  bool value_is_object;                // module:attr (false for aliases: the value is a tag)
};
const std::array<GroupInfo, kGroupCount>& all_groups();
const GroupInfo& info_of(Group group);
std::optional<Group> group_from_check_name(std::string_view name);

struct Registration {
  Group group;
  std::string name;
  std::string value;
  int distribution = -1;  // index into PluginIndex::distributions
  int line = 0;           // in that distribution's entry_points.txt
};

struct PluginDistribution {
  std::string name;  // as its metadata spells it
  std::string version;
  std::string metadata_dir;
  std::string origin;
  std::string entry_points_file;
  // Set when an earlier distribution of the same name on the path hides this one, as in
  // importlib; its registrations are then not used.
  int shadowed_by = -1;
};

struct IndexProblem {
  std::string kind;  // broken-entry-points, unreadable, duplicate, bad-target
  std::string where;
  std::string message;
};

struct PluginIndex {
  std::vector<PluginDistribution> distributions;  // only those that register chaos entry points
  std::vector<Registration> registrations;        // importlib order; shadowed distributions excluded
  std::vector<IndexProblem> problems;
  std::vector<PathEntry> path;  // what was scanned, in order
  bool from_cache = false;

  // All registrations of a group in importlib order (a duplicate name appears twice).
  std::vector<const Registration*> in_group(Group group) const;
  // The registration importlib's EntryPoints[name] would pick: the first on the path.
  const Registration* find(Group group, std::string_view name) const;
  // Sorted, de-duplicated names of a group.
  std::vector<std::string> names(Group group) const;
  const PluginDistribution& owner(const Registration& r) const {
    return distributions[static_cast<size_t>(r.distribution)];
  }
};

// The import path chaos scans and the role host uses, in precedence order: wheels in
// CHAOS_DEV_PATH, the user plugin directory and its wheels, the system plugin directory and
// its wheels, then the interpreter's own sys.path.
std::vector<PathEntry> plugin_search_path(const Paths& paths, const PythonEnv& env);

// Builds the index from the path, or loads it from $CHAOS_CACHE_DIR when nothing it was
// built from changed. `refresh` forces a rebuild. Cache trouble is never fatal: the index
// is rebuilt and `warning` says why.
PluginIndex load_plugin_index(const Paths& paths, const PythonEnv& env, bool refresh, std::string& warning);

// Builds without any cache (also used by tests).
PluginIndex build_plugin_index(const std::vector<PathEntry>& path);
PluginIndex index_from_scan(const std::vector<PathEntry>& path, const ScanResult& scan);

}  // namespace chaos
