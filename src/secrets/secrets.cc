#include "secrets/secrets.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>

#include "context/provider_host.h"
#include "sops/sops_config.h"
#include "term/prompt.h"
#include "util/fs.h"
#include "util/position.h"
#include "util/process.h"
#include "util/signals.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

Result<SecretFiles> files_for(Context& ctx, const SecretFileOverrides& overrides, Needs needs) {
  const auto& config = ctx.config();
  if (!config) return config.error();
  return resolve_secret_files(*config, overrides, ctx.paths.home, needs);
}

// sops as this command runs it: with the keys -p / --from-X read from a password manager.
Result<SopsSetup> sops_setup(Context& ctx, const SecretsOptions& opts) {
  SopsSetup setup = sops_setup_for(ctx.paths);
  auto keys = requested_provider_keys(ctx, opts.provider, provider_call_with_new_host(ctx));
  if (!keys) return keys.error();
  setup.keys = std::move(*keys);
  return setup;
}

Result<SecretsDocument> decrypt_secrets(Context& ctx, const SecretsOptions& opts) {
  const auto& config = ctx.config();
  if (!config) return config.error();
  auto keys = requested_provider_keys(ctx, opts.provider, provider_call_with_new_host(ctx));
  if (!keys) return keys.error();
  return decrypt_configured_secrets(*config, ctx.paths, opts.files, std::move(*keys));
}

// The sops config, found (-ss, config.yml, the Ch-obolo) and read: what -s, list, rotate-* and
// set-shamir work on.
struct SopsConfigText {
  SecretFiles files;
  std::string text;
};

Result<SopsConfigText> read_sops_config(Context& ctx, const SecretFileOverrides& overrides) {
  auto files = files_for(ctx, overrides, Needs::sops_config);
  if (!files) return files.error();
  auto text = read_regular_file(files->sops_config);
  if (!text) return text.error();
  return SopsConfigText{std::move(*files), std::move(*text)};
}

void print_text(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
}

int print_secrets(Context& ctx, const SecretsOptions& opts) {
  if (opts.sops_config) {
    auto config = read_sops_config(ctx, opts.files);
    if (!config) return ctx.print_error(config.error()), kExitFailure;
    print_text(config->text);
    return kExitOk;
  }
  auto doc = decrypt_secrets(ctx, opts);
  if (!doc) return ctx.print_error(doc.error()), kExitFailure;
  if (doc->data.empty()) {
    std::fprintf(stderr, "No secrets found to print.\n");
    return kExitOk;
  }
  print_text(opts.json ? doc->data.dump(2) : doc->text);
  return kExitOk;
}

int cat_secrets(Context& ctx, const SecretsOptions& opts) {
  ordered_json data;
  std::string source;
  if (opts.sops_config) {
    auto config = read_sops_config(ctx, opts.files);
    if (!config) return ctx.print_error(config.error()), kExitFailure;
    auto parsed = parse_yaml(config->text, config->files.sops_config);
    if (!parsed) return ctx.print_error(parsed.error()), kExitFailure;
    data = std::move(*parsed);
    source = config->files.sops_config;
  } else {
    auto doc = decrypt_secrets(ctx, opts);
    if (!doc) return ctx.print_error(doc.error()), kExitFailure;
    data = std::move(doc->data);
    source = "the secrets";
  }
  int status = kExitOk;
  ordered_json found = ordered_json::object();
  for (const auto& key : opts.keys) {
    const ordered_json* value = lookup_dot_path(data, key);
    if (value == nullptr) {
      ctx.print_error(Error("`" + key + "` is not in " + source, {}, "`chaos check secrets` lists the keys there"));
      status = kExitFailure;
      continue;
    }
    if (opts.json) {
      found[key] = *value;
    } else if (opts.value) {
      print_text(value->is_structured() ? to_yaml(*value) : scalar_text(*value));
    } else {
      print_text(value->is_structured() ? to_yaml(ordered_json{{key, *value}}) : key + ": " + scalar_text(*value));
    }
  }
  if (opts.json && !found.empty()) print_text(found.dump(2));
  return status;
}

