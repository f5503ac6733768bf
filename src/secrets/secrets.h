// secrets/: `chaos secrets print|cat|list|edit`: the commands over the sops engine (sops/).
#pragma once

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
  std::string key_type;           // list: age, pgp or vault
};

int run_secrets(Context& ctx, const SecretsOptions& opts);

}  // namespace chaos
