// chaos secrets print|cat|list|edit|rotate-add|rotate-rm|set-shamir|export|import: arguments only;
// the work is secrets/'s.
#include "secrets/secrets.h"
#include "cli/commands.h"
#include "cli/provider_options.h"

namespace chaos {
namespace {

void add_team_option(CLI::App* cmd, SecretFileOverrides& files) {
  cmd->add_option("-t,--team", files.team,
                  "COMPANY.TEAM[.GROUP]: the team repository's files under $CHAOS_TEAMS_DIR (-sf/-ss then relative "
                  "to it)");
}

// -sf and -ss (the original's spellings) are rewritten to these long forms (argv_rewrite.cc).
void add_file_options(CLI::App* cmd, SecretsOptions& opts) {
  cmd->add_option("--secrets-file", opts.files.secrets_file,
                  "The sops-encrypted secrets file (also -sf; default: secrets_file in config.yml)");
  cmd->add_option("--sops-file", opts.files.sops_config,
                  "The sops config (also -ss; default: sops_file in config.yml)");
  add_team_option(cmd, opts.files);
  add_provider_options(cmd, opts.provider);
}

// The providers' own export options, by long name; which provider takes which is checked when
// the command runs (docs/secrets-providers.md).
constexpr const char* kExportOptions[][2] = {
    {"organization-id", "bw: the organization to create the item in"},
    {"collection-id", "bw: the collection (needs --organization-id)"},
    {"vault", "op: the vault (default Private)"},
    {"op-location", "op: the field holding the key: password (default) or notesPlain"},
    {"tags", "op: comma-separated tags"},
    {"project-name", "dp: the Doppler project (default: secret_providers.dp.project_name)"},
    {"config-name", "dp: the Doppler config"},
    {"visibility", "dp: masked (default), unmasked or restricted"},
    {"note", "dp: a note on the secret"},
    {"env-name", "in: the Infisical environment (default dev)"},
    {"secret-path", "in: the folder (default /)"},
    {"project-id", "in: the Infisical project"},
    {"secret-type", "in: shared (default) or personal"},
};

void define_transfer_commands(CLI::App* cmd, const std::shared_ptr<SecretsOptions>& opts,
                              const std::function<std::function<void()>(const char*)>& run) {
  KeyTransferOptions& t = opts->transfer;
  auto* exp = cmd->add_subcommand("export", "Store a sops key (age, gpg or a Vault token) in a password manager");
  exp->add_option("provider", t.provider, "bw, bws, rbw, op, dp, in, or a plugin provider's name")->required();
  exp->add_option("-t,--key-type", t.key_type, "age, gpg or vault")->required();
  exp->add_option("-n,--item-name", t.item_name, "The new item's name")->required();
  exp->add_option("-k,--key-file", t.key_file,
                  "The key: an age key file, a file holding a Vault token (default: stdin when piped, else chaos' own "
                  "age key)");
  exp->add_option("-f,--fingerprints", t.fingerprints, "gpg: the keys to export (fingerprints)");
  exp->add_option("-a,--vault-addr", t.vault_address, "vault: the Vault address (default $VAULT_ADDR)");
  exp->add_flag("-N,--no-import", t.no_import, "Mark the item `# NO-IMPORT`: usable with -p, refused by import");
  exp->add_flag("-s,--save-to-config", t.save_to_config, "Record the item under secret_providers in config.yml");
  for (const auto& [name, help] : kExportOptions) {
    std::string key = name;
    exp->add_option_function<std::string>(
           std::string("--") + name, [opts, key](const std::string& v) { opts->transfer.options[key] = v; }, help)
        ->group("Provider options");
  }
  exp->add_option_function<std::vector<std::string>>(
         "-O,--option",
         [opts](const std::vector<std::string>& values) {
           for (const auto& v : values) {
             auto eq = v.find('=');
             opts->transfer.options[v.substr(0, eq)] = eq == std::string::npos ? "" : v.substr(eq + 1);
           }
         },
         "KEY=VALUE for a plugin provider's own options")
      ->group("Provider options");
  exp->callback(run("export"));

  auto* imp = cmd->add_subcommand("import", "Install a sops key kept in a password manager on this machine");
  imp->add_option("provider", t.provider, "bw, bws, rbw, op, dp, in, or a plugin provider's name")->required();
  imp->add_option("-t,--key-type", t.key_type, "age, gpg or vault")->required();
  imp->add_option("-i,--item-id", t.item, "The item (as --from-PROVIDER takes it)")->required();
  imp->add_option("-o,--output", t.output,
                  "age: the key file to add it to (default: chaos' own, $CHAOS_CONFIG_DIR/keys.txt); vault: the token "
                  "file (default ~/.vault-token)");
  imp->callback(run("import"));
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
  add_team_option(list, opts->files);
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
    add_team_option(sub, opts->files);
    sub->add_flag("-u,--update,-y,--i-know-what-im-doing", opts->update,
                  "Re-encrypt the secrets file for the new keys without asking (also -ikwid)");
    add_provider_options(sub, opts->provider);
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
  add_team_option(shamir, opts->files);
  shamir->add_flag("-u,--update,-y,--i-know-what-im-doing", opts->update,
                   "Re-encrypt the secrets file without asking (also -ikwid)");
  add_provider_options(shamir, opts->provider);
  shamir->callback(run("set-shamir"));

  auto* edit = cmd->add_subcommand("edit", "Edit the secrets in $EDITOR through sops (re-encrypted on save)");
  add_file_options(edit, *opts);
  edit->callback(run("edit"));

  define_transfer_commands(cmd, opts, run);

  cmd->footer(R"(Where the files are: -sf / -ss, else secrets_file / sops_file in config.yml (`chaos set`),
else the default Ch-obolo's `secrets: {sec_file, sec_sops}`. sops finds its key the usual way
($SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt, your gpg keys), or chaos' own age key
($CHAOS_CONFIG_DIR/keys.txt) when nothing else names one, or a password manager holds it:
-p PROVIDER.KEYTYPE or --from-bw ITEM age (bw, bws, rbw, op, dp, in, or a plugin provider); the
key then stays in memory. Decrypted values stay in memory too: they are never written to a file,
and never shown by `chaos check secrets`. See `chaos explain secrets` and docs/secrets-providers.md.

  chaos secrets export bw -t age -n laptop -k ~/.config/chaos/keys.txt --save-to-config
  chaos secrets cat db.password -v -p bw.age
  chaos secrets import bw -t age -i ITEM-ID)");
}

}  // namespace chaos
