#include "fleet/inventory.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "util/position.h"
#include "util/utf8.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

const char* const kHostsHint =
    "write hosts as a mapping (web-1: {ssh_user: deploy}) or a list (- web-1: {ssh_user: deploy}); see "
    "`chaos explain fleet`";

Error at(const std::string& source, const YAML::Node& node, std::string message, std::string hint = {}) {
  return Error(std::move(message), format_position(source, node.Mark()), std::move(hint));
}

Status check_name(const std::string& name, const std::string& source, const YAML::Node& node) {
  if (auto problem = host_name_problem(name)) {
    bool connector = name.size() > 0 && name.front() == '@' && (name.size() == 1 || name[1] == '/');
    return at(source, node, *problem, connector ? "write @local, @ssh/NAME, @docker/ID, ..." : "");
  }
  return {};
}

Result<std::vector<std::string>> string_list(const YAML::Node& node, const std::string& source,
                                             const std::string& what) {
  std::vector<std::string> out;
  if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
  if (!node.IsSequence()) return at(source, node, what + " must be a list of names");
  for (const auto& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) return at(source, item, what + " must be a list of names");
    out.push_back(item.Scalar());
  }
  return out;
}

Result<FleetHost> host_entry(const YAML::Node& key, const YAML::Node& value, const std::string& source) {
  FleetHost host;
  if (!key.IsScalar()) return at(source, key, "a fleet host's name must be text", kHostsHint);
  host.name = key.Scalar();
  if (auto err = check_name(host.name, source, key)) return *err;
  host.where = format_position(source, key.Mark());
  host.data = nlohmann::ordered_json::object();
  if (!value || value.IsNull()) return host;
  if (!value.IsMap()) {
    return at(source, value, "the data of fleet host `" + host.name + "` must be a mapping of connector settings",
              "for example `" + host.name + ": {ssh_user: deploy, ssh_port: 22}`");
  }
  for (const auto& kv : value) {
    if (!kv.first.IsScalar()) return at(source, kv.first, "a setting of fleet host `" + host.name + "` is not a name");
    if (kv.first.Scalar() == "groups") {
      auto groups = string_list(kv.second, source, "`groups` of fleet host `" + host.name + "`");
      if (!groups) return groups.error();
      host.groups = std::move(*groups);
      continue;
    }
    host.data[kv.first.Scalar()] = json_of_yaml_node(kv.second);
  }
  return host;
}

Result<std::vector<FleetHost>> read_hosts(const YAML::Node& hosts, const std::string& source) {
  std::vector<FleetHost> out;
  if (!hosts) return out;  // no `hosts:` at all: a fleet of boats only
  auto add = [&](const YAML::Node& key, const YAML::Node& value) -> Status {
    auto host = host_entry(key, value, source);
    if (!host) return host.error();
    for (const auto& seen : out) {
      if (seen.name == host->name)
        return at(source, key, "fleet host `" + host->name + "` is listed twice (first at " + seen.where + ")");
    }
    out.push_back(std::move(*host));
    return {};
  };
  if (hosts.IsMap()) {
    for (const auto& kv : hosts)
      if (auto err = add(kv.first, kv.second)) return *err;
  } else if (hosts.IsSequence()) {
    for (const auto& item : hosts) {
      Status err;
      if (item.IsScalar()) {
        err = add(item, YAML::Node());
      } else if (item.IsMap() && item.size() == 1) {
        err = add(item.begin()->first, item.begin()->second);
      } else {
        err = at(source, item, "a fleet host entry must be a name or one `name: {data}` mapping", kHostsHint);
      }
      if (err) return *err;
    }
  } else if (!hosts.IsNull()) {
    return at(source, hosts, "`fleet.hosts` must be a mapping or a list of hosts", kHostsHint);
  }
  return out;
}

Status read_groups(const YAML::Node& groups, const std::string& source, std::vector<FleetHost>& hosts) {
  if (!groups || groups.IsNull()) return {};
  if (!groups.IsMap()) return at(source, groups, "`fleet.groups` must map a group name to its hosts");
  for (const auto& kv : groups) {
    if (!kv.first.IsScalar() || kv.first.Scalar().empty()) return at(source, kv.first, "a group needs a name");
    std::string group = kv.first.Scalar();
    auto members = string_list(kv.second, source, "group `" + group + "`");
    if (!members) return members.error();
    for (const auto& member : *members) {
      auto found = std::find_if(hosts.begin(), hosts.end(), [&](const FleetHost& h) { return h.name == member; });
      if (found == hosts.end())
        return at(source, kv.second, "group `" + group + "` names `" + member + "`, which is not a fleet host");
      if (std::find(found->groups.begin(), found->groups.end(), group) == found->groups.end())
        found->groups.push_back(group);
    }
  }
  return {};
}

