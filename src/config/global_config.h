#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/error.h"

namespace chaos {

// One alias: a name and the tags it expands to (a config string is split on spaces).
struct AliasDefinition {
  std::string name;
  std::vector<std::string> targets;
  bool written_as_list = false;  // `[a, b]` rather than "a b"
};

// The keys of $CHAOS_CONFIG_DIR/config.yml that the core reads. Unknown keys are kept by
// the file and ignored here, so newer configs keep working with older binaries.
struct GlobalConfig {
  std::string path;  // the file it came from; empty when there was none
  std::optional<std::string> python;
  std::optional<std::string> chobolo_file;
  std::optional<std::string> secrets_file;
  std::optional<std::string> sops_file;
  std::optional<std::string> limani;  // the plugin Limani `apply -l` sends events to (-i overrides)
  // How many runs the logbook keeps (`logbook_keep`); older ones are dropped as new ones end.
  size_t logbook_keep = 1000;
  std::vector<AliasDefinition> aliases;  // in file order
  // `secret_providers`: which password-manager item holds which sops key (docs/secrets-providers.md).
  // `default` is "<provider>.<keytype>"; every other key names a provider whose settings are
  // `<keytype>_id` / `<keytype>_url` and extras (project_id, organization_id…). The original's
  // `secret_backends` (read by its Doppler and Infisical providers) fills in what this lacks.
  std::optional<std::string> default_provider;
  std::map<std::string, std::map<std::string, std::string>> secret_providers;
};

// A missing file is an empty config; a malformed one is an error naming path:line:column.
Result<GlobalConfig> load_global_config(const std::string& path);

// Splits an alias target string on whitespace ("a b" expands to two tags).
std::vector<std::string> split_alias_targets(const std::string& text);

}  // namespace chaos
