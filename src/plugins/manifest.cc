#include "plugins/manifest.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <set>
#include <unordered_set>

#include "plugins/entry_points.h"
#include "util/fs.h"

namespace chaos {
namespace {

// Bump when the layout of summary.json or of a part changes: old caches are then re-read.
constexpr int kManifestFormat = 2;

std::string manifest_dir(const std::string& cache_dir) { return join_path(cache_dir, "manifest"); }
std::string summary_file(const std::string& cache_dir) { return join_path(manifest_dir(cache_dir), "summary.json"); }
// The summary's fingerprint on its own: checking it costs one small read, not a parse.
std::string fingerprint_file(const std::string& cache_dir) { return join_path(manifest_dir(cache_dir), "fingerprint"); }
// A part is two files: its entries (with key templates, which `init chobolo` reads for every
// plugin at once) and the explanation bodies (large; `explain` reads one plugin's at a time).
std::string part_file(const std::string& parts_dir, const std::string& key) {
  return join_path(parts_dir, key + ".json");
}
std::string bodies_file(const std::string& parts_dir, const std::string& key) {
  return join_path(parts_dir, key + ".bodies.json");
}

std::vector<std::string> string_list(const ordered_json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

// Checked decoding: the cache files are read back field by field, and a field of the wrong
// type reads as absent (nlohmann's value() and get() would throw or assert instead).
std::string str(const ordered_json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool flag(const ordered_json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

int64_t integer(const ordered_json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// The array under `key`, or an empty one.
const ordered_json& array_at(const ordered_json& j, const char* key) {
  static const ordered_json empty = ordered_json::array();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

// True when `key` holds an array of objects: the shape of explain, keys and roles.
bool object_list(const ordered_json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_array() &&
         std::all_of(it->begin(), it->end(), [](const ordered_json& e) { return e.is_object(); });
}

// A cache file written by this format for `key` (a part or bodies file), or a summary (no key).
bool cache_header_matches(const ordered_json& j, const std::string* key) {
  return j.is_object() && integer(j, "format") == kManifestFormat && (!key || str(j, "key") == *key);
}

// The file whose stamp says whether a distribution was reinstalled: its metadata directory, or
// the wheel it lives in ("<wheel>/<name>.dist-info").
FileStamp metadata_stamp(const std::string& metadata_dir) {
  std::string path = metadata_dir;
  while (!path.empty() && path != "/") {
    FileStamp stamp = stamp_of(path);
    if (stamp.exists) return stamp;
    path = parent_path(path);
  }
  return {};
}

// --- entries <-> JSON (the cache's own format, not the protocol's) ---

std::optional<ManifestError> error_field(const ordered_json& j) {
  auto it = j.find("error");
  if (it == j.end() || !it->is_object()) return std::nullopt;
  return ManifestError::from_json(*it);
}

ordered_json topic_to_json(const ExplainTopic& t) {
  ordered_json j = {{"name", t.name}, {"entry_point", t.entry_point}, {"plugin", t.plugin}, {"part", t.part}};
  if (t.error) j["error"] = t.error->to_json();
  j["order"] = t.order;
  j["has_order"] = t.has_order;
  j["main"] = t.main ? ordered_json(*t.main) : ordered_json();
  j["subtopics"] = t.subtopics;
  j["method_errors"] = ordered_json::array();
  for (const auto& e : t.method_errors) j["method_errors"].push_back(e.to_json());
  return j;
}

ExplainTopic topic_from_json(const ordered_json& j) {
  ExplainTopic t;
  t.name = str(j, "name");
  t.entry_point = str(j, "entry_point");
  t.plugin = str(j, "plugin");
  t.part = str(j, "part");
  t.error = error_field(j);
  t.order = string_list(array_at(j, "order"));
  t.has_order = flag(j, "has_order");
  if (j.is_object() && j.contains("main") && j["main"].is_string()) t.main = j["main"].get<std::string>();
  t.subtopics = string_list(array_at(j, "subtopics"));
  for (const auto& e : array_at(j, "method_errors")) {
    t.method_errors.push_back(ManifestError::from_json(e));
  }
  return t;
}

ordered_json keys_to_json(const KeysEntry& k) {
  ordered_json j = {{"name", k.name}, {"entry_point", k.entry_point}, {"plugin", k.plugin}, {"part", k.part}};
  if (k.error) j["error"] = k.error->to_json();
  return j;
}

KeysEntry keys_from_json(const ordered_json& j) {
  return {str(j, "name"), str(j, "entry_point"), str(j, "plugin"), str(j, "part"), error_field(j)};
}

ordered_json role_to_json(const RoleInfo& r) {
  ordered_json j = {{"tag", r.tag}, {"entry_point", r.entry_point}, {"plugin", r.plugin}};
  if (r.error) j["error"] = r.error->to_json();
  j["kind"] = r.kind;
  j["name"] = r.name;
  j["needs_secrets"] = r.needs_secrets;
  j["necessary_secret_dict_keys"] = r.necessary_secret_dict_keys;
  j["necessary_chobolo_keys"] = r.necessary_chobolo_keys;
  j["accepts_secrets"] = r.accepts_secrets ? ordered_json(*r.accepts_secrets) : ordered_json();
  return j;
}

RoleInfo role_from_json(const ordered_json& j) {
  RoleInfo r;
  r.tag = str(j, "tag");
  r.entry_point = str(j, "entry_point");
  r.plugin = str(j, "plugin");
  r.error = error_field(j);
  r.kind = str(j, "kind");
  r.name = str(j, "name");
  r.needs_secrets = flag(j, "needs_secrets");
  r.necessary_secret_dict_keys = string_list(array_at(j, "necessary_secret_dict_keys"));
  r.necessary_chobolo_keys = string_list(array_at(j, "necessary_chobolo_keys"));
  if (j.is_object() && j.contains("accepts_secrets") && j["accepts_secrets"].is_boolean())
    r.accepts_secrets = j["accepts_secrets"].get<bool>();
  return r;
}

// --- host reply -> one part ---

ManifestError missing_entry_error(const Registration& r, const std::string& plugin) {
  ManifestError e;
  e.kind = "missing";
  e.message = "the role host returned nothing for this entry point";
  e.entry_point = r.value;
  e.plugin = plugin;
  return e;
}

const ordered_json* reply_entry(const ordered_json& reply, const char* group, const std::string& name) {
  auto g = reply.find(group);
  if (g == reply.end() || !g->is_object()) return nullptr;
  auto it = g->find(name);
  if (it == g->end() || !it->is_object()) return nullptr;
  return &*it;
}

// The part file's content for one distribution, from the host's reply.
ordered_json part_from_reply(const PluginIndex& index, const ManifestPart& part, const ordered_json& reply) {
  const std::string plugin = index.distributions[static_cast<size_t>(part.distribution)].name;
  ordered_json out = {{"format", kManifestFormat},
                      {"key", part.key},
                      {"explain", ordered_json::array()},
                      {"keys", ordered_json::array()},
                      {"roles", ordered_json::array()}};
  for (const auto* r : part.explain) {
    ExplainTopic t;
    t.name = r->name;
    t.entry_point = r->value;
    t.plugin = plugin;
    t.part = part.key;
    ordered_json bodies = ordered_json::object();
    const ordered_json* e = reply_entry(reply, "explain", r->name);
    if (!e) {
      t.error = missing_entry_error(*r, plugin);
    } else if (!flag(*e, "ok")) {
      t.error = ManifestError::from_json(e->value("error", ordered_json::object()));
    } else {
      if (e->contains("order") && (*e)["order"].is_array()) {
        t.has_order = true;
        t.order = string_list((*e)["order"]);
      }
      if (e->contains("main") && (*e)["main"].is_string()) t.main = (*e)["main"].get<std::string>();
      t.subtopics = string_list(e->value("subtopics", ordered_json::array()));
      std::sort(t.subtopics.begin(), t.subtopics.end());
      for (const auto& err : e->value("errors", ordered_json::array())) {
        t.method_errors.push_back(ManifestError::from_json(err));
      }
      if (e->contains("explanations") && (*e)["explanations"].is_object()) bodies = (*e)["explanations"];
    }
    ordered_json j = topic_to_json(t);
    j["explanations"] = bodies;
    out["explain"].push_back(j);
  }
  for (const auto* r : part.keys) {
    KeysEntry k{r->name, r->value, plugin, part.key, std::nullopt};
    ordered_json value;
    const ordered_json* e = reply_entry(reply, "keys", r->name);
    if (!e) {
      k.error = missing_entry_error(*r, plugin);
    } else if (!flag(*e, "ok")) {
      k.error = ManifestError::from_json(e->value("error", ordered_json::object()));
    } else {
      value = e->value("value", ordered_json::array());
    }
    ordered_json j = keys_to_json(k);
    j["value"] = value;
    out["keys"].push_back(j);
  }
  for (const auto* r : part.roles) {
    RoleInfo info;
    const ordered_json* e = reply_entry(reply, "roles", r->name);
    if (e && flag(*e, "ok")) {
      info = role_from_json(*e);
    } else {
      info.error =
          e ? ManifestError::from_json(e->value("error", ordered_json::object())) : missing_entry_error(*r, plugin);
    }
    info.tag = r->name;
    info.entry_point = r->value;
    info.plugin = plugin;
    out["roles"].push_back(role_to_json(info));
  }
  return out;
}

// A reply in which every requested entry failed with the host's own error.
ordered_json failed_reply(const ordered_json& params, const Error& error) {
  ordered_json reply = ordered_json::object();
  for (const auto& [group, entries] : params.items()) {
    reply[group] = ordered_json::object();
    for (const auto& [name, spec] : entries.items()) {
      ordered_json e = {{"kind", "host_unavailable"},
                        {"message", error.message},
                        {"entry_point", spec["target"]},
                        {"plugin", spec["plugin"]}};
      if (!error.where.empty()) e["where"] = error.where;
      if (!error.hint.empty()) e["hint"] = error.hint;
      reply[group][name] = {{"ok", false}, {"error", e}};
    }
  }
  return reply;
}

Result<ordered_json> read_json_file(const std::string& path) {
  auto text = read_regular_file(path);
  if (!text) return text.error();
  ordered_json j = ordered_json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error("damaged cache file " + path, path);
  return j;
}

// A part's entries file that exists, parses, is the part it claims to be, and has its bodies
// file beside it.
std::optional<ordered_json> read_part(const std::string& parts_dir, const std::string& key) {
  auto j = read_json_file(part_file(parts_dir, key));
  if (!j || !cache_header_matches(*j, &key)) return std::nullopt;
  if (!object_list(*j, "explain") || !object_list(*j, "keys") || !object_list(*j, "roles")) return std::nullopt;
  if (!is_regular_file(bodies_file(parts_dir, key))) return std::nullopt;
  return std::move(*j);
}

// Writes a part read from the host as its two files: bodies first, so that an entries file
// is never without its bodies.
Status write_part(const std::string& parts_dir, const std::string& key, const ordered_json& part) {
  ordered_json entries = part;
  ordered_json bodies = {{"format", kManifestFormat}, {"key", key}, {"bodies", ordered_json::object()}};
  for (auto& topic : entries["explain"]) {
    bodies["bodies"][topic.value("name", "")] = topic.value("explanations", ordered_json::object());
    topic.erase("explanations");
  }
  if (auto err = write_file_atomic(bodies_file(parts_dir, key), bodies.dump())) return err;
  return write_file_atomic(part_file(parts_dir, key), entries.dump());
}

// `entry` without its member `skip`, which is never copied (a part read from the host still
// holds every explanation body and key template there).
ordered_json without(const ordered_json& entry, const char* skip) {
  ordered_json out = ordered_json::object();
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (it.key() != skip) out[it.key()] = it.value();
  }
  return out;
}

// The part's entries, without their bodies, added to `m`; with `summary`, to it as well.
void add_part(Manifest& m, const ordered_json& part, ordered_json* summary) {
  for (const auto& entry : part.at("explain")) {
    m.topics.push_back(topic_from_json(entry));  // reads no body
    if (summary) (*summary)["explain"].push_back(without(entry, "explanations"));
  }
  for (const auto& entry : part.at("keys")) {
    m.keys.push_back(keys_from_json(entry));
    if (summary) (*summary)["keys"].push_back(without(entry, "value"));
  }
  for (const auto& entry : part.at("roles")) {
    m.roles.push_back(role_from_json(entry));
    if (summary) (*summary)["roles"].push_back(entry);
  }
}

// A part file through the manifest's per-process cache.
const ordered_json* part_of(const Manifest& m, const std::string& key) {
  auto it = m.parts_read->find(key);
  if (it != m.parts_read->end()) return &it->second;
  auto part = read_part(m.parts_dir, key);
  if (!part) return nullptr;
  return &m.parts_read->emplace(key, std::move(*part)).first->second;
}

// Whether a cached part holds a failure recorded under other import-path stamps: a plugin that
// could not be imported may load now that something was installed, so it is read again.
bool stale_failure(const ordered_json& part, const std::string& site_stamp) {
  auto it = part.find("site_stamp");
  return it != part.end() && (!it->is_string() || it->get<std::string>() != site_stamp);
}

bool has_failure(const ordered_json& part) {
  for (const char* group : {"explain", "keys", "roles"}) {
    auto g = part.find(group);
    if (g == part.end() || !g->is_array()) continue;
    for (const auto& entry : *g) {
      if (!entry.is_object()) continue;
      if (entry.contains("error")) return true;
      auto m = entry.find("method_errors");
      if (m != entry.end() && m->is_array() && !m->empty()) return true;
    }
  }
  return false;
}

// A part's bodies file through the same per-process cache.
const ordered_json* bodies_of(const Manifest& m, const std::string& key) {
  const std::string cache_key = key + ".bodies";
  auto it = m.parts_read->find(cache_key);
  if (it != m.parts_read->end()) return &it->second;
  auto j = read_json_file(bodies_file(m.parts_dir, key));
  if (!j || !cache_header_matches(*j, &key) || !(*j)["bodies"].is_object()) return nullptr;
  return &m.parts_read->emplace(cache_key, std::move(*j)).first->second;
}

bool names_any(const std::vector<const Registration*>& regs, const std::vector<std::string>& names) {
  return std::any_of(regs.begin(), regs.end(), [&](const Registration* r) {
    return std::find(names.begin(), names.end(), r->name) != names.end();
  });
}

Manifest manifest_from_summary(const ordered_json& s, const std::string& parts_dir) {
  Manifest m;
  m.fingerprint = str(s, "fingerprint");
  m.parts_dir = parts_dir;
  for (const auto& t : array_at(s, "explain")) m.topics.push_back(topic_from_json(t));
  for (const auto& k : array_at(s, "keys")) m.keys.push_back(keys_from_json(k));
  for (const auto& r : array_at(s, "roles")) m.roles.push_back(role_from_json(r));
  return m;
}

// Removes part files no summary refers to any more (upgraded or removed plugins).
void remove_unused_parts(const std::string& parts_dir, const std::set<std::string>& used) {
  for (const auto& name : list_directory(parts_dir)) {
    if (!name.ends_with(".json")) continue;
    const size_t suffix = name.ends_with(".bodies.json") ? 12 : 5;
    if (used.count(name.substr(0, name.size() - suffix))) continue;
    std::string path = join_path(parts_dir, name);
    (void)::remove(path.c_str());
  }
}

}  // namespace

ManifestError ManifestError::from_json(const ordered_json& j) {
  ManifestError e;
  if (!j.is_object()) {
    e.kind = "error";
    e.message = j.dump();
    return e;
  }
  e.kind = str(j, "kind");
  e.message = str(j, "message");
  e.entry_point = str(j, "entry_point");
  e.plugin = str(j, "plugin");
  e.method = str(j, "method");
  e.complexity = str(j, "complexity");
  e.traceback = str(j, "traceback");
  e.where = str(j, "where");
  e.hint = str(j, "hint");
  if (e.kind.empty()) e.kind = "error";
  return e;
}

ErrorKind ManifestError::error_kind() const {
  return kind == "host_unavailable" ? ErrorKind::host_unavailable : ErrorKind::other;
}

ordered_json ManifestError::to_json() const {
  ordered_json j = {{"kind", kind}, {"message", message}};
  for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"entry_point", &entry_point},
                             {"plugin", &plugin},
                             {"method", &method},
                             {"complexity", &complexity},
                             {"traceback", &traceback},
                             {"where", &where},
                             {"hint", &hint}}) {
    if (!v->empty()) j[k] = *v;
  }
  return j;
}

std::string ManifestError::source_location() const {
  // Frames read `  File "path", line N, in name`; the innermost one is the last.
  const std::string marker = "File \"";
  size_t at = traceback.rfind(marker);
  if (at == std::string::npos) return "";
  size_t start = at + marker.size();
  size_t end = traceback.find('"', start);
  if (end == std::string::npos) return "";
  std::string location = traceback.substr(start, end - start);
  const std::string line_marker = ", line ";
  if (traceback.compare(end + 1, line_marker.size(), line_marker) == 0) {
    size_t digits = end + 1 + line_marker.size();
    size_t stop = digits;
    while (stop < traceback.size() && std::isdigit(static_cast<unsigned char>(traceback[stop]))) ++stop;
    if (stop > digits) location += ":" + traceback.substr(digits, stop - digits);
  }
  return location;
}

std::string ManifestError::locate(const std::string& at_entry_point, const std::string& in_plugin) const {
  std::string where = at_entry_point + " (plugin " + in_plugin + ")";
  std::string location = source_location();
  return location.empty() ? where : location + ", entry point " + where;
}

const ExplainTopic* Manifest::topic(std::string_view name) const {
  for (const auto& t : topics) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const KeysEntry* Manifest::keys_entry(std::string_view name) const {
  for (const auto& k : keys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const RoleInfo* Manifest::role(std::string_view tag) const {
  for (const auto& r : roles) {
    if (r.tag == tag) return &r;
  }
  return nullptr;
}

std::string fingerprint_of(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = digits[hash & 0xf];
    hash >>= 4;
  }
  return out;
}

std::string site_stamp_of(const std::vector<std::string>& directories) {
  std::string text;
  for (const auto& dir : directories) {
    FileStamp stamp = stamp_of(dir);
    text += dir + '\0' + std::to_string(stamp.mtime_ns) + '\0' + std::to_string(stamp.inode) + '\n';
  }
  return fingerprint_of(text);
}

ManifestPlan plan_manifest(const PluginIndex& index, const std::string& environment) {
  ManifestPlan plan;
  std::vector<int> part_of(index.distributions.size(), -1);
  std::set<std::pair<Group, std::string>> seen;
  for (const auto& r : index.registrations) {
    if (r.group != Group::explanations && r.group != Group::templates && r.group != Group::roles) continue;
    // importlib's EntryPoints[name] picks the first; later ones are duplicates the index reports.
    if (!seen.insert({r.group, r.name}).second) continue;
    int& slot = part_of[static_cast<size_t>(r.distribution)];
    if (slot < 0) {
      slot = static_cast<int>(plan.parts.size());
      plan.parts.push_back({"", r.distribution, {}, {}, {}});
    }
    ManifestPart& part = plan.parts[static_cast<size_t>(slot)];
    (r.group == Group::explanations ? part.explain
     : r.group == Group::templates  ? part.keys
                                    : part.roles)
        .push_back(&r);
  }
  std::string all;
  for (auto& part : plan.parts) {
    const auto& d = index.distributions[static_cast<size_t>(part.distribution)];
    FileStamp stamp = metadata_stamp(d.metadata_dir);
    std::string text = std::to_string(kManifestFormat) + '\0' + environment + '\0' + d.name + '\0' + d.version + '\0' +
                       d.metadata_dir + '\0' + std::to_string(stamp.mtime_ns) + '\0' + std::to_string(stamp.inode) +
                       '\0' + std::to_string(stamp.size);
    for (const auto* group : {&part.explain, &part.keys, &part.roles}) {
      text += '\1';
      for (const auto* r : *group) text += r->name + '\0' + r->value + '\0';
    }
    part.key = fingerprint_of(text);
    all += part.key + '\n';
  }
  plan.fingerprint = fingerprint_of(all);
  return plan;
}

ordered_json manifest_request(const PluginIndex& index, const std::vector<const ManifestPart*>& parts) {
  ordered_json params = {
      {"explain", ordered_json::object()}, {"keys", ordered_json::object()}, {"roles", ordered_json::object()}};
  for (const auto* part : parts) {
    const std::string& plugin = index.distributions[static_cast<size_t>(part->distribution)].name;
    for (const auto& [group, regs] :
         {std::pair{"explain", &part->explain}, std::pair{"keys", &part->keys}, std::pair{"roles", &part->roles}}) {
      for (const auto* r : *regs) params[group][r->name] = {{"target", r->value}, {"plugin", plugin}};
    }
  }
  return params;
}

namespace {

// Completion and single-topic commands read only the named plugins' parts when those are cached
// (and current, unless cached_only): no summary, no host.
std::optional<Manifest> manifest_from_named_parts(const ManifestPlan& plan, const ManifestOptions& options,
                                                  const std::string& parts_dir, bool summary_current) {
  Manifest m;
  m.parts_dir = parts_dir;
  m.fingerprint = plan.fingerprint;
  for (const auto& p : plan.parts) {
    if (!names_any(p.explain, options.topics) && !names_any(p.keys, options.templates)) continue;
    const ordered_json* part = part_of(m, p.key);
    if (!part || (!options.cached_only && stale_failure(*part, options.site_stamp))) return std::nullopt;
    add_part(m, *part, nullptr);
  }
  m.current = summary_current;
  return m;
}

// The whole manifest from the cached summary, when it is current (or cached_only takes what
// there is) and every part it names is still on disk.
std::optional<Manifest> manifest_from_cached_summary(const ManifestPlan& plan, const ManifestOptions& options,
                                                     const std::string& parts_dir, bool summary_current) {
  auto summary = read_json_file(summary_file(options.cache_dir));
  if (!summary || !cache_header_matches(*summary, nullptr) || !object_list(*summary, "explain") ||
      !object_list(*summary, "keys") || !object_list(*summary, "roles")) {
    return std::nullopt;
  }
  bool current = str(*summary, "fingerprint") == plan.fingerprint && !stale_failure(*summary, options.site_stamp);
  if (!options.cached_only && !current) return std::nullopt;
  try {
    Manifest m = manifest_from_summary(*summary, parts_dir);
    m.current = current;
    // A part removed behind our back is re-read rather than failing later.
    bool parts_present =
        options.cached_only || std::all_of(plan.parts.begin(), plan.parts.end(), [&](auto& p) {
          return is_regular_file(part_file(parts_dir, p.key)) && is_regular_file(bodies_file(parts_dir, p.key));
        });
    if (!parts_present) return std::nullopt;
    // A summary written before the fingerprint file existed (or whose file was lost).
    if (current && !summary_current) (void)write_file_atomic(fingerprint_file(options.cache_dir), plan.fingerprint);
    return m;
  } catch (const ordered_json::exception&) {
    return std::nullopt;  // a damaged summary is rebuilt from the parts
  }
}

// Asks the role host for the parts the cache lacks (`contents[i]` empty) and caches each. A
// host that fails leaves its error in `m.host_error` and every missing part carrying it; only
// a malformed reply is an error.
Status read_missing_parts(const PluginIndex& index, const ManifestPlan& plan, const ManifestOptions& options,
                          const ManifestHostCall& host_call, std::vector<std::optional<ordered_json>>& contents,
                          Manifest& m, std::vector<std::string>& write_errors) {
  std::vector<const ManifestPart*> missing;
  for (size_t i = 0; i < plan.parts.size(); ++i) {
    if (!contents[i]) missing.push_back(&plan.parts[i]);
  }
  m.parts_read_from_host = missing.size();
  if (missing.empty()) return std::nullopt;
  ordered_json params = manifest_request(index, missing);
  auto reply = host_call(params);
  if (!reply) {
    // The plugins read before stay usable from the cache; the others carry the host's error,
    // and nothing is cached so the next command tries again.
    m.host_error = reply.error();
    reply = failed_reply(params, *m.host_error);
  }
  for (size_t i = 0; i < plan.parts.size(); ++i) {
    if (contents[i]) continue;
    try {
      contents[i] = part_from_reply(index, plan.parts[i], *reply);
    } catch (const ordered_json::exception& e) {
      return Error(std::string("the role host's manifest reply is malformed: ") + e.what(), "",
                   "the chaos Python package in the plugin environment may not match this binary; see "
                   "`chaos doctor`");
    }
    if (m.host_error) continue;
    if (has_failure(*contents[i])) (*contents[i])["site_stamp"] = options.site_stamp;
    if (auto err = write_part(m.parts_dir, plan.parts[i].key, *contents[i])) write_errors.push_back(err->message);
  }
  return std::nullopt;
}

}  // namespace

Result<Manifest> load_manifest(const PluginIndex& index, const ManifestOptions& options,
                               const ManifestHostCall& host_call) {
  const std::string dir = manifest_dir(options.cache_dir);
  const std::string parts_dir = join_path(dir, "parts");
  ManifestPlan plan = plan_manifest(index, options.environment);

  // When the summary is current, the plugins wanted are read from their parts alone. When it is
  // not, the full path below brings it up to date (and drops the parts of removed plugins).
  auto stamped = read_regular_file(fingerprint_file(options.cache_dir));
  bool summary_current = stamped && *stamped == plan.fingerprint;
  // Completion (cached_only) takes the named plugins' parts whenever they are cached.
  if (options.only_named && (summary_current || options.cached_only) && !options.refresh) {
    if (auto m = manifest_from_named_parts(plan, options, parts_dir, summary_current)) return std::move(*m);
  }
  if (!options.refresh) {
    if (auto m = manifest_from_cached_summary(plan, options, parts_dir, summary_current)) return std::move(*m);
  }
  if (options.cached_only) {
    Manifest empty;
    empty.parts_dir = parts_dir;
    empty.current = plan.parts.empty();
    empty.fingerprint = plan.fingerprint;
    return empty;
  }

  std::vector<std::optional<ordered_json>> contents(plan.parts.size());
  for (size_t i = 0; i < plan.parts.size(); ++i) {
    if (!options.refresh) contents[i] = read_part(parts_dir, plan.parts[i].key);
    if (contents[i] && stale_failure(*contents[i], options.site_stamp)) contents[i].reset();
  }
  Manifest m;
  m.parts_dir = parts_dir;
  m.fingerprint = plan.fingerprint;
  std::vector<std::string> write_errors;
  if (auto err = read_missing_parts(index, plan, options, host_call, contents, m, write_errors)) return *err;
  ordered_json summary = {{"format", kManifestFormat},
                          {"fingerprint", plan.fingerprint},
                          {"explain", ordered_json::array()},
                          {"keys", ordered_json::array()},
                          {"roles", ordered_json::array()}};
  std::set<std::string> used;
  for (size_t i = 0; i < plan.parts.size(); ++i) {
    used.insert(plan.parts[i].key);
    if (contents[i]->contains("site_stamp")) summary["site_stamp"] = options.site_stamp;
    add_part(m, *contents[i], &summary);
    // Kept for read_explanation: parsed once, and those the host could not read are not on disk.
    m.parts_read->emplace(plan.parts[i].key, std::move(*contents[i]));
  }
  if (write_errors.empty() && !m.host_error) {
    // Parts first, summary last: a reader that sees the new summary finds every part it names.
    if (!write_file_atomic(summary_file(options.cache_dir), summary.dump()) &&
        !write_file_atomic(fingerprint_file(options.cache_dir), plan.fingerprint)) {
      remove_unused_parts(parts_dir, used);
    }
  }
  return m;
}

Result<ordered_json> read_explanation(const Manifest& manifest, const ExplainTopic& topic, const std::string& method,
                                      const std::string& complexity) {
  const std::string method_name = "explain_" + method;
  for (const auto& e : topic.method_errors) {
    if (e.method == method_name && e.complexity == complexity) {
      return Error(topic.name + ": " + method_name + "(\"" + complexity + "\") failed: " + e.message,
                   e.locate(topic.entry_point, topic.plugin),
                   "fix the plugin " + topic.plugin + ", or try another complexity with -c");
    }
  }
  // Bodies are in memory when this process read the plugin from the host, else on disk.
  const ordered_json* found = nullptr;
  if (const ordered_json* part = part_of(manifest, topic.part)) {
    for (const auto& entry : part->at("explain")) {
      if (str(entry, "name") == topic.name && entry.contains("explanations")) found = &entry["explanations"];
    }
  }
  if (!found) {
    if (const ordered_json* bodies = bodies_of(manifest, topic.part)) {
      auto it = bodies->at("bodies").find(topic.name);
      if (it != bodies->at("bodies").end()) found = &*it;
    }
  }
  if (found) {
    auto m = found->find(method);
    if (m != found->end() && m->is_object()) {
      auto level = m->find(complexity);
      if (level != m->end() && level->is_object()) return *level;
    }
    return Error(topic.name + ": " + method_name + "(\"" + complexity + "\") gave no explanation", topic.entry_point);
  }
  return Error("the plugin manifest cache has no explanations for topic `" + topic.name + "`",
               bodies_file(manifest.parts_dir, topic.part), "run the command again with `chaos -u` to re-read plugins");
}

Result<ordered_json> read_keys_value(const Manifest& manifest, const KeysEntry& entry) {
  const ordered_json* part = part_of(manifest, entry.part);
  if (part) {
    for (const auto& k : part->at("keys")) {
      if (str(k, "name") == entry.name) return k.value("value", ordered_json::array());
    }
  }
  return Error("the plugin manifest cache has no template for `" + entry.name + "`",
               part_file(manifest.parts_dir, entry.part), "run the command again with `chaos -u` to re-read plugins");
}

std::vector<IndexProblem> manifest_problems(const Manifest& manifest) {
  std::vector<IndexProblem> problems;
  // A role host that could not run at all is one problem, not one per entry it left unread.
  if (manifest.host_error) {
    problems.push_back({"host-unavailable", manifest.host_error->where,
                        "plugin code could not be inspected: " + manifest.host_error->message});
  }
  // Entries the host could not read, and targets that are not `module:attr` (the index
  // already reports those as bad-target), would only repeat another problem.
  auto unread = [](const std::optional<ManifestError>& e) {
    return e && (e->error_kind() == ErrorKind::host_unavailable ||
                 (!e->entry_point.empty() && !is_object_reference(e->entry_point)));
  };
  for (const auto& t : manifest.topics) {
    if (unread(t.error)) continue;
    if (t.error) {
      problems.push_back({"explain-broken", t.error->locate(t.entry_point, t.plugin),
                          t.plugin + ": explanation topic `" + t.name + "` cannot be loaded: " + t.error->message});
    }
    for (const auto& e : t.method_errors) {
      problems.push_back(
          {"explain-method", e.locate(t.entry_point, t.plugin),
           t.plugin + ": topic `" + t.name + "`: " + e.method + "(\"" + e.complexity + "\") failed: " + e.message});
    }
  }
  for (const auto& k : manifest.keys) {
    if (k.error && !unread(k.error)) {
      problems.push_back({"keys-broken", k.error->locate(k.entry_point, k.plugin),
                          k.plugin + ": template `" + k.name + "` cannot be used: " + k.error->message});
    }
  }
  for (const auto& r : manifest.roles) {
    if (r.error && !unread(r.error)) {
      problems.push_back({"role-broken", r.error->locate(r.entry_point, r.plugin),
                          r.plugin + ": role `" + r.tag + "` cannot be loaded: " + r.error->message});
    }
  }
  return problems;
}

}  // namespace chaos
