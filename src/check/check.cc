// check/: `chaos check WHAT` lists what installed plugins register. `--json` prints exactly what the
// original tool printed (a sorted list of names, or the alias map, indented by 2) because
// other tools parse it; `check plugins` is new and also lints the installation.
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "check/check.h"

#include "context/plugin_manifest.h"
#include "plugins/aliases.h"
#include "providers/providers.h"
#include "sops/sops.h"
#include "term/layout.h"

namespace chaos {
namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// Python's json.dumps(data, indent=2): same layout, non-ASCII escaped.
std::string python_style_dump(const ordered_json& value) { return value.dump(2, ' ', true) + "\n"; }

void print_problems(Context& ctx, const PluginIndex& index) {
  for (const auto& p : index.problems) {
    ctx.print_warning(p.message + (p.where.empty() ? "" : " (" + p.where + ")"));
  }
}

// Problems that are not in the index itself: aliases pointing nowhere, alias cycles.
std::vector<IndexProblem> alias_problems(const PluginIndex& index, const AliasTable& aliases) {
  std::vector<IndexProblem> problems;
  std::vector<std::string> names;
  for (const auto& alias : aliases.aliases) names.push_back(alias.name);
  if (expand_tags(aliases, names)) {
    // No cycle anywhere (one linear pass): each alias is checked for the targets it names itself,
    // so a long chain costs its length once, not once per alias in it.
    for (const auto& alias : aliases.aliases) {
      for (const auto& tag : alias.targets) {
        if (aliases.find(tag) || index.find(Group::roles, tag)) continue;
        problems.push_back(
            {"alias-target", alias.owner,
             "alias `" + alias.name + "` points at `" + tag + "`, which no installed plugin provides as a role"});
      }
    }
    return problems;
  }
  for (const auto& alias : aliases.aliases) {
    auto expanded = expand_tags(aliases, {alias.name});
    if (!expanded) {
      problems.push_back({"alias-cycle", alias.owner, "alias `" + alias.name + "`: " + expanded.error().message});
      continue;
    }
    for (const auto& tag : *expanded) {
      if (!index.find(Group::roles, tag)) {
        problems.push_back(
            {"alias-target", alias.owner,
             "alias `" + alias.name + "` points at `" + tag + "`, which no installed plugin provides as a role"});
      }
    }
  }
  return problems;
}

// Everything `check plugins` reports: the index's problems, alias problems, and what only
// running plugin code shows (explain classes, keys objects and roles that fail to load), read
// from the manifest cache; a role host starts only for plugins not read before.
std::vector<IndexProblem> plugin_problems(Context& ctx, const PluginIndex& index, const AliasTable& aliases) {
  std::vector<IndexProblem> problems = index.problems;
  for (auto& p : alias_problems(index, aliases)) problems.push_back(std::move(p));
  for (const auto& w : aliases.warnings) problems.push_back({"alias-override", "", w});
  if (!index.registrations.empty()) {
    auto manifest = load_plugin_manifest(ctx);
    if (!manifest) {
      problems.push_back({"host-unavailable", manifest.error().where,
                          "plugin code could not be inspected: " + manifest.error().message});
    } else {
      for (auto& p : manifest_problems(*manifest)) problems.push_back(std::move(p));
    }
  }
  return problems;
}

ordered_json plugins_json(const PluginIndex& index, const std::vector<IndexProblem>& problems) {
  ordered_json out = {{"distributions", ordered_json::array()}, {"problems", ordered_json::array()}};
  for (size_t i = 0; i < index.distributions.size(); ++i) {
    const auto& d = index.distributions[i];
    ordered_json registers = ordered_json::object();
    for (const auto& r : index.registrations) {
      if (r.distribution != static_cast<int>(i)) continue;
      registers[std::string(info_of(r.group).check_name)][r.name] = r.value;
    }
    ordered_json entry = {{"name", d.name},
                          {"version", d.version},
                          {"location", d.metadata_dir},
                          {"origin", d.origin},
                          {"registers", registers}};
    if (d.shadowed_by >= 0) entry["shadowed_by"] = index.distributions[static_cast<size_t>(d.shadowed_by)].metadata_dir;
    out["distributions"].push_back(entry);
  }
  // Every registration in use, in import-path order: what importlib.metadata.entry_points()
  // yields for the same environment, minus distributions hidden by an earlier copy.
  out["registrations"] = ordered_json::array();
  for (const auto& r : index.registrations) {
    out["registrations"].push_back({{"group", std::string(info_of(r.group).entry_point_group)},
                                    {"name", r.name},
                                    {"value", r.value},
                                    {"distribution", index.owner(r).name}});
  }
  for (const auto& p : problems)
    out["problems"].push_back({{"kind", p.kind}, {"where", p.where}, {"message", p.message}});
  return out;
}

// One distribution: name, version, where, and what it registers per group.
std::string render_distribution(const PluginIndex& index, size_t i, const Painter& paint) {
  const auto& d = index.distributions[i];
  std::string text =
      paint(Tone::bold, d.name) + " " + paint(Tone::green, d.version) + "  " + paint(Tone::dim, d.metadata_dir) + "\n";
  if (d.shadowed_by >= 0) {
    return text + "  " + paint(Tone::yellow, "hidden by an earlier copy: ") +
           index.distributions[static_cast<size_t>(d.shadowed_by)].metadata_dir + "\n";
  }
  for (const auto& g : all_groups()) {
    std::string line;
    for (const auto& r : index.registrations) {
      if (r.distribution != static_cast<int>(i) || r.group != g.group) continue;
      line += (line.empty() ? "" : ", ") + paint(Tone::cyan, r.name);
      line += g.group == Group::aliases ? " → " + r.value : "";
    }
    if (!line.empty()) text += "  " + std::string(g.check_name) + ": " + line + "\n";
  }
  return text;
}

std::string render_plugins(const PluginIndex& index, const std::vector<IndexProblem>& problems, const Painter& paint) {
  std::string text;
  if (index.distributions.empty()) text += paint(Tone::yellow, "No chaos plugins are installed.") + "\n";
  for (size_t i = 0; i < index.distributions.size(); ++i) text += render_distribution(index, i, paint);
  if (!problems.empty()) {
    text += "\n" +
            paint(Tone::red, std::to_string(problems.size()) + (problems.size() == 1 ? " problem:" : " problems:")) +
            "\n";
    for (const auto& p : problems) {
      text += "  " + paint(Tone::red, "✗") + " " + p.message + "\n";
      if (!p.where.empty()) text += "    " + paint(Tone::dim, p.where) + "\n";
    }
  } else if (!index.distributions.empty()) {
    text += "\n" + paint(Tone::green, "No problems found.") + "\n";
  }
  return text;
}

int check_plugins(Context& ctx, const PluginIndex& index, const AliasTable& aliases, bool as_json) {
  std::vector<IndexProblem> problems = plugin_problems(ctx, index, aliases);
  std::string text = as_json ? plugins_json(index, problems).dump(2) + "\n" : render_plugins(index, problems, ctx.out);
  std::fputs(text.c_str(), stdout);
  return problems.empty() ? kExitOk : kExitFailure;
}

int check_aliases(Context& ctx, const PluginIndex& index, const AliasTable& aliases, bool as_json) {
  for (const auto& w : aliases.warnings) ctx.print_warning(w);
  print_problems(ctx, index);
  if (as_json) {
    ordered_json map = ordered_json::object();
    for (const auto& a : aliases.aliases) {
      map[a.name] = a.written_as_list ? ordered_json(a.targets) : ordered_json(a.text);
    }
    std::fputs(python_style_dump(map).c_str(), stdout);
    return kExitOk;
  }
  if (aliases.aliases.empty()) {
    std::fputs((ctx.out(Tone::yellow, "No aliases found.") + "\n").c_str(), stdout);
    return kExitOk;
  }
  if (!ctx.stdout_is_terminal) {
    for (const auto& a : aliases.aliases) std::printf("%s\t%s\n", a.name.c_str(), a.text.c_str());
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : aliases.aliases) rows.push_back({a.name, a.text, a.from_config ? "config" : a.owner});
  std::string text =
      ctx.out(Tone::bold, "Available aliases") + "\n" + render_table({"Alias", "Maps to", "From"}, rows, ctx.out);
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

int check_group(Context& ctx, const PluginIndex& index, Group group, bool as_json) {
  print_problems(ctx, index);
  std::vector<std::string> names = index.names(group);
  if (group == Group::providers) {
    // The built-in providers come first: they are chaos' own, not entry points of a plugin.
    std::vector<std::string> all;
    for (const auto& p : builtin_providers()) all.push_back(p.name);
    for (auto& n : names)
      if (find_builtin_provider(n) == nullptr) all.push_back(std::move(n));
    names = std::move(all);
  }
  const auto& info = info_of(group);
  if (as_json) {
    std::fputs(python_style_dump(ordered_json(names)).c_str(), stdout);
    return kExitOk;
  }
  if (names.empty()) {
    std::string text = ctx.out(Tone::yellow, "No " + std::string(info.check_name) + " found.") + "\n";
    if (group == Group::roles) {
      text += "Install a plugin into the plugin environment (see `chaos doctor`), e.g. pip install my-chaos-plugin\n";
    }
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  if (!ctx.stdout_is_terminal) {
    for (const auto& n : names) std::printf("%s\n", n.c_str());
    return kExitOk;
  }
  std::string title = "Available " + std::string(info.check_name) + " (" + std::to_string(names.size()) + ")";
  std::string text = ctx.out(Tone::bold, title) + "\n" + render_columns(names, ctx.width, ctx.out);
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

// The key paths of the decrypted secrets, never their values. Needs no plugin.
int check_secrets(Context& ctx, const GlobalConfig& config, bool json) {
  auto doc = decrypt_configured_secrets(config, ctx.paths, {});
  if (!doc) {
    ctx.print_error(doc.error());
    return kExitFailure;
  }
  auto paths = secret_key_paths(doc->data);
  if (json) {
    std::printf("%s\n", nlohmann::json(paths).dump(2).c_str());
  } else {
    for (const auto& p : paths) std::printf("%s\n", p.c_str());
  }
  return kExitOk;
}

}  // namespace

int run_check(Context& ctx, const CheckOptions& opts) {
  if (opts.what == "secrets") {
    const auto& config = ctx.config();
    if (!config) return ctx.print_error(config.error()), kExitFailure;
    return check_secrets(ctx, *config, opts.json);
  }
  const auto& index = ctx.plugin_index();
  if (!index) {
    ctx.print_error(index.error());
    return kExitFailure;
  }
  const auto& config = ctx.config();
  if (!config) {
    ctx.print_error(config.error());
    return kExitFailure;
  }
  AliasTable aliases = merge_aliases(*index, *config);
  if (opts.what == "plugins") return check_plugins(ctx, *index, aliases, opts.json);
  if (opts.what == "aliases") return check_aliases(ctx, *index, aliases, opts.json);
  return check_group(ctx, *index, *group_from_check_name(opts.what), opts.json);
}

}  // namespace chaos
