// sops/sops: every run of sops goes through here, with the keys it needs and nothing more.
//
// Keys chaos holds (from a password manager) reach sops only through an inherited in-memory file
// (age: a memfd, SOPS_AGE_KEY_FILE=/dev/fd/3) or a private GNUPGHOME in a RAM-backed directory removed when the
// run ends (gpg): never argv, never a file on disk, never the environment of a process that
// outlives the run. Without such keys, sops finds the user's own the usual way ($SOPS_AGE_KEY_FILE,
// ~/.config/sops/age/keys.txt, gpg's agent), and chaos adds its own age key file
// ($CHAOS_CONFIG_DIR/keys.txt, written by `chaos init secrets`) when nothing else names one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/paths.h"
#include "sops/document.h"
#include "sops/files.h"
#include "util/error.h"
#include "util/process.h"

namespace chaos {

// Key material for one run of sops, held in memory.
struct SopsKeys {
  std::string age_identities;   // "AGE-SECRET-KEY-1..." lines (comments allowed)
  std::string gpg_secret_keys;  // `gpg --export-secret-keys` output, imported into a private home
  std::string vault_token;      // for hc_vault rules: ~/.vault-token of a private HOME in RAM
  bool empty() const { return age_identities.empty() && gpg_secret_keys.empty() && vault_token.empty(); }
};

struct SopsSetup {
  std::string program = "sops";    // looked up on PATH
  std::string chaos_age_key_file;  // $CHAOS_CONFIG_DIR/keys.txt: used when it exists and nothing else is named
  SopsKeys keys;
};

// Decrypts the secrets file to text (YAML or JSON, as the file is). A failure carries sops' own
// words (a MAC mismatch, no key that fits) and what to do.
Result<std::string> sops_decrypt(const SopsSetup& setup, const SecretFiles& files);
// Encrypts `file` in place with the sops config's creation rules.
Status sops_encrypt_in_place(const SopsSetup& setup, const std::string& sops_config, const std::string& file);
// Re-encrypts the data key of `file` for the keys the sops config now lists.
Status sops_updatekeys(const SopsSetup& setup, const std::string& sops_config, const std::string& file);
// Opens the file in $EDITOR through sops (decrypted in sops' own temporary file, re-encrypted on
// save). Returns true when it changed, false when the editor left it as it was.
Result<bool> sops_edit(const SopsSetup& setup, const SecretFiles& files);

// What every run of sops from chaos starts from: chaos' own age key file ($CHAOS_CONFIG_DIR/keys.txt).
SopsSetup sops_setup_for(const Paths& paths);

// The configured secrets file (or the one named), decrypted and parsed: what apply, `secrets
// print|cat` and `check secrets` work from.
// `keys` are those read from a password manager (none: sops finds the user's own).
Result<SecretsDocument> decrypt_configured_secrets(const GlobalConfig& config, const Paths& paths,
                                                   const SecretFileOverrides& overrides, SopsKeys keys = {});

// `sops --version`, for doctor: the version, or an error saying how to install it.
Result<std::string> sops_version(const std::string& program = "sops");

}  // namespace chaos
