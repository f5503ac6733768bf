// init/: `chaos init chobolo|plugin`: starting files. `chobolo` merges the key templates plugins
// register (read from the cached manifest) into a Ch-obolo; `plugin` writes a plugin skeleton
// that installs and applies as it is.
#include <algorithm>
#include <cstdio>
#include <set>

#include "context/plugin_manifest.h"
#include "init/chobolo_template.h"
#include "init/init.h"
#include "init/output_file.h"
#include "init/plugin_scaffold.h"
#include "util/fs.h"
#include "util/text.h"

namespace chaos {
namespace {

// The templates to write: the named ones in the order given (an unknown name is a usage error),
// or all of them (plugins in name order, then the fleet block).
Result<std::vector<std::string>> select_templates(const std::vector<std::string>& available,
                                                  const std::vector<std::string>& targets) {
  if (targets.empty()) return available;
  std::vector<std::string> selected, unknown;
  for (const auto& t : targets) {
    if (std::find(available.begin(), available.end(), t) == available.end()) {
      unknown.push_back("`" + t + "`");
    } else if (std::find(selected.begin(), selected.end(), t) == selected.end()) {
      selected.push_back(t);
    }
  }
  if (!unknown.empty()) {
    return Error("no key template named " + join(unknown), "",
                 "available: " + join(available) + " (`chaos check templates` lists them)");
  }
  return selected;
}

// One plugin template's value, or why it cannot be used.
Result<ordered_json> plugin_template_value(const Manifest& manifest, const KeysEntry* entry, const std::string& name,
                                           bool explicit_targets) {
  if (!entry) {
    return Error("the plugin manifest has no template `" + name + "`", "",
                 "run `chaos -u init chobolo` to re-read installed plugins");
  }
  if (entry->error && entry->error->error_kind() == ErrorKind::host_unavailable) {
    return Error("key template `" + name + "` cannot be read: " + entry->error->message, entry->error->where,
                 entry->error->hint);
  }
  if (entry->error) {
    return Error("key template `" + name + "` cannot be used: " + entry->error->message,
                 entry->error->locate(entry->entry_point, entry->plugin),
                 "fix the plugin; the other templates are " + std::string(explicit_targets ? "not " : "") + "written");
  }
  return read_keys_value(manifest, *entry);
}

// The sources of the merged template, in selection order. A template that cannot be used is an
// error when it was named (nothing is written) and a warning otherwise (it is skipped).
std::optional<std::vector<TemplateSource>> template_sources(Context& ctx, const PluginIndex& index,
                                                            const Manifest* manifest,
                                                            const std::vector<std::string>& selected,
                                                            bool builtin_fleet, bool explicit_targets) {
  bool failed = false;
  std::vector<TemplateSource> sources;
  for (const auto& name : selected) {
    if (name == "fleet" && builtin_fleet) {
      sources.push_back(fleet_template());
      continue;
    }
    const KeysEntry* entry = manifest->keys_entry(name);
    auto value = plugin_template_value(*manifest, entry, name, explicit_targets);
    if (!value) {
      if (explicit_targets) {
        ctx.print_error(value.error());
        failed = true;
      } else {
        Error e = value.error();
        ctx.print_warning(e.message + (e.where.empty() ? "" : " (" + e.where + ")") + "; skipped");
      }
      continue;
    }
    const Registration* reg = index.find(Group::templates, name);
    std::string origin = "plugin " + (reg ? index.owner(*reg).name + " " + index.owner(*reg).version : entry->plugin);
    sources.push_back({name, origin, entry->entry_point, std::move(*value), ""});
  }
  if (failed) return std::nullopt;
  return sources;
}

int write_chobolo(Context& ctx, const ChoboloOptions& opts, const MergedTemplate& merged,
                  const std::vector<TemplateSource>& sources) {
  if (opts.json) {
    std::fputs((merged.data.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n").c_str(), stdout);
    return kExitOk;
  }
  std::string text = template_yaml(merged, sources);
  if (opts.print) {
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  std::string path = opts.output.empty() ? "ch-obolo.yml" : opts.output;
  if (auto err = write_user_file(path, text, opts.force)) {
    if (is_exists_error(*err)) {
      err->hint = "use --force to replace it, -o PATH to write elsewhere, or -t to print the template";
    }
    ctx.print_error(*err);
    return kExitFailure;
  }
  std::vector<std::string> names;
  for (const auto& s : sources) names.push_back(s.name);
  std::string out = ctx.out(Tone::green, "Wrote " + path) + " with the keys of " + join(names) + ".\n";
  out += "Edit it, then: chaos apply TAG -c " + path + "\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

int run_init_chobolo(Context& ctx, const ChoboloOptions& opts) {
  // The built-in fleet template alone needs no plugin environment.
  const bool fleet_only = !opts.targets.empty() && std::all_of(opts.targets.begin(), opts.targets.end(),
                                                               [](const auto& t) { return t == "fleet"; });
  const auto& loaded_index = ctx.plugin_index();
  if (!loaded_index && !fleet_only) {
    ctx.print_error(loaded_index.error());
    return kExitFailure;
  }
  const PluginIndex no_plugins;
  const PluginIndex* index = loaded_index ? &*loaded_index : &no_plugins;
  // A plugin may register its own `fleet` template; it then replaces the built-in one.
  std::vector<std::string> available = index->names(Group::templates);
  const bool builtin_fleet = std::find(available.begin(), available.end(), "fleet") == available.end();
  if (builtin_fleet) available.push_back("fleet");
  auto selected = select_templates(available, opts.targets);
  if (!selected) {
    ctx.print_error(selected.error());
    return kExitUsage;
  }
  std::optional<Manifest> manifest;
  if (std::any_of(selected->begin(), selected->end(), [&](const auto& s) { return s != "fleet" || !builtin_fleet; })) {
    ManifestOptions request;
    request.only_named = true;
    request.templates = *selected;
    auto loaded = load_plugin_manifest(ctx, request);
    if (!loaded) {
      ctx.print_error(loaded.error());
      return kExitFailure;
    }
    manifest = std::move(*loaded);
  }
  auto sources =
      template_sources(ctx, *index, manifest ? &*manifest : nullptr, *selected, builtin_fleet, !opts.targets.empty());
  if (!sources) return kExitFailure;
  MergedTemplate merged = merge_templates(*sources);
  for (const auto& w : merged.warnings) ctx.print_warning(w);
  return write_chobolo(ctx, opts, merged, *sources);
}

int run_init_plugin(Context& ctx, const PluginOptions& opts) {
  auto names = scaffold_names(opts.name, opts.role, opts.alias);
  if (!names) {
    ctx.print_error(names.error());
    return kExitUsage;
  }
  std::string dir = opts.directory.empty() ? opts.name : opts.directory;
  if (!list_directory(dir).empty() && !opts.force) {
    ctx.print_error(Error(dir + " exists and is not empty", dir,
                          "choose another directory with -o, or --force to write the plugin's files into it"));
    return kExitFailure;
  }
  // The plugin's own directory and its subdirectories are chaos's to create; the directory it
  // goes in must exist (a mistyped -o is an error, not a new tree).
  if (auto err = require_parent_directory(dir)) {
    ctx.print_error(*err);
    return kExitFailure;
  }
  auto files = plugin_scaffold(*names);
  for (const auto& f : files) {
    std::string path = join_path(dir, f.path);
    if (auto err = make_directories(parent_path(path), 0755)) {
      ctx.print_error(*err);
      return kExitFailure;
    }
    if (auto err = write_user_file(path, f.content, opts.force)) {
      if (is_exists_error(*err)) err->hint = "use --force to replace the plugin's files";
      ctx.print_error(*err);
      return kExitFailure;
    }
  }
  const auto& n = *names;
  const Painter& p = ctx.out;
  std::string pip = "python -m pip";
  if (const auto& env = ctx.python_env(); env) pip = env->interpreter + " -m pip";
  std::string text = p(Tone::green, "Created plugin " + n.distribution) + " in " + dir + "/\n";
  for (const auto& f : files) text += "  " + p(Tone::cyan, f.path) + "\n";
  text += "\nIt registers the role " + p(Tone::bold, n.role) + " (class " + n.role_class + "), the alias " +
          p(Tone::bold, n.alias) + ", the explanation topic " + n.role + " and the key template " + n.role + " (`" +
          n.chobolo_key + "`).\n\nNext:\n";
  for (const std::string& step :
       {pip + " install ./" + dir, std::string("chaos check plugins"), "chaos explain " + n.role,
        "chaos init chobolo " + n.role + " -o ch-obolo.yml", "chaos apply " + n.role + " -c ch-obolo.yml --dry"}) {
    text += "  " + step + "\n";
  }
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace chaos
