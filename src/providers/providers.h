// providers/: password managers that hold sops keys (docs/secrets-providers.md). Six are built
// in and run their vendor's CLI (bw, bws, rbw, op, doppler, infisical); any `chaos.providers`
// plugin is reached through the role host (the caller passes the way there). Key text read from a
// provider stays in memory: it reaches sops as SopsKeys (sops/sops.h), never a file, argv or an
// environment variable; text written to a provider goes on the CLI's stdin, never its argv.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/global_config.h"
#include "sops/key_payload.h"
#include "util/error.h"

namespace chaos {

// A built-in provider: its names and how it is selected on the command line.
struct BuiltinProviderInfo {
  const char* name;       // config name and `-p` prefix: bw, bws, rbw, op, dp, in
  const char* title;      // Bitwarden, 1Password…
  const char* program;    // the vendor CLI
  const char* flag;       // direct flag: --from-bw ITEM KEYTYPE
  const char* item_help;  // what ITEM is for this provider
};
const std::vector<BuiltinProviderInfo>& builtin_providers();
const BuiltinProviderInfo* find_builtin_provider(const std::string& name);
// Whether `name` is a plugin provider (false: a built-in one), given the installed
// `chaos.providers` names; neither is an error listing the known providers.
Result<bool> provider_is_plugin(const std::string& name, const std::vector<std::string>& plugin_providers);

// What the command line asked for: `-p [NAME]` and the direct flags (--from-bw ITEM KEYTYPE…).
struct ProviderRequest {
  std::optional<std::string> provider;  // -p: "" or "default" = secret_providers.default; else NAME.KEYTYPE
  std::map<std::string, std::vector<std::string>> direct;  // builtin name -> {ITEM, KEYTYPE}
  bool any() const { return provider.has_value() || !direct.empty(); }
};

// The item the key is read from.
struct ProviderChoice {
  std::string provider;  // bw, bws, rbw, op, dp, in, or a plugin's entry-point name
  bool plugin = false;
  std::string item;  // the provider's item id (op: an op:// reference; dp/in: NAME[:PROJECT…])
  KeyType key_type = KeyType::age;
  std::string origin;  // how it was chosen, for messages: "--from-bw", "secret_providers.bw.age_id"
};

// Resolves the request against config.yml's secret_providers; nullopt when nothing was asked.
// `plugin_providers` are the installed `chaos.providers` entry-point names.
Result<std::optional<ProviderChoice>> choose_provider(const ProviderRequest& request, const GlobalConfig& config,
                                                      const std::vector<std::string>& plugin_providers);

// How a plugin provider is asked to do something: the role host's `provider` request
// (docs/protocol.md). Returns its result object.
using PluginProviderCall = std::function<Result<nlohmann::json>(const nlohmann::json& params)>;

struct ProviderAccess {
  const GlobalConfig& config;
  PluginProviderCall plugin;  // may be empty when no plugin provider can be chosen
};

// Checks the provider can be used now (logged in, unlocked), then reads the item's text.
Result<std::string> read_provider_item(const ProviderChoice& choice, const ProviderAccess& access);
// An item id a provider's CLI can be given: not empty, not starting with `-` (the CLI would read it
// as an option), no control character. choose_provider checks it; so does import, whose -i names it.
Status check_provider_item(const ProviderChoice& choice);
// Reads the item and turns it into keys for sops.
Result<SopsKeys> fetch_provider_keys(const ProviderChoice& choice, const ProviderAccess& access);

// `chaos secrets export`: store `content` (an item text from key_payload.h) as a new item.
struct ExportRequest {
  std::string provider;
  bool plugin = false;
  KeyType key_type = KeyType::age;
  std::string item_name;
  std::map<std::string, std::string> options;  // the provider's own export options, by long name
  std::string content;
};
struct ExportResult {
  std::string item;  // the new item's id, as `-p`/--from-X take it
  std::vector<std::string> messages;
  // What `export --save-to-config` writes under secret_providers.<provider>.
  std::vector<std::pair<std::string, std::string>> settings;
};
Result<ExportResult> export_to_provider(const ExportRequest& request, const ProviderAccess& access);

}  // namespace chaos
