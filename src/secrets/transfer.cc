// chaos secrets export / import: a sops key between this machine and a password manager, in the
// item formats of sops/key_payload.h.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "config/config_edit.h"
#include "context/provider_host.h"
#include "secrets/secrets.h"
#include "term/prompt.h"
#include "term/style.h"
#include "util/fs.h"
#include "util/process.h"
#include "util/text.h"

namespace chaos {
namespace {

// Key material is small; anything bigger read from a file or stdin is a mistake (a wrong path).
constexpr size_t kMaxKeyInput = size_t{1} << 20;

Result<std::string> read_stdin_limited() {
  std::string text;
  char buffer[4096];
  ssize_t got;
  while ((got = ::read(STDIN_FILENO, buffer, sizeof buffer)) > 0) {
    text.append(buffer, static_cast<size_t>(got));
    if (text.size() > kMaxKeyInput) return Error("more than 1 MiB on stdin: that is not a key");
  }
  if (got < 0) return Error("cannot read stdin: " + errno_text());
  return text;
}

// The key to export: -k FILE, else what is piped on stdin, else (age) chaos' own key file.
Result<std::string> key_text(Context& ctx, const KeyTransferOptions& opts, KeyType type) {
  if (opts.key_file) {
    auto text = read_regular_file(*opts.key_file);
    if (!text) return text.error();
    if (text->size() > kMaxKeyInput) return Error("more than 1 MiB: that is not a key file", *opts.key_file);
    return text;
  }
  if (!stream_is_terminal(STDIN_FILENO)) return read_stdin_limited();
  std::string own = sops_setup_for(ctx.paths).chaos_age_key_file;
  if (type == KeyType::age && is_regular_file(own)) {
    std::fprintf(stderr, "Exporting chaos' own age key (%s).\n", own.c_str());
    return read_regular_file(own);
  }
  if (type == KeyType::vault) {  // typed, not shown, never in a file
    LineInput token = ask(STDIN_FILENO, STDERR_FILENO, "Vault token (not shown): ", 4096, false);
    if (token.status == LineInput::Status::line && !token.text.empty()) return token.text;
    return Error("no Vault token was given");
  }
  return Error("which key? pass -k FILE, or pipe it on stdin", {}, "for an age key: -k keys.txt");
}

Result<std::string> gpg_secret_keys(const std::vector<std::string>& fingerprints) {
  if (fingerprints.empty()) return Error("which gpg keys? pass -f FINGERPRINT...", {}, "gpg -K lists yours");
  std::vector<std::string> argv = {"gpg", "--export-secret-keys"};
  // On a terminal gpg's agent may ask for the key's passphrase; otherwise it must not wait.
  if (!stream_is_terminal(STDIN_FILENO)) argv.insert(argv.begin() + 1, "--batch");
  for (const auto& fp : fingerprints) {
    std::string clean;
    for (char c : fp)
      if (c != ' ') clean += c;
    if (clean.size() != 40 || clean.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      return Error("`" + fp + "` is not a gpg fingerprint (40 hexadecimal digits)", {},
                   "gpg -K --with-colons lists them");
    argv.push_back(clean);
  }
  RunOptions options;
  options.timeout_ms = 300000;
  auto ran = run_capture(argv, options);
  if (!ran) return ran.error();
  if (!ran->status.exited_with(0) || ran->out.empty())
    return Error("gpg exported no secret key for " + join(fingerprints, ", ") + ": " + trim(ran->err), "gpg");
  return std::move(ran->out);
}

Result<std::string> item_content(Context& ctx, const KeyTransferOptions& opts, KeyType type) {
  if (type == KeyType::gpg) {
    auto keys = gpg_secret_keys(opts.fingerprints);
    if (!keys) return keys.error();
    return gpg_payload(opts.fingerprints, *keys, opts.no_import);
  }
  auto text = key_text(ctx, opts, type);
  if (!text) return text.error();
  if (type == KeyType::age) return age_payload(*text, opts.no_import);
  std::string address = opts.vault_address.empty() ? env_or_empty("VAULT_ADDR") : opts.vault_address;
  return vault_payload(address, *text, opts.no_import);
}

void print_use(const std::string& provider, KeyType type, const std::string& item, bool saved) {
  const auto* builtin = find_builtin_provider(provider);
  std::printf("Item: %s\n", item.c_str());
  if (saved) {
    std::printf("Saved as secret_providers.%s in config.yml: use it with -p %s.%s\n", provider.c_str(),
                provider.c_str(), key_type_name(type));
  } else if (builtin != nullptr) {
    std::printf("Use it with: %s '%s' %s  (or save it: --save-to-config)\n", builtin->flag, item.c_str(),
                key_type_name(type));
  }
}

// The age identities not already in `existing`, with the comment lines above each.
std::string new_identities(const std::string& existing, const KeyPayload& payload) {
  std::string out;
  for (const auto& line : split_lines(payload.secret)) {
    if (!line.empty() && existing.find(line) == std::string::npos) out += line + "\n";
  }
  return out;
}

int import_age(Context& ctx, const KeyTransferOptions& opts, const KeyPayload& payload) {
  std::string target = opts.output.value_or(sops_setup_for(ctx.paths).chaos_age_key_file);
  std::string existing;
  if (stamp_of(target).exists) {
    auto read = read_regular_file(target);
    if (!read) return ctx.print_error(read.error()), kExitFailure;
    existing = std::move(*read);
  }
  std::string added = new_identities(existing, payload);
  if (added.empty()) {
    std::printf("%s already holds this age key; nothing to do.\n", target.c_str());
    return kExitOk;
  }
  std::string header = "# imported by chaos secrets import " + opts.provider + "\n";
  for (const auto& pub : payload.public_keys) header += "# public key: " + pub + "\n";
  if (!existing.empty() && existing.back() != '\n') existing += '\n';
  if (auto err = write_file_atomic(target, existing + header + added)) return ctx.print_error(*err), kExitFailure;
  std::printf("Imported the age key into %s (mode 0600).\n", target.c_str());
  for (const auto& pub : payload.public_keys) std::printf("Public key: %s\n", pub.c_str());
  return kExitOk;
}

int import_gpg(Context& ctx, const KeyPayload& payload) {
  RunOptions options;
  options.input = payload.secret;
  options.timeout_ms = 120000;
  auto ran = run_capture({"gpg", "--batch", "--import"}, options);
  if (!ran) return ctx.print_error(ran.error()), kExitFailure;
  if (!ran->status.exited_with(0)) {
    ctx.print_error(Error("gpg could not import the key: " + trim(ran->err), "gpg"));
    return kExitFailure;
  }
  std::printf("Imported the gpg secret key(s) into your keyring: %s\n", join(payload.public_keys, ", ").c_str());
  return kExitOk;
}

int import_vault(Context& ctx, const KeyTransferOptions& opts, const KeyPayload& payload) {
  std::string target = opts.output.value_or(join_path(ctx.paths.home, ".vault-token"));
  if (stamp_of(target).exists) {
    auto read = read_regular_file(target);
    if (read && trim(*read) == payload.secret) {
      std::printf("%s already holds this token.\n", target.c_str());
      return kExitOk;
    }
    ctx.print_error(Error("a different Vault token is already there", target, "pass -o FILE to write it elsewhere"));
    return kExitFailure;
  }
  if (auto err = write_file_atomic(target, payload.secret + "\n")) return ctx.print_error(*err), kExitFailure;
  std::printf("Wrote the Vault token to %s (mode 0600). Vault address: %s\n", target.c_str(),
              payload.public_keys.front().c_str());
  return kExitOk;
}

// What export and import both check first: the key type, and the provider (built in or a
// plugin's).
struct CheckedRequest {
  KeyType type;
  bool plugin;
};
Result<CheckedRequest> checked_request(Context& ctx, const KeyTransferOptions& opts) {
  auto type = key_type_named(opts.key_type);
  if (!type) return Error("-t must be age, gpg or vault");
  auto plugin = provider_is_plugin(opts.provider, plugin_provider_names(ctx));
  if (!plugin) return plugin.error();
  return CheckedRequest{*type, *plugin};
}

}  // namespace

int export_key(Context& ctx, const KeyTransferOptions& opts) {
  auto request_kind = checked_request(ctx, opts);
  if (!request_kind) return ctx.print_error(request_kind.error()), kExitUsage;
  const KeyType type = request_kind->type;
  const auto& config = ctx.config();
  if (!config) return ctx.print_error(config.error()), kExitFailure;
  auto content = item_content(ctx, opts, type);
  if (!content) return ctx.print_error(content.error()), kExitFailure;
  ExportRequest request{opts.provider, request_kind->plugin, type, opts.item_name, opts.options, std::move(*content)};
  auto exported = export_to_provider(request, ProviderAccess{*config, provider_call_with_new_host(ctx)});
  if (!exported) return ctx.print_error(exported.error()), kExitFailure;
  for (const auto& m : exported->messages) std::printf("%s\n", m.c_str());
  if (opts.save_to_config) {
    std::vector<ConfigSetting> settings;
    for (const auto& [key, value] : exported->settings)
      settings.push_back({{"secret_providers", opts.provider, key}, value});
    if (auto err = set_config_paths(ctx.paths.config_file(), settings)) return ctx.print_error(*err), kExitFailure;
  }
  print_use(opts.provider, type, exported->item, opts.save_to_config);
  return kExitOk;
}

int import_key(Context& ctx, const KeyTransferOptions& opts) {
  auto request_kind = checked_request(ctx, opts);
  if (!request_kind) return ctx.print_error(request_kind.error()), kExitUsage;
  const KeyType type = request_kind->type;
  const auto& config = ctx.config();
  if (!config) return ctx.print_error(config.error()), kExitFailure;
  ProviderChoice choice{opts.provider, request_kind->plugin, opts.item, type, "-i"};
  if (auto err = check_provider_item(choice)) return ctx.print_error(*err), kExitUsage;
  auto text = read_provider_item(choice, ProviderAccess{*config, provider_call_with_new_host(ctx)});
  if (!text) return ctx.print_error(text.error()), kExitFailure;
  std::string source = opts.provider + " item " + opts.item;
  auto payload = parse_key_payload(type, *text, source);
  if (!payload) return ctx.print_error(payload.error()), kExitFailure;
  if (payload->no_import) {
    ctx.print_error(Error(
        "the item is marked # NO-IMPORT: its owner exported it for use through the provider only", source,
        "use it without copying it here: -p / " +
            std::string(find_builtin_provider(opts.provider) ? find_builtin_provider(opts.provider)->flag : "-p")));
    return kExitFailure;
  }
  if (type == KeyType::age) return import_age(ctx, opts, *payload);
  if (type == KeyType::gpg) return import_gpg(ctx, *payload);
  return import_vault(ctx, opts, *payload);
}

}  // namespace chaos