bool matches(const FleetHost& host, const std::string& pattern) {
  if (pattern.size() > 1 && pattern.front() == '@' && pattern.find('/') == std::string::npos && !host.groups.empty() &&
      std::find(host.groups.begin(), host.groups.end(), pattern.substr(1)) != host.groups.end()) {
    return true;
  }
  return ::fnmatch(pattern.c_str(), host.name.c_str(), 0) == 0;
}

}  // namespace

// A host name: an address or name, or @connector[/target]; text only, nothing that could be
// read as an option or hide a line break.
std::optional<std::string> host_name_problem(const std::string& name) {
  if (name.empty()) return "a fleet host has an empty name";
  if (!is_valid_utf8(name)) return "a fleet host name is not valid UTF-8";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == ' ')
      return "fleet host `" + escape_invalid_utf8(name) + "` has a space or control character";
  }
  if (name.front() == '-') return "fleet host `" + name + "` starts with `-`";
  if (name.front() == '@' && (name.size() == 1 || name[1] == '/'))
    return "fleet host `" + name + "` names no connector";
  return std::nullopt;
}

Result<Fleet> read_fleet(std::string_view chobolo_text, const std::string& source) {
  Fleet fleet;
  fleet.source = source;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(chobolo_text));
  } catch (const YAML::Exception& e) {
    return Error("the Ch-obolo is not valid YAML: " + e.msg, format_position(source, e.mark));
  }
  if (!root.IsMap()) return fleet;
  YAML::Node block = root["fleet"];
  YAML::Node top_restrictions = root["restrictions"];
  if (top_restrictions && !top_restrictions.IsNull()) fleet.restrictions = json_of_yaml_node(top_restrictions);
  if (!block || block.IsNull()) return fleet;
  if (!block.IsMap()) return at(source, block, "`fleet` must be a mapping (hosts, groups, parallelism, boats)");
  fleet.present = true;
  auto hosts = read_hosts(block["hosts"], source);
  if (!hosts) return hosts.error();
  fleet.hosts = std::move(*hosts);
  if (auto err = read_groups(block["groups"], source, fleet.hosts)) return *err;
  if (YAML::Node p = block["parallelism"]; p && !p.IsNull()) {
    try {
      fleet.parallelism = p.as<int>();
    } catch (const YAML::Exception&) {
      return at(source, p, "`fleet.parallelism` must be a whole number (0: pyinfra's default)");
    }
    if (fleet.parallelism < 0) return at(source, p, "`fleet.parallelism` cannot be negative");
  }
  if (YAML::Node boats = block["boats"]; boats && !boats.IsNull()) {
    if (!boats.IsSequence()) return at(source, boats, "`fleet.boats` must be a list of {provider, config}");
    fleet.boats = json_of_yaml_node(boats);
    for (const auto& entry : boats) fleet.boats_where.push_back(format_position(source, entry.Mark()));
  }
  if (YAML::Node r = block["restrictions"]; r && !r.IsNull()) fleet.restrictions = json_of_yaml_node(r);
  return fleet;
}

Result<std::vector<FleetHost>> select_hosts(const Fleet& fleet, const std::vector<std::string>& limit,
                                            const std::vector<std::string>& exclude) {
  std::vector<FleetHost> out;
  std::set<std::string> used;
  for (const auto& host : fleet.hosts) {
    bool wanted = limit.empty();
    for (const auto& p : limit) {
      if (matches(host, p)) wanted = true, used.insert(p);
    }
    bool excluded = false;
    for (const auto& p : exclude) {
      if (matches(host, p)) excluded = true, used.insert(p);
    }
    if (wanted && !excluded) out.push_back(host);
  }
  for (const auto* patterns : {&limit, &exclude}) {
    for (const auto& p : *patterns) {
      if (!used.count(p))
        return Error("`" + p + "` matches no fleet host", fleet.source,
                     "hosts are matched by name (globs: web-*) or by group (@db); `chaos explain fleet`");
    }
  }
  if (out.empty()) return Error("--limit and --exclude leave no host to work on", fleet.source);
  return out;
}

}  // namespace chaos
