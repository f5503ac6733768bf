// sops/: the secrets engine: the files sops works on, running sops with the keys it needs, what
// it decrypted and keeping that out of every output. Command logic is in secrets/; nothing
// here reads the Context, so apply can use it too.
#pragma once

#include <optional>
#include <string>

#include "config/global_config.h"
#include "util/error.h"

namespace chaos {

// The two files every secrets command works on.
struct SecretFiles {
  std::string secrets_file;  // the sops-encrypted YAML (or JSON)
  std::string sops_config;   // sops' configuration: creation rules and their keys
};

// What the user named on the command line (-sf, -ss); each wins over the configuration.
struct SecretFileOverrides {
  std::optional<std::string> secrets_file;
  std::optional<std::string> sops_config;
  // -t COMPANY.TEAM[.GROUP]: the team's repository under $CHAOS_TEAMS_DIR (default
  // $XDG_DATA_HOME/chaos/teams): TEAM/sops-config.yml and TEAM/secrets[/GROUP]/secrets.yml; -sf
  // and -ss are then relative to those directories and may not leave them.
  std::optional<std::string> team;
};

// Resolves both files (docs/secrets.md, "Where the files are"): the flag, then config.yml's
// secrets_file / sops_file, then the default Ch-obolo's `secrets: {sec_file, sec_sops}`. A path
// from a file is relative to that file's directory; `~/` is the home directory. The result is
// checked: a missing or unreadable file, a directory, a name with a control character are errors
// naming where the path came from. A file that is not needed is left empty when it is not
// configured (decrypting needs no sops config: the file carries its own key metadata).
enum class Needs { secrets_file, sops_config, both };
Result<SecretFiles> resolve_secret_files(const GlobalConfig& config, const SecretFileOverrides& overrides,
                                         const std::string& home, Needs needs);

}  // namespace chaos
