#include "apply/report.h"

#include <ctime>

#include "runview/render.h"
#include "term/escape.h"

namespace chaos {
namespace {

using nlohmann::json;

std::string iso_now() {
  std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));
  return buf;
}

// The strings of a JSON array (the host's replies were checked to hold only strings there).
std::vector<std::string> strings_of(const json& array) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& s : array) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

std::optional<std::string> string_or_null(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

ReportOperation executed_operation(const json& op) {
  ReportOperation entry;
  entry.name = op.value("op", "");
  entry.role = string_or_null(op, "role");
  entry.status = op.contains("status") && op["status"].is_string() ? op["status"].get<std::string>() : "failed";
  entry.timed = true;
  if (op.contains("duration_s") && op["duration_s"].is_number()) entry.duration_s = op["duration_s"].get<double>();
  for (const char* key : {"command", "exit_code", "stderr_tail", "ignored"}) {
    if (op.contains(key)) entry.failure[key] = op[key];
  }
  entry.hash = string_or_null(op, "hash");
  entry.stdout_tail = strings_of(op.value("stdout_tail", json()));
  return entry;
}

ReportCounts totals(const ApplyReport& r) {
  ReportCounts all;
  for (const auto& [name, host] : r.hosts) {
    all.changed += host.counts.changed;
    all.no_change += host.counts.no_change;
    all.failed += host.counts.failed;
    all.skipped += host.counts.skipped;
  }
  return all;
}

json roles_json(const ApplyReport& r) {
  json roles = json::array();
  for (const auto& role : r.roles) {
    json info = {{"tag", role.tag}, {"plugin", role.plugin}, {"entry_point", role.target}};
    for (const auto& known : r.roles_info) {
      if (known.tag != role.tag) continue;
      info["kind"] = known.kind;
      if (known.name) info["name"] = *known.name;
    }
    roles.push_back(info);
  }
  return roles;
}

std::string host_summary(const ReportHost& host, bool dry, const Painter& paint) {
  const ReportCounts& c = host.counts;
  std::string out = "  " + visible(host.name) + ": ";
  if (!host.connected) return out + paint(Tone::red, "not connected") + "\n";
  out += paint(Tone::yellow, std::to_string(c.changed) + (dry ? " would change" : " changed")) + ", " +
         paint(Tone::green, std::to_string(c.no_change) + " unchanged") + ", " +
         paint(c.failed ? Tone::red : Tone::plain, std::to_string(c.failed) + " failed");
  if (c.skipped) out += ", " + paint(Tone::yellow, std::to_string(c.skipped) + " skipped");
  out += "\n";
  std::string failed = join_names(json(host.failed_roles));
  if (!failed.empty())
    out += "    " + paint(Tone::red, "failed roles: " + failed) + " (none of their operations ran)\n";
  std::string not_run = join_names(json(host.not_run_roles));
  if (!not_run.empty()) out += "    " + paint(Tone::yellow, "not run: " + not_run) + "\n";
  for (const auto& s : host.skipped_roles) {
    std::string keys = join_names(json(s.keys));
    if (s.reason == "restricted") {
      out += "    " + paint(Tone::yellow, "skipped: " + s.role) + " (fleet restrictions)\n";
      continue;
    }
    const char* why = s.reason == "missing_secret_keys" ? " (secrets not in the file" : " (needs secrets";
    out += "    " + paint(Tone::yellow, "skipped: " + s.role) + why + (keys.empty() ? "" : ": " + keys) + ")\n";
  }
  return out;
}

}  // namespace

ApplyReport::ApplyReport() : started(iso_now()) {}

ReportHost& ApplyReport::host(const std::string& name) {
  auto [it, added] = hosts.try_emplace(name);
  if (added) it->second.name = name;
  return it->second;
}

void ApplyReport::take_outcome(const json& reply) {
  for (const auto& [name, tags] : member(reply, "failed_roles").items()) {
    if (tags.is_array()) host(name).failed_roles = strings_of(tags);
  }
  for (const auto& [name, tags] : member(reply, "not_run").items()) {
    if (tags.is_array()) host(name).not_run_roles = strings_of(tags);
  }
  if (reply.is_object() && reply.contains("skipped_roles") && reply["skipped_roles"].is_array()) {
    for (auto& [name, h] : hosts) h.skipped_roles.clear();
    for (const auto& s : reply["skipped_roles"]) {
      if (!s.is_object() || !s.value("host", json()).is_string()) continue;
      host(s["host"].get<std::string>())
          .skipped_roles.push_back({s.value("role", ""), s.value("reason", ""), strings_of(s.value("keys", json()))});
    }
  }
}

void ApplyReport::take_execution(const json& result) {
  for (auto [key, list] : {std::pair{"health", &health}, std::pair{"command_log", &command_log}}) {
    if (!result.is_object() || !result.contains(key) || !result[key].is_array()) continue;
    for (const auto& entry : result[key]) {
      if (entry.is_object()) list->push_back(entry);
    }
  }
  for (const auto& [name, h] : member(result, "hosts").items()) {
    ReportHost& entry = host(name);
    entry.counts = {h.value("changed", 0), h.value("no_change", 0), h.value("failed", 0), h.value("ignored", 0),
                    h.value("skipped", 0)};
    entry.operations.clear();
    for (const auto& op : h.value("ops", json::array())) {
      if (op.is_object()) entry.operations.push_back(executed_operation(op));
    }
  }
}

