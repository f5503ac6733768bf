// init/secrets_setup: `chaos init secrets`: a key, a sops config with a creation rule, an
// encrypted secrets file and the config.yml settings naming them (docs/secrets.md).
#pragma once

#include <string>

#include "context/context.h"

namespace chaos {

struct SecretsSetupOptions {
  std::string engine;           // age or gpg; default: age when age-keygen is installed
  std::string age_key;          // an existing age identity file to use instead of chaos' own
  std::string gpg_fingerprint;  // the gpg key to encrypt for (engine gpg)
  std::string sops_config;      // default $CHAOS_CONFIG_DIR/sops-config.yml
  std::string secrets_file;     // default $CHAOS_CONFIG_DIR/secrets.yml
  bool new_key = false;         // generate a new age key even when keys.txt exists (needs --force)
  bool yes = false;             // take the defaults, ask nothing
  bool force = false;           // replace existing files (each is backed up first)
};

int run_init_secrets(Context& ctx, const SecretsSetupOptions& opts);

}  // namespace chaos
