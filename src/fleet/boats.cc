#include "fleet/boats.h"

#include <algorithm>
#include <map>

#include "util/text.h"

namespace chaos {
namespace {

using nlohmann::json;

const char* const kBoatsHint =
    "write boats as `- provider: NAME` with an optional `config:` mapping; see `chaos explain boats`";

std::string describe(const std::string& provider, const std::string& plugin) {
  return "boat `" + provider + "`" + (plugin.empty() ? "" : " (plugin " + plugin + ")");
}

// The request's `boats`: each fleet.boats entry checked, and resolved to its entry point by
// native discovery (the host imports exactly these, nothing else).
Result<json> boat_specs(const Fleet& fleet, const PluginIndex& index, std::vector<BoatRun>& runs) {
  json specs = json::array();
  for (size_t i = 0; i < fleet.boats.size(); ++i) {
    const auto& entry = fleet.boats[i];
    std::string where = i < fleet.boats_where.size() ? fleet.boats_where[i] : fleet.source;
    if (!entry.is_object()) return Error("a fleet.boats entry must be a mapping {provider, config}", where, kBoatsHint);
    auto provider = entry.find("provider");
    if (provider == entry.end() || !provider->is_string() || provider->get<std::string>().empty())
      return Error("a fleet.boats entry needs `provider:`, the name of an installed boat", where, kBoatsHint);
    auto config = entry.find("config");
    if (config != entry.end() && !config->is_null() && !config->is_object())
      return Error("the `config` of boat `" + provider->get<std::string>() + "` must be a mapping", where, kBoatsHint);
    std::string name = *provider;
    const Registration* found = index.find(Group::boats, name);
    if (found == nullptr) {
      auto installed = index.names(Group::boats);
      return Error("no installed plugin provides boat `" + name + "`", where,
                   installed.empty() ? "no boats are installed: pip install one into the plugin environment"
                                     : "installed boats: " + join(installed, ", ") + " (`chaos check boats`)");
    }
    std::string plugin = index.owner(*found).name;
    runs.push_back({name, plugin, 0});
    specs.push_back({{"provider", name},
                     {"target", found->value},
                     {"plugin", plugin},
                     {"config", config == entry.end() || config->is_null() ? json::object() : json(*config)}});
  }
  return specs;
}

Error boat_failure(const RoleHost& host, const Error& error, const Fleet& fleet) {
  const auto& details = host.last_error().details;
  std::string where = fleet.source;
  std::string message = error.message;
  // A duplicate of a Ch-obolo host: say where that entry is, so the user can pick one.
  if (details.is_object() && details.contains("host") && details["host"].is_string()) {
    for (const auto& h : fleet.hosts) {
      if (h.name == details["host"].get<std::string>()) message += " (the Ch-obolo's entry is at " + h.where + ")";
    }
  }
  if (details.is_object() && details.contains("entry_point") && details["entry_point"].is_string())
    where = details["entry_point"].get<std::string>();
  std::string hint;
  if (details.is_object() && details.contains("traceback") && details["traceback"].is_string())
    hint = "the plugin said:\n" + details["traceback"].get<std::string>();
  return Error(message, where, hint);
}

// One host of the reply, checked again here: the host runs plugin code, so its word that a
// name is well formed is not enough.
Result<FleetHost> boat_host(const json& h, std::vector<BoatRun>& runs) {
  FleetHost host;
  host.name = h["name"].get<std::string>();
  int index = h["boat_index"].get<int>();
  if (index < 0 || static_cast<size_t>(index) >= runs.size())
    return Error("the role host said host `" + host.name + "` came from boat #" + std::to_string(index) +
                 ", which the Ch-obolo does not list");
  BoatRun& run = runs[static_cast<size_t>(index)];
  host.boat = run.provider;
  host.where = describe(run.provider, run.plugin);
  if (auto problem = host_name_problem(host.name)) return Error(host.where + ": " + *problem);
  host.data = h["data"];
  for (const auto& g : h["groups"]) host.groups.push_back(g.get<std::string>());
  ++run.added;
  return host;
}

Status check_capability(RoleHost& host) {
  auto hello = host.handshake();
  if (!hello) return hello.error();
  const auto& caps = host.hello().value("capabilities", json::array());
  if (std::find(caps.begin(), caps.end(), "boats") == caps.end()) {
    return Error("the chaos Python package in the plugin environment is too old to run boats",
                 host.hello().value("executable", std::string()),
                 "install the same version as this chaos binary there (`chaos doctor`)");
  }
  return {};
}

}  // namespace

Result<std::vector<BoatRun>> sail_boats(Fleet& fleet, const PluginIndex& index, RoleHost& host,
                                        const std::string& chobolo_path) {
  std::vector<BoatRun> runs;
  if (fleet.boats.empty()) return runs;
  auto specs = boat_specs(fleet, index, runs);
  if (!specs) return specs.error();
  if (auto err = check_capability(host)) return *err;
  auto reply = host.call("boats", {{"boats", *specs}, {"chobolo_path", chobolo_path}});
  if (!reply) return boat_failure(host, reply.error(), fleet);

  std::map<std::string, std::string> seen;  // name -> where it comes from
  for (const auto& h : fleet.hosts) seen.emplace(h.name, "fleet.hosts at " + h.where);
  for (const auto& h : (*reply)["hosts"]) {
    auto added = boat_host(h, runs);
    if (!added) return Error(added.error().message, fleet.source);
    auto [it, fresh] = seen.emplace(added->name, added->where);
    if (!fresh) {
      return Error("fleet host `" + added->name + "` comes from " + added->where + " and from " + it->second,
                   fleet.source, "a host may be listed once: remove it from one of them");
    }
    fleet.hosts.push_back(std::move(*added));
  }
  return runs;
}

}  // namespace chaos
