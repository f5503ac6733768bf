#include "context/provider_host.h"

namespace chaos {
namespace {

// The request's entry point: the provider named in it, found in the index (docs/protocol.md).
Result<nlohmann::json> with_target(Context& ctx, nlohmann::json params) {
  const auto& index = ctx.plugin_index();
  if (!index) return index.error();
  std::string name = params.value("provider", "");
  const Registration* found = index->find(Group::providers, name);
  if (found == nullptr) return Error("no installed plugin provides the provider `" + name + "`", "chaos.providers");
  params["target"] = found->value;
  params["plugin"] = index->owner(*found).name;
  return params;
}

Result<nlohmann::json> ask(Context& ctx, RoleHost& host, const nlohmann::json& params) {
  auto request = with_target(ctx, params);
  if (!request) return request.error();
  auto reply = host.call("provider", *request);
  if (!reply) {
    const auto& error = host.last_error();
    return Error("provider plugin `" + params.value("provider", "") + "`: " + reply.error().message,
                 (*request)["target"].get<std::string>(),
                 error.details.is_object() && error.details.contains("traceback")
                     ? "the plugin said:\n" + error.details["traceback"].get<std::string>()
                     : "");
  }
  return reply;
}

}  // namespace

std::vector<std::string> plugin_provider_names(Context& ctx) {
  const auto& index = ctx.plugin_index();
  if (!index) return {};
  return index->names(Group::providers);
}

PluginProviderCall provider_call_on(Context& ctx, RoleHost& host) {
  return [&ctx, &host](const nlohmann::json& params) { return ask(ctx, host, params); };
}

PluginProviderCall provider_call_with_new_host(Context& ctx) {
  return [&ctx](const nlohmann::json& params) -> Result<nlohmann::json> {
    auto launch = ctx.host_launch();
    if (!launch) return launch.error();
    launch->warm_pyinfra = false;  // a provider needs no pyinfra
    auto host = RoleHost::start(*launch);
    if (!host) return host.error();
    auto reply = ask(ctx, **host, params);
    (*host)->shutdown();
    return reply;
  };
}

Result<SopsKeys> requested_provider_keys(Context& ctx, const ProviderRequest& request,
                                         const PluginProviderCall& plugin) {
  if (!request.any()) return SopsKeys{};
  const auto& config = ctx.config();
  if (!config) return config.error();
  auto choice = choose_provider(request, *config, plugin_provider_names(ctx));
  if (!choice) return choice.error();
  return fetch_provider_keys(**choice, ProviderAccess{*config, plugin});
}

}  // namespace chaos
