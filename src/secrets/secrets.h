// secrets/: `chaos secrets print|cat|list|edit|rotate-add|rotate-rm|set-shamir|export|import`: the
// commands over the sops engine (sops/) and the password-manager providers (providers/).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "context/context.h"
#include "providers/providers.h"
#include "sops/document.h"
#include "sops/files.h"
#include "sops/sops.h"

namespace chaos {

// export / import: one key between this machine and a provider.
struct KeyTransferOptions {
  std::string provider;                        // bw, bws, rbw, op, dp, in, or a plugin's name
  std::string key_type;                        // -t: age, gpg, vault
  std::string item_name;                       // export -n: the new item's name
  std::string item;                            // import -i: the item to read
  std::optional<std::string> key_file;         // export -k: the key (age key file, Vault token)
  std::string vault_address;                   // export -a
  std::vector<std::string> fingerprints;       // export -f: gpg keys
  bool no_import = false;                      // export -N: mark the item `# NO-IMPORT`
  bool save_to_config = false;                 // export -s: record the item in config.yml
  std::map<std::string, std::string> options;  // the provider's own export options
  std::optional<std::string> output;           // import -o: where an age key or Vault token goes
};

struct SecretsOptions {
  std::string action;  // print, cat, list, edit
  SecretFileOverrides files;
  bool sops_config = false;  // -s: work on the sops config instead of the secrets
  bool json = false;
  bool value = false;             // cat -v / list -v: raw values only
  bool no_pretty = false;         // list -n
  std::vector<std::string> keys;  // cat: dot paths
  std::string key_type;           // list, rotate-*: age, pgp or vault
  std::optional<size_t> rule;     // rotate-*, set-shamir: one creation rule (from 0)
  bool create_group = false;      // rotate-add -cr: a new key group per rule
  bool update = false;            // -u / -y: re-encrypt the secrets file for the new keys, no question
  int shamir = 0;                 // set-shamir: the threshold (0 or less removes it)
  ProviderRequest provider;       // -p / --from-X: the sops key comes from a password manager
  KeyTransferOptions transfer;    // export, import
};

int run_secrets(Context& ctx, const SecretsOptions& opts);

// secrets/transfer.cc
int export_key(Context& ctx, const KeyTransferOptions& opts);
int import_key(Context& ctx, const KeyTransferOptions& opts);

}  // namespace chaos
