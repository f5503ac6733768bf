#include "providers/providers.h"

#include <algorithm>

#include "providers/builtin.h"

namespace chaos {
namespace {

const char* const kSetupHint =
    "name the item with a direct flag (--from-bw ITEM age), or in config.yml:\n"
    "  secret_providers:\n    default: bw.age\n    bw:\n      age_id: ITEM-ID\n"
    "(see `chaos explain secrets.providers`)";

Result<KeyType> key_type_of(const std::string& name, const std::string& where) {
  auto type = key_type_named(name);
  if (!type) return Error("`" + name + "` is not a key type: use age, gpg or vault", where);
  return *type;
}

Result<ProviderChoice> direct_choice(const ProviderRequest& request) {
  if (request.direct.size() > 1 || request.provider) {
    return Error("more than one provider was named; pick one (-p or one --from-X flag)");
  }
  const auto& [name, values] = *request.direct.begin();
  if (values.size() != 2) return Error("--from-" + name + " takes two values: ITEM KEYTYPE");
  auto type = key_type_of(values[1], "--from-" + name);
  if (!type) return type.error();
  return ProviderChoice{name, false, values[0], *type, "--from-" + name};
}

Result<ProviderChoice> configured_choice(const std::string& asked, const GlobalConfig& config,
                                         const std::vector<std::string>& plugins) {
  std::string name = asked;
  std::string origin = "-p " + asked;
  if (name.empty() || name == "default") {
    if (!config.default_provider) {
      return Error("-p without a name uses secret_providers.default, and config.yml has none", config.path, kSetupHint);
    }
    name = *config.default_provider;
    origin = "secret_providers.default (" + name + ")";
  }
  auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) {
    return Error("`" + name + "` is not PROVIDER.KEYTYPE (for example bw.age)", origin, kSetupHint);
  }
  std::string backend = name.substr(0, dot);
  auto type = key_type_of(name.substr(dot + 1), origin);
  if (!type) return type.error();
  auto plugin = provider_is_plugin(backend, plugins);
  if (!plugin) return Error(plugin.error().message, origin, plugin.error().hint);
  auto settings = config.secret_providers.find(backend);
  if (settings == config.secret_providers.end()) {
    return Error("config.yml has no secret_providers." + backend + " section",
                 config.path.empty() ? origin : config.path, kSetupHint);
  }
  std::string type_name = name.substr(dot + 1);
  for (const std::string& key : {type_name + "_id", type_name + "_url", std::string(key_type_name(*type)) + "_id",
                                 std::string(key_type_name(*type)) + "_url"}) {
    auto found = settings->second.find(key);
    if (found != settings->second.end()) {
      return ProviderChoice{backend, *plugin, found->second, *type, "secret_providers." + backend + "." + key};
    }
  }
  return Error("secret_providers." + backend + " names no " + type_name + " item (" + type_name + "_id or " +
                   type_name + "_url)",
               config.path, kSetupHint);
}

// A plugin provider's reply: a string field, or the plugin's own error.
Result<std::string> plugin_text(const Result<nlohmann::json>& reply, const char* field, const std::string& provider) {
  if (!reply) return reply.error();
  if (!reply->is_object() || !(*reply)[field].is_string()) {
    return Error("provider plugin `" + provider + "` returned no " + field, provider);
  }
  return (*reply)[field].get<std::string>();
}

// secret_providers.<name> of config.yml (empty when it has none).
const std::map<std::string, std::string>& settings_of(const GlobalConfig& config, const std::string& name) {
  static const std::map<std::string, std::string> none;
  auto found = config.secret_providers.find(name);
  return found == config.secret_providers.end() ? none : found->second;
}

Result<nlohmann::json> ask_plugin(const ProviderAccess& access, nlohmann::json params) {
  if (!access.plugin) return Error("plugin providers cannot be used from here");
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& [name, values] : access.config.secret_providers) settings[name] = values;
  if (access.config.default_provider) settings["default"] = *access.config.default_provider;
  params["config"] = {{"secret_providers", settings}};
  return access.plugin(params);
}

}  // namespace

