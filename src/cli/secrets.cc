// chaos secrets print|cat|list|edit|rotate-add|rotate-rm|set-shamir: arguments only; the work
// is secrets/'s.
#include "secrets/secrets.h"
#include "cli/commands.h"

namespace chaos {
namespace {

// -sf and -ss (the original's spellings) are rewritten to these long forms (argv_rewrite.cc).
void add_file_options(CLI::App* cmd, SecretsOptions& opts) {
  cmd->add_option("--secrets-file", opts.files.secrets_file,
                  "The sops-encrypted secrets file (also -sf; default: secrets_file in config.yml)");
  cmd->add_option("--sops-file", opts.files.sops_config,
                  "The sops config (also -ss; default: sops_file in config.yml)");
}

}  // namespace

void define_secrets_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<SecretsOptions>();
  cmd->require_subcommand(1);
  auto run = [&ctx, &exit_code, opts](const char* action) {
    return [&ctx, &exit_code, opts, action] {
      opts->action = action;
      exit_code = run_secrets(ctx, *opts);
    };
  };

  auto* print = cmd->add_subcommand("print", "Decrypt the secrets file and print it (YAML as written, or --json)");
  add_file_options(print, *opts);
  print->add_flag("-s,--sops", opts->sops_config, "Print the sops config instead");
  print->add_flag("-j,--json", opts->json, "Print the secrets as JSON");
  print->callback(run("print"));

  auto* cat = cmd->add_subcommand("cat", "Print some keys of the secrets, by dot path (user_secrets.alice.password)");
  cat->add_option("keys", opts->keys, "Dot paths of the keys to print")->required();
  add_file_options(cat, *opts);
  cat->add_flag("-s,--sops", opts->sops_config, "Look the keys up in the sops config instead");
  cat->add_flag("-j,--json", opts->json, "Print one JSON object of the keys found");
  cat->add_flag("-v,--value", opts->value, "Print only the values (for scripts: `chaos secrets cat k -v | ...`)");
  cat->callback(run("cat"));

  auto* list = cmd->add_subcommand("list", "List the age, pgp or vault keys the sops config's creation rules name");
  list->add_option("type", opts->key_type, "age, pgp or vault")->required();
  list->add_option("--sops-file", opts->files.sops_config, "The sops config (also -ss)");
  list->add_flag("-j,--json", opts->json, "Print a JSON list");
  list->add_flag("-n,--no-pretty,-v,--value", opts->no_pretty, "One key per line (the default; kept for scripts)");
  list->callback(run("list"));

  auto add_rotation = [&](const char* name, const char* summary) {
    auto* sub = cmd->add_subcommand(name, summary);
    sub->add_option("type", opts->key_type, "age or pgp")->required()->check(CLI::IsMember({"age", "pgp", "vault"}));
    sub->add_option("keys", opts->keys, "age public keys (age1...) or gpg fingerprints")->required();
    sub->add_option("-i,--index", opts->rule, "Only this creation rule (numbered from 0); default: every rule");
    sub->add_option("--sops-file", opts->files.sops_config, "The sops config (also -ss)");
    sub->add_option("--secrets-file", opts->files.secrets_file, "The secrets file to re-encrypt (also -sf)");
    sub->add_flag("-u,--update,-y,--i-know-what-im-doing", opts->update,
                  "Re-encrypt the secrets file for the new keys without asking (also -ikwid)");
    return sub;
  };
  auto* add = add_rotation("rotate-add", "Add keys to the sops config's creation rules (comments kept)");
  add->add_flag("--create", opts->create_group, "Add a new key group with these keys to each rule (also -cr)");
  add->callback(run("rotate-add"));
  add_rotation("rotate-rm", "Remove keys from the sops config's creation rules")->callback(run("rotate-rm"));

  auto* shamir = cmd->add_subcommand("set-shamir", "Set how many key groups it takes to decrypt (0 removes it)");
  shamir->add_option("index", opts->rule, "The creation rule (numbered from 0)")->required();
  shamir->add_option("threshold", opts->shamir, "Key groups needed; 0 or less removes the threshold")->required();
  shamir->add_option("--sops-file", opts->files.sops_config, "The sops config (also -ss)");
  shamir->add_option("--secrets-file", opts->files.secrets_file, "The secrets file to re-encrypt (also -sf)");
  shamir->add_flag("-u,--update,-y,--i-know-what-im-doing", opts->update,
                   "Re-encrypt the secrets file without asking (also -ikwid)");
  shamir->callback(run("set-shamir"));

  auto* edit = cmd->add_subcommand("edit", "Edit the secrets in $EDITOR through sops (re-encrypted on save)");
  add_file_options(edit, *opts);
  edit->callback(run("edit"));

  cmd->footer(R"(Where the files are: -sf / -ss, else secrets_file / sops_file in config.yml (`chaos set`),
else the default Ch-obolo's `secrets: {sec_file, sec_sops}`. sops finds its key the usual way
($SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt, your gpg keys), or chaos' own age key
($CHAOS_CONFIG_DIR/keys.txt) when nothing else names one. Decrypted values stay in memory: they
are never written to a file, and never shown by `chaos check secrets`. See `chaos explain secrets`.)");
}

}  // namespace chaos