void ApplyReport::take_dry_run(const json& planned) {
  for (const auto& [name, ops] : member(planned, "hosts").items()) {
    ReportHost& entry = host(name);
    for (const auto& op : ops) {
      ReportOperation staged;
      staged.name = op.value("name", "");
      staged.role = string_or_null(op, "role");
      bool will_change = op.value("will_change", false);
      staged.status = will_change ? "would_change" : "would_not_change";
      staged.diff = string_or_null(op, "diff");
      staged.hash = string_or_null(op, "hash");
      if (op.contains("args")) staged.args = op["args"];
      entry.operations.push_back(std::move(staged));
      ++(will_change ? entry.counts.changed : entry.counts.no_change);
    }
  }
}

void ApplyReport::attach_plan(const json& planned) {
  for (const auto& [name, ops] : member(planned, "hosts").items()) {
    auto it = hosts.find(name);
    if (it == hosts.end() || !ops.is_array()) continue;
    for (auto& op : it->second.operations) {
      if (!op.hash) continue;
      for (const auto& p : ops) {
        if (!p.is_object() || string_or_null(p, "hash") != op.hash) continue;
        if (!op.diff) op.diff = string_or_null(p, "diff");
        if (p.contains("args")) op.args = p["args"];
        break;
      }
    }
  }
}

bool ApplyReport::any_failed_roles() const {
  for (const auto& [name, h] : hosts)
    if (!h.failed_roles.empty()) return true;
  return false;
}

bool ApplyReport::any_secrets_missing() const {
  for (const auto& [name, h] : hosts)
    for (const auto& s : h.skipped_roles)
      if (s.reason == "missing_secret_keys") return true;
  return false;
}

bool ApplyReport::any_skipped_roles() const {
  for (const auto& [name, h] : hosts)
    if (!h.skipped_roles.empty()) return true;
  return false;
}

bool ApplyReport::any_failed_operations() const {
  for (const auto& [name, h] : hosts)
    if (h.counts.failed > 0) return true;
  return false;
}

int ApplyReport::counts_changed() const { return totals(*this).changed; }

bool ApplyReport::any_host_unreached() const {
  for (const auto& [name, h] : hosts)
    if (!h.connected) return true;
  return false;
}

void to_json(json& j, const ReportDelta& d) {
  j = {{"role", d.role}, {"to_add", d.to_add}, {"to_remove", d.to_remove}, {"empty", d.empty}};
}

void to_json(json& j, const ReportOperation& op) {
  j = {{"name", op.name}, {"role", op.role ? json(*op.role) : json(nullptr)}, {"status", op.status}};
  if (op.timed) j["duration_s"] = op.duration_s ? json(*op.duration_s) : json(nullptr);
  if (op.diff) j["diff"] = *op.diff;
  if (op.hash) j["hash"] = *op.hash;
  for (const auto& [key, value] : op.failure.items()) j[key] = value;
}

void to_json(json& j, const ReportSkippedRole& s) { j = {{"role", s.role}, {"reason", s.reason}, {"keys", s.keys}}; }

void to_json(json& j, const ReportHost& h) {
  json counts = {{"changed", h.counts.changed},
                 {"no_change", h.counts.no_change},
                 {"failed", h.counts.failed},
                 {"skipped", h.counts.skipped}};
  if (h.counts.ignored) counts["ignored"] = *h.counts.ignored;
  j = {{"name", h.name},
       {"connected", h.connected},
       {"deltas", h.deltas},
       {"operations", h.operations},
       {"failed_roles", h.failed_roles},
       {"not_run_roles", h.not_run_roles},
       {"skipped_roles", h.skipped_roles},
       {"counts", counts}};
  if (h.error) j["error"] = *h.error;
}

void to_json(json& j, const ApplyReport& r) {
  ReportCounts all = totals(r);
  json hosts = json::array();
  for (const auto& [name, host] : r.hosts) hosts.push_back(host);
  j = {{"version", 1},
       {"tags", r.tags},
       {"roles", roles_json(r)},
       {"chobolo", r.chobolo.empty() ? json(nullptr) : json(r.chobolo)},
       {"dry", r.dry},
       {"started", r.started},
       {"duration_s", r.duration_s},
       {"hosts", hosts},
       {"counts",
        {{"changed", all.changed}, {"no_change", all.no_change}, {"failed", all.failed}, {"skipped", all.skipped}}},
       {"errors", r.errors},
       {"interrupted", r.interrupted},
       {"change_kind", r.change_kind},
       {"success", r.exit_code == 0},
       {"exit_code", r.exit_code}};
}

const nlohmann::json& member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

const nlohmann::json& array_member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : empty;
}

std::string render_summary(const ApplyReport& r, const Painter& paint) {
  if (r.hosts.empty() || r.aborted) return "";
  std::string summary = "\n" + paint(Tone::bold, r.dry ? "Summary (dry run)" : "Summary") + "\n";
  for (const auto& [name, host] : r.hosts) summary += host_summary(host, r.dry, paint);
  if (!r.errors.empty()) {
    summary += "  " + paint(Tone::red, std::to_string(r.errors.size()) + " error(s)") + " (shown above)\n";
  }
  if (r.change_kind == "corrective") {
    summary += "  " + paint(Tone::yellow, r.dry ? "drift: " : "corrective: ") +
               (r.dry ? "changes are pending although the inputs equal the last successful run's\n"
                      : "the inputs equal the last successful run's, so the machine had drifted\n");
  }
  summary += "  took " + format_seconds(r.duration_s) + "\n";
  return summary;
}

}  // namespace chaos