// Every key of one type in the sops config's creation rules: rule-level `age`/`pgp` (a
// comma-separated string or a list) and each key group's lists; vault keys are
// `hc_vault_transit_uri` in a rule and `hc_vault` in a key group, as sops names them.
std::vector<std::string> keys_of_type(const YAML::Node& rules, const std::string& type) {
  const std::string field = type == "vault" ? "hc_vault" : type;
  std::vector<std::string> out;
  auto add = [&](const YAML::Node& node) {
    std::vector<std::string> items = sops_recipients(node);
    for (auto& item : items)
      if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  };
  for (const auto& rule : rules) {
    if (!rule.IsMap()) continue;
    add(rule[type == "vault" ? "hc_vault_transit_uri" : field]);
    for (const auto& group : rule["key_groups"])
      if (group.IsMap()) add(group[field]);
  }
  return out;
}

int list_keys(Context& ctx, const SecretsOptions& opts) {
  if (opts.key_type != "age" && opts.key_type != "pgp" && opts.key_type != "vault") {
    ctx.print_error(Error("unknown key type `" + opts.key_type + "`", {}, "use age, pgp or vault"));
    return kExitUsage;
  }
  auto config = read_sops_config(ctx, opts.files);
  if (!config) return ctx.print_error(config.error()), kExitFailure;
  const SecretFiles* files = &config->files;
  YAML::Node rules;
  try {
    rules = YAML::Load(config->text)["creation_rules"];
  } catch (const YAML::Exception& e) {
    ctx.print_error(Error("the sops config is not valid YAML: " + e.msg, format_position(files->sops_config, e.mark)));
    return kExitFailure;
  }
  if (!rules.IsSequence()) {
    ctx.print_error(Error("the sops config has no creation_rules list", files->sops_config));
    return kExitFailure;
  }
  auto keys = keys_of_type(rules, opts.key_type);
  if (opts.json) {
    print_text(ordered_json(keys).dump(2));
  } else if (keys.empty()) {
    std::fprintf(stderr, "No %s keys in %s.\n", opts.key_type.c_str(), files->sops_config.c_str());
  } else {
    for (const auto& k : keys) std::printf("%s\n", k.c_str());
  }
  return kExitOk;
}

int edit_secrets(Context& ctx, const SecretsOptions& opts) {
  auto files = files_for(ctx, opts.files, Needs::both);
  if (!files) return ctx.print_error(files.error()), kExitFailure;
  auto setup = sops_setup(ctx, opts);
  if (!setup) return ctx.print_error(setup.error()), kExitFailure;
  auto changed = sops_edit(*setup, *files);
  if (!changed && changed.error().kind == ErrorKind::interrupted) {
    ctx.print_error(changed.error());
    return exit_status_for_signal(pending_signal());
  }
  if (!changed) return ctx.print_error(changed.error()), kExitFailure;
  std::fprintf(stderr, *changed ? "Saved %s (encrypted).\n" : "No changes to %s.\n", files->secrets_file.c_str());
  return kExitOk;
}

// After the sops config changed: the secrets file re-encrypted for its keys (sops updatekeys),
// with -u/-y or a yes on the terminal; otherwise the command to do it later.
int update_secrets_file(Context& ctx, const SecretsOptions& opts, const SecretFiles& files) {
  if (files.secrets_file.empty()) return kExitOk;
  std::string later = "sops --config " + files.sops_config + " updatekeys " + files.secrets_file;
  bool update = opts.update;
  if (!update && ::isatty(STDIN_FILENO)) {
    LineInput answer =
        ask(STDIN_FILENO, STDERR_FILENO, "Re-encrypt " + files.secrets_file + " for these keys now? [y/N] ", 16);
    update = answer.status == LineInput::Status::line && !answer.text.empty() &&
             (answer.text[0] == 'y' || answer.text[0] == 'Y');
  }
  if (!update) {
    std::fprintf(stderr, "The secrets file still opens with the old keys only. To update it: %s (or pass -u)\n",
                 later.c_str());
    return kExitOk;
  }
  auto setup = sops_setup(ctx, opts);
  if (!setup) return ctx.print_error(setup.error()), kExitFailure;
  if (auto err = sops_updatekeys(*setup, files.sops_config, files.secrets_file)) {
    ctx.print_error(*err);
    return kExitFailure;
  }
  std::printf("Re-encrypted %s for the sops config's keys.\n", files.secrets_file.c_str());
  return kExitOk;
}

