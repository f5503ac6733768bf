#include "apply/host_split.h"

#include <algorithm>

namespace chaos {

using nlohmann::json;

size_t role_hosts_for(size_t hosts, int requested, unsigned cores, const std::string& why_single) {
  if (hosts < 2 || !why_single.empty()) return 1;
  if (requested >= 1) return std::min(static_cast<size_t>(requested), hosts);
  size_t by_size = hosts / kHostsPerRoleHost;
  return std::clamp<size_t>(std::min<size_t>(by_size, std::max(cores, 1u)), 1, hosts);
}

std::vector<json> split_inventory(const json& hosts, size_t parts) {
  std::vector<json> out;
  if (!hosts.is_array() || hosts.empty()) return out;
  parts = std::clamp<size_t>(parts, 1, hosts.size());
  size_t base = hosts.size() / parts, extra = hosts.size() % parts, next = 0;
  for (size_t p = 0; p < parts; ++p) {
    json slice = json::array();
    for (size_t n = base + (p < extra ? 1 : 0); n > 0; --n) slice.push_back(hosts[next++]);
    out.push_back(std::move(slice));
  }
  return out;
}

namespace {

void merge_into(json& into, const json& from) {
  for (const auto& [key, value] : from.items()) {
    auto it = into.find(key);
    if (it == into.end() || it->is_null()) {
      into[key] = value;
    } else if (key == "roles") {
      continue;  // the same roles on every part
    } else if (it->is_array() && value.is_array()) {
      it->insert(it->end(), value.begin(), value.end());
    } else if (it->is_object() && value.is_object()) {
      it->update(value);
    } else if (it->is_boolean() && value.is_boolean()) {
      *it = key == "success" ? (it->get<bool>() && value.get<bool>()) : (it->get<bool>() || value.get<bool>());
    }
  }
}

}  // namespace

json merge_replies(const std::vector<json>& replies) {
  json merged = json::object();
  for (const auto& reply : replies) {
    if (reply.is_object()) merge_into(merged, reply);
  }
  return merged;
}

}  // namespace chaos