const BuiltinProviderInfo* find_builtin_provider(const std::string& name) {
  for (const auto& p : builtin_providers()) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

Result<bool> provider_is_plugin(const std::string& name, const std::vector<std::string>& plugin_providers) {
  if (find_builtin_provider(name) != nullptr) return false;
  if (std::find(plugin_providers.begin(), plugin_providers.end(), name) != plugin_providers.end()) return true;
  std::string known;
  for (const auto& p : builtin_providers()) known += std::string(known.empty() ? "" : ", ") + p.name;
  for (const auto& p : plugin_providers) known += ", " + p;
  return Error("there is no provider `" + name + "` (known: " + known + ")", {},
               "install the plugin that provides it, or fix the name (`chaos check providers` lists them)");
}

Status check_provider_item(const ProviderChoice& choice) {
  if (choice.item.empty()) return Error("the item id is empty", choice.origin);
  if (choice.item.front() == '-') {
    return Error(
        "an item id cannot start with `-` (`" + choice.item + "`): the provider's CLI would read it as an option",
        choice.origin);
  }
  for (unsigned char c : choice.item) {
    if (c < 0x20 || c == 0x7f) return Error("the item id contains a control character", choice.origin);
  }
  return {};
}

Result<std::optional<ProviderChoice>> choose_provider(const ProviderRequest& request, const GlobalConfig& config,
                                                      const std::vector<std::string>& plugin_providers) {
  if (!request.any()) return std::optional<ProviderChoice>();
  auto choice =
      request.direct.empty() ? configured_choice(*request.provider, config, plugin_providers) : direct_choice(request);
  if (!choice) return choice.error();
  if (auto err = check_provider_item(*choice)) return *err;
  return std::optional<ProviderChoice>(std::move(*choice));
}

Result<std::string> read_provider_item(const ProviderChoice& choice, const ProviderAccess& access) {
  if (!choice.plugin) {
    const auto* info = find_builtin_provider(choice.provider);
    if (info == nullptr) return Error("there is no built-in provider `" + choice.provider + "`", choice.origin);
    return read_builtin_item(*info, choice.item, settings_of(access.config, choice.provider));
  }
  nlohmann::json params = {{"action", "read"},
                           {"provider", choice.provider},
                           {"item", choice.item},
                           {"key_type", key_type_name(choice.key_type)}};
  return plugin_text(ask_plugin(access, std::move(params)), "text", choice.provider);
}

Result<SopsKeys> fetch_provider_keys(const ProviderChoice& choice, const ProviderAccess& access) {
  auto text = read_provider_item(choice, access);
  if (!text) return text.error();
  std::string source = choice.provider + " item " + choice.item;
  auto payload = parse_key_payload(choice.key_type, *text, source);
  if (!payload) return payload.error();
  return sops_keys_from(*payload, source);
}

Result<ExportResult> export_to_provider(const ExportRequest& request, const ProviderAccess& access) {
  if (!request.plugin) {
    const auto* info = find_builtin_provider(request.provider);
    if (info == nullptr) return Error("there is no built-in provider `" + request.provider + "`");
    return export_builtin_item(*info, request, settings_of(access.config, request.provider));
  }
  nlohmann::json params = {{"action", "export"},
                           {"provider", request.provider},
                           {"key_type", key_type_name(request.key_type)},
                           {"item_name", request.item_name},
                           {"options", request.options},
                           {"content", request.content}};
  auto reply = ask_plugin(access, std::move(params));
  if (!reply) return reply.error();
  ExportResult result;
  auto item = plugin_text(reply, "item", request.provider);
  if (!item) return item.error();
  result.item = *item;
  if ((*reply)["messages"].is_array()) {
    for (const auto& m : (*reply)["messages"])
      if (m.is_string()) result.messages.push_back(m.get<std::string>());
  }
  result.settings = {{std::string(key_type_name(request.key_type)) + "_id", result.item}};
  return result;
}

}  // namespace chaos