// The sops config's name for a key type: Vault transit keys are `hc_vault` there.
std::string sops_field(const std::string& key_type) { return key_type == "vault" ? "hc_vault" : key_type; }

Result<std::vector<std::string>> checked_keys(const SecretsOptions& opts) {
  std::vector<std::string> keys;
  for (const auto& k : opts.keys) {
    auto checked = checked_recipient(sops_field(opts.key_type), k);
    if (!checked) return checked.error();
    if (opts.key_type == "pgp" && opts.action == "rotate-add") {
      RunOptions quick;
      quick.timeout_ms = 20000;
      auto known = run_capture({"gpg", "--batch", "--list-keys", *checked}, quick);
      if (!known || !known->status.exited_with(0))
        return Error("the gpg key " + *checked + " is not in your keyring", {},
                     "import it first: gpg --import KEYFILE");
    }
    keys.push_back(*checked);
  }
  return keys;
}

// rotate-add, rotate-rm and set-shamir: one edit of the sops config, then the secrets file.
int change_sops_config(Context& ctx, const SecretsOptions& opts) {
  auto config = read_sops_config(ctx, opts.files);
  if (!config) return ctx.print_error(config.error()), kExitFailure;
  const SecretFiles* files = &config->files;
  const std::string* text = &config->text;
  Result<SopsConfigEdit> edit = Error("internal: no change");
  if (opts.action == "set-shamir") {
    if (!opts.rule) return ctx.print_error(Error("set-shamir needs the rule's index")), kExitUsage;
    edit = set_sops_shamir(*text, files->sops_config, *opts.rule, opts.shamir);
  } else {
    auto keys = checked_keys(opts);
    if (!keys) return ctx.print_error(keys.error()), kExitUsage;
    KeyRotation change{sops_field(opts.key_type), *keys, opts.rule, opts.create_group};
    edit = opts.action == "rotate-add" ? add_sops_keys(*text, files->sops_config, change)
                                       : remove_sops_keys(*text, files->sops_config, change);
  }
  if (!edit) return ctx.print_error(edit.error()), kExitFailure;
  if (!edit->changed) {
    std::printf("No change: %s already says so.\n", files->sops_config.c_str());
    return kExitOk;
  }
  if (auto err = write_file_atomic(files->sops_config, edit->text)) return ctx.print_error(*err), kExitFailure;
  for (const auto& note : edit->notes) std::printf("%s\n", note.c_str());
  std::printf("Updated %s.\n", files->sops_config.c_str());
  return update_secrets_file(ctx, opts, *files);
}

}  // namespace

int run_secrets(Context& ctx, const SecretsOptions& opts) {
  if (opts.action == "print") return print_secrets(ctx, opts);
  if (opts.action == "cat") return cat_secrets(ctx, opts);
  if (opts.action == "list") return list_keys(ctx, opts);
  if (opts.action == "edit") return edit_secrets(ctx, opts);
  if (opts.action == "rotate-add" || opts.action == "rotate-rm" || opts.action == "set-shamir")
    return change_sops_config(ctx, opts);
  if (opts.action == "export") return export_key(ctx, opts.transfer);
  if (opts.action == "import") return import_key(ctx, opts.transfer);
  ctx.print_error(Error("unknown secrets command `" + opts.action + "`"));
  return kExitUsage;
}

}  // namespace chaos
