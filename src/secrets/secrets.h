// secrets/: `chaos secrets print|cat|list|edit|rotate-add|rotate-rm|set-shamir`: the commands over
// the sops engine (sops/).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "context/context.h"
#include "sops/document.h"
#include "sops/files.h"
#include "sops/sops.h"

namespace chaos {

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
};

int run_secrets(Context& ctx, const SecretsOptions& opts);

}  // namespace chaos
