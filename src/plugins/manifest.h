// The plugin manifest (DESIGN.md decision 3): what only Python can tell about installed plugins
// (explanation dicts at every complexity, `_order`, `chaos.keys` objects, role kinds and secret
// needs), extracted by one role-host run and cached so later commands start no Python process.
//
// The cache is split per plugin distribution. Each distribution's part is keyed by what it was
// read from (its name, version, metadata directory stamp, registrations, and the environment),
// so upgrading one plugin re-reads only that plugin; `summary.json` holds everything except
// explanation bodies and key templates, which stay in the parts and are read on demand. A part
// is two files, entries with key templates and explanation bodies, so that `init chobolo`
// over every plugin does not parse every plugin's explanations.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugins/plugin_index.h"
#include "util/error.h"

namespace chaos {

using ordered_json = nlohmann::ordered_json;

// One failure the role host reported while reading a plugin: which entry point, which method
// and complexity when it was an explanation method, and the exception.
struct ManifestError {
  std::string kind;  // plugin_import, explain_init, explain_method, explain_value, not_a_list, ...
  std::string message;
  std::string entry_point;
  std::string plugin;
  std::string method;
  std::string complexity;
  std::string traceback;
  // For `host_unavailable` (the role host could not read the plugin): where it failed (the
  // interpreter) and what to do about it.
  std::string where;
  std::string hint;

  // The kind the core decides on, mapped from the wire `kind` in this one place: the role host's
  // kinds are categories for people, `host_unavailable` is the core's own.
  ErrorKind error_kind() const;

  static ManifestError from_json(const ordered_json& j);
  ordered_json to_json() const;
  // "path/to/module.py:12" of the innermost traceback frame, or "" when there is none.
  std::string source_location() const;
  // Where to look, for an error's `where`: "module.py:12, entry point mod:Cls (plugin p)".
  std::string locate(const std::string& entry_point, const std::string& plugin) const;
};

struct ExplainTopic {
  std::string name;                    // the chaos.explain entry-point name
  std::string entry_point;             // module:Class
  std::string plugin;                  // distribution name
  std::string part;                    // cache part holding the explanation bodies
  std::optional<ManifestError> error;  // the class could not be imported or instantiated
  std::vector<std::string> order;      // `_order` as written (names may use hyphens)
  bool has_order = false;
  std::optional<std::string> main;     // method suffix of the topic itself (explain_<main>)
  std::vector<std::string> subtopics;  // other explain_* method suffixes, sorted
  std::vector<ManifestError> method_errors;

  // `_order` when given and non-empty, else the method names.
  const std::vector<std::string>& listed_subtopics() const { return has_order && !order.empty() ? order : subtopics; }
};

struct KeysEntry {
  std::string name;  // the chaos.keys entry-point name
  std::string entry_point;
  std::string plugin;
  std::string part;
  std::optional<ManifestError> error;  // import failure, or not a list
};

struct RoleInfo {
  std::string tag;
  std::string entry_point;
  std::string plugin;
  std::optional<ManifestError> error;
  std::string kind;  // "class" or "legacy"
  std::string name;  // Role.name (class roles)
  bool needs_secrets = false;
  std::vector<std::string> necessary_secret_dict_keys;
  std::vector<std::string> necessary_chobolo_keys;
  std::optional<bool> accepts_secrets;  // legacy roles: takes the secrets text argument
};

struct Manifest {
  std::string fingerprint;
  std::string parts_dir;  // where part files live
  std::vector<ExplainTopic> topics;
  std::vector<KeysEntry> keys;
  std::vector<RoleInfo> roles;
  bool current = true;  // false when read for completion without checking it is up to date
  size_t parts_read_from_host = 0;
  // Set when the role host could not read the plugins that were not cached: their entries then
  // carry this error (kind `host_unavailable`) and nothing new was cached.
  std::optional<Error> host_error;
  // Part files already parsed in this process, by key (bodies are read on demand).
  std::shared_ptr<std::map<std::string, ordered_json>> parts_read =
      std::make_shared<std::map<std::string, ordered_json>>();

  const ExplainTopic* topic(std::string_view name) const;
  const KeysEntry* keys_entry(std::string_view name) const;
  const RoleInfo* role(std::string_view tag) const;
};

// A group of registrations read together: one plugin distribution.
struct ManifestPart {
  std::string key;
  int distribution = -1;
  std::vector<const Registration*> explain, keys, roles;
};

struct ManifestPlan {
  std::vector<ManifestPart> parts;
  std::string fingerprint;  // of every part key, in order
};

// Stable 64-bit FNV-1a of `text`, as 16 hex digits.
std::string fingerprint_of(std::string_view text);

// Fingerprint of the directories' stamps (mtime, inode): changes when a package is installed
// into or removed from any of them.
std::string site_stamp_of(const std::vector<std::string>& directories);

// Which registrations the manifest covers (the one importlib would pick for each name in
// chaos.explain, chaos.keys and chaos.roles), grouped by distribution, each with its key.
// `environment` identifies the interpreter and SDK the manifest is read with.
ManifestPlan plan_manifest(const PluginIndex& index, const std::string& environment);

// The `manifest` request for the role host covering `parts` (docs/protocol.md).
ordered_json manifest_request(const PluginIndex& index, const std::vector<const ManifestPart*>& parts);

// Sends a manifest request to a role host and returns its result.
using ManifestHostCall = std::function<Result<ordered_json>(const ordered_json& params)>;

struct ManifestOptions {
  std::string cache_dir;    // the manifest lives in <cache_dir>/manifest/
  std::string environment;  // see plan_manifest
  // Stamps of the plugin environment's import-path directories (site_stamp_of). A part in
  // which some plugin failed to load (a missing dependency, ...) is kept only while these are
  // unchanged: installing the missing module later is then seen on the next command.
  std::string site_stamp;
  bool refresh = false;      // ignore every cached part (chaos -u)
  bool cached_only = false;  // never call the host: use whatever is cached (completion)
  // With `only_named`, the manifest needs to hold only the plugins registering these topics
  // and templates: when their parts are cached and current (or cached at all, with
  // cached_only), nothing else is read (explain, init chobolo, completion of sub-topics).
  // Otherwise every plugin is brought up to date, in one host run.
  bool only_named = false;
  std::vector<std::string> topics;
  std::vector<std::string> templates;
};

// The manifest for `index`: the cached summary when it is current, else the cached parts that
// still match plus one host call for the others. With `cached_only`, a stale summary is
// returned as is (current = false), or an empty manifest when there is none. A failing host
// call is not an error of the whole: see Manifest::host_error.
Result<Manifest> load_manifest(const PluginIndex& index, const ManifestOptions& options,
                               const ManifestHostCall& host_call);

// Reading bodies from the part files.
// The explanation dict of `topic` for method suffix `method` at `complexity`; an error names
// the method and the exception when the plugin raised for that complexity.
Result<ordered_json> read_explanation(const Manifest& manifest, const ExplainTopic& topic, const std::string& method,
                                      const std::string& complexity);
// The list a chaos.keys object held.
Result<ordered_json> read_keys_value(const Manifest& manifest, const KeysEntry& entry);

// Problems found while reading plugins, one line each, for `chaos check plugins`.
std::vector<IndexProblem> manifest_problems(const Manifest& manifest);

}  // namespace chaos
