// chaos init chobolo|plugin: arguments only; the files are written by init/.
#include "init/init.h"
#include "cli/commands.h"
#include "init/secrets_setup.h"

namespace chaos {

void define_init_command(CLI::App* cmd, Context& ctx, int& exit_code) {
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

  auto secrets = std::make_shared<SecretsSetupOptions>();
  CLI::App* s = cmd->add_subcommand("secrets", "Set up secrets: a key, a sops config, an encrypted secrets file");
  s->add_option("--engine", secrets->engine, "age (default when age-keygen is installed) or gpg")
      ->check(CLI::IsMember({"age", "gpg", "pgp"}));
  s->add_option("--age-key", secrets->age_key,
                "Use this existing age identity file (default: $CHAOS_CONFIG_DIR/keys.txt)");
  s->add_flag("--new-key", secrets->new_key,
              "Generate a new keys.txt even if one exists (needs --force; the old one is backed up)");
  s->add_option("--gpg-fingerprint", secrets->gpg_fingerprint, "With --engine gpg: the key to encrypt for (gpg -K)");
  s->add_option("--sops-config", secrets->sops_config,
                "Where to write the sops config (default: $CHAOS_CONFIG_DIR/sops-config.yml)");
  s->add_option("--secrets-file", secrets->secrets_file,
                "Where to create the secrets file (default: $CHAOS_CONFIG_DIR/secrets.yml)");
  s->add_flag("-y,--yes", secrets->yes, "Take the defaults; ask nothing");
  s->add_flag("--force", secrets->force, "Replace an existing sops config or secrets file (each is backed up first)");
  s->footer(R"(Writes the sops config (one creation rule for files named secrets*.yml/json), a secrets file
with a sample entry encrypted for your key, and secrets_file / sops_file in config.yml. An
existing age key in $CHAOS_CONFIG_DIR/keys.txt is used, never overwritten without --new-key
--force. Nothing existing is replaced without --force, and then it is moved aside first.

Examples:
  chaos init secrets -y                                   age, all defaults
  chaos init secrets --engine gpg --gpg-fingerprint 0123...CDEF)");
  s->callback([&ctx, &exit_code, secrets] { exit_code = run_init_secrets(ctx, *secrets); });
}

}  // namespace chaos
