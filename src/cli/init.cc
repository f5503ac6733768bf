// chaos init chobolo|plugin: starting files. `chobolo` merges the key templates plugins
// register (read from the cached manifest) into a Ch-obolo; `plugin` writes a plugin skeleton
// that installs and applies as it is.
#include <algorithm>
#include <cstdio>
#include <set>

#include "cli/commands.h"
#include "context/plugin_manifest.h"
#include "init/chobolo_template.h"
#include "init/output_file.h"
#include "init/plugin_scaffold.h"
#include "util/fs.h"
#include "util/text.h"

namespace chaos {
namespace {

struct ChoboloOptions {
  std::vector<std::string> targets;
  std::string output;
  bool print = false;
  bool json = false;
  bool force = false;
};

struct PluginOptions {
  std::string name;
  std::string role;
  std::string alias;
  std::string directory;
  bool force = false;
};

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
  std::vector<std::string> plugin_names = index->names(Group::templates);
  const bool builtin_fleet = std::find(plugin_names.begin(), plugin_names.end(), "fleet") == plugin_names.end();
  std::vector<std::string> available = plugin_names;
  if (builtin_fleet) available.push_back("fleet");

  std::vector<std::string> selected;
  if (opts.targets.empty()) {
    selected = available;  // plugins in name order, then the fleet block
  } else {
    std::vector<std::string> unknown;
    for (const auto& t : opts.targets) {
      if (std::find(available.begin(), available.end(), t) == available.end()) {
        unknown.push_back(t);
      } else if (std::find(selected.begin(), selected.end(), t) == selected.end()) {
        selected.push_back(t);
      }
    }
    if (!unknown.empty()) {
      for (auto& u : unknown) u = "`" + u + "`";
      ctx.print_error(Error("no key template named " + join(unknown), "",
                            "available: " + join(available) + " (`chaos check templates` lists them)"));
      return kExitUsage;
    }
  }

  std::optional<Manifest> manifest;
  if (std::any_of(selected.begin(), selected.end(), [&](const auto& s) { return s != "fleet" || !builtin_fleet; })) {
    ManifestOptions request;
    request.only_named = true;
    request.templates = selected;
    auto loaded = load_plugin_manifest(ctx, request);
    if (!loaded) {
      ctx.print_error(loaded.error());
      return kExitFailure;
    }
    manifest = std::move(*loaded);
  }

  const bool explicit_targets = !opts.targets.empty();
  bool failed = false;
  std::vector<TemplateSource> sources;
  for (const auto& name : selected) {
    if (name == "fleet" && builtin_fleet) {
      sources.push_back(fleet_template());
      continue;
    }
    const Registration* reg = index->find(Group::templates, name);
    const KeysEntry* entry = manifest->keys_entry(name);
    Result<ordered_json> value = Error("the plugin manifest has no template `" + name + "`", "",
                                       "run `chaos -u init chobolo` to re-read installed plugins");
    if (entry && entry->error && entry->error->error_kind() == ErrorKind::host_unavailable) {
      value = Error("key template `" + name + "` cannot be read: " + entry->error->message, entry->error->where,
                    entry->error->hint);
    } else if (entry && entry->error) {
      value =
          Error("key template `" + name + "` cannot be used: " + entry->error->message,
                entry->error->locate(entry->entry_point, entry->plugin),
                "fix the plugin; the other templates are " + std::string(explicit_targets ? "not " : "") + "written");
    } else if (entry) {
      value = read_keys_value(*manifest, *entry);
    }
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
    std::string origin = "plugin " + (reg ? index->owner(*reg).name + " " + index->owner(*reg).version : entry->plugin);
    sources.push_back({name, origin, entry->entry_point, std::move(*value), ""});
  }
  if (failed) return kExitFailure;

  MergedTemplate merged = merge_templates(sources);
  for (const auto& w : merged.warnings) ctx.print_warning(w);

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

}  // namespace

void add_init_command(CLI::App& app, Context& ctx, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("init", "Create starting files: a Ch-obolo template, a plugin");
  cmd->require_subcommand(1);
  cmd->footer(R"(Examples:
  chaos init chobolo                write ch-obolo.yml from every installed plugin's keys
  chaos init chobolo my-role -t     print the keys one plugin documents
  chaos init plugin my-plugin       a new plugin in ./my-plugin)");

  auto chobolo = std::make_shared<ChoboloOptions>();
  CLI::App* c = cmd->add_subcommand("chobolo", "Write a Ch-obolo template from the keys installed plugins document");
  c->add_option("targets", chobolo->targets,
                "Key templates to include (`chaos check templates`); default: all, then `fleet`");
  c->add_option("-o,--output", chobolo->output, "Where to write it (default: ./ch-obolo.yml)")->type_name("PATH");
  c->add_flag("-t,--template", chobolo->print, "Print the template instead of writing a file");
  c->add_flag("-j,--json", chobolo->json, "Print the merged data as JSON (no comments; implies -t)");
  c->add_flag("-f,--force", chobolo->force, "Replace the output file if it exists");
  c->footer(R"(Each installed plugin may register a `chaos.keys` object: a list of mappings showing the
Ch-obolo keys its roles read. They are merged in order (templates named on the command line in
that order, otherwise by name) with a deep merge: mappings merge key by key, other values are
replaced by the later template. A root key two plugins define is reported. The built-in `fleet`
template adds a commented fleet block (`chaos explain fleet`).

Examples:
  chaos init chobolo                      ./ch-obolo.yml with every template
  chaos init chobolo my-role fleet -t     print two templates
  chaos init chobolo -o host.yml --force  replace host.yml
  chaos init chobolo --json               the merged data, for scripts

Exit status: 0 written, 1 the file exists (without --force) or a named template is broken,
2 an unknown template name.)");
  c->callback([&ctx, &exit_code, chobolo] { exit_code = run_init_chobolo(ctx, *chobolo); });

  auto plugin = std::make_shared<PluginOptions>();
  CLI::App* p = cmd->add_subcommand("plugin", "Write a new plugin that installs and applies as it is");
  p->add_option("name", plugin->name, "Distribution name, e.g. my-chaos-plugin")->required();
  p->add_option("--role", plugin->role, "Role tag (default: NAME without chaos- and -plugin)");
  p->add_option("--alias", plugin->alias, "Alias of the role (default: the tag's initials)");
  p->add_option("-o,--directory", plugin->directory, "Where to write it (default: ./NAME)")->type_name("DIR");
  p->add_flag("-f,--force", plugin->force, "Write into a non-empty directory, replacing the plugin's files");
  p->footer(R"(The plugin follows the plugin development guide: pyproject.toml (built with hatchling, as
setuptools rejects alias values such as "my-role") registering a role, an explanation topic,
an alias and a key template, with the other entry-point groups commented; a Role class whose
delta lists missing directories and whose plan creates them with pyinfra's files.directory;
an explanation class with sub-topics; the key template.

Examples:
  chaos init plugin my-chaos-plugin                   role my-chaos, alias mc
  chaos init plugin chaos-webserver --role web --alias w
  chaos init plugin acme -o plugins/acme)");
  p->callback([&ctx, &exit_code, plugin] { exit_code = run_init_plugin(ctx, *plugin); });
}

}  // namespace chaos
