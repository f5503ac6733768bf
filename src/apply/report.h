// apply/report: everything one `chaos apply` run learns, as one model. The --json document
// (docs/apply-report.schema.json), the text summary and the history record are all rendered
// from it, so they cannot disagree.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apply/tags.h"
#include "term/style.h"
#include "util/text.h"

namespace chaos {

struct ReportDelta {
  std::string role;
  nlohmann::json to_add = nlohmann::json::object();
  nlohmann::json to_remove = nlohmann::json::object();
  bool empty = true;
};

// One operation: executed (`timed`: its duration is reported, null when pyinfra gave none) or
// staged by a dry run (status would_change / would_not_change, with the predicted diff).
struct ReportOperation {
  std::string name;
  std::optional<std::string> role;
  std::string status;
  bool timed = false;
  std::optional<double> duration_s;
  std::optional<std::string> diff;
  std::optional<std::string> hash;  // pyinfra's operation hash: the same op in plan and execution
  // The operation's arguments as apply.plan listed them: recorded in the logbook (secret-looking
  // keys masked there), never printed.
  nlohmann::json args;
  std::vector<std::string> stdout_tail;  // only recorded, like args
  // What pyinfra said about a failed or ignored operation (command, exit_code, stderr_tail,
  // ignored), passed on as the host sent it: already checked against docs/protocol.md §6.
  nlohmann::json failure = nlohmann::json::object();
};

struct ReportSkippedRole {
  std::string role;
  std::string reason;
  std::vector<std::string> keys;
};

struct ReportCounts {
  int changed = 0;
  int no_change = 0;
  int failed = 0;
  std::optional<int> ignored;  // only once the host executed something
  int skipped = 0;
};

struct ReportHost {
  std::string name;
  bool connected = true;
  std::optional<nlohmann::json> error;  // as the host said why it could not connect
  std::vector<ReportDelta> deltas;
  std::vector<ReportOperation> operations;
  std::vector<std::string> failed_roles;
  std::vector<std::string> not_run_roles;
  std::vector<ReportSkippedRole> skipped_roles;
  ReportCounts counts;
};

// What the host said about a role in apply.prepare (its kind, and a class role's name).
struct ReportRoleInfo {
  std::string tag;
  std::string kind;
  std::optional<nlohmann::json> name;
};

struct ApplyReport {
  using Clock = std::chrono::steady_clock;

  std::vector<std::string> tags;
  std::vector<ResolvedRole> roles;
  std::string chobolo;
  bool dry = false;
  std::string started;
  Clock::time_point start = Clock::now();
  double duration_s = 0;
  std::vector<ReportRoleInfo> roles_info;
  // By name in natural order, web-2 before web-10 (the summary and the JSON list them so).
  std::map<std::string, ReportHost, NaturalLess> hosts;
  // Role and host errors as the role host reported them (kind, message and context: plugin,
  // entry_point, role, host, phase, traceback), and the core's own {kind: error, message, where}.
  std::vector<nlohmann::json> errors;
  bool interrupted = false;
  bool aborted = false;
  // Load and memory of each host before and after the operations (apply.execute with health,
  // under -l, -x or -i): recorded in the logbook, not part of the --json report.
  std::vector<nlohmann::json> health;
  // The facts read and commands run, in order, as pyinfra logged them (the same runs).
  std::vector<nlohmann::json> command_log;
  // none, intentional or corrective (apply/record.h): whether changes followed edited inputs or
  // a machine that drifted from the same inputs.
  std::string change_kind = "none";
  int exit_code = 0;

  ApplyReport();
  ReportHost& host(const std::string& name);
  // The host's word on which roles failed, were not run, or were skipped (every apply.* reply
  // carries the whole picture so far).
  void take_outcome(const nlohmann::json& reply);
  // The apply.execute result (or the `partial` of an interrupted one): counts and operations.
  void take_execution(const nlohmann::json& result);
  // The apply.plan result of a dry run: what would run, counted as would change or not.
  void take_dry_run(const nlohmann::json& planned);
  // After execution: each executed operation gets the diff and arguments its plan had.
  void attach_plan(const nlohmann::json& planned);
  bool any_failed_roles() const;
  bool any_skipped_roles() const;
  // A role skipped under -s because the secrets file lacks keys it names.
  bool any_secrets_missing() const;
  bool any_failed_operations() const;
  // Operations that changed (or, in a dry run, would change) on every host together.
  int counts_changed() const;
  // A host the run could not connect to: its work did not happen, so the run did not succeed.
  bool any_host_unreached() const;
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start).count(); }
};

void to_json(nlohmann::json& j, const ReportDelta& d);
void to_json(nlohmann::json& j, const ReportOperation& op);
void to_json(nlohmann::json& j, const ReportSkippedRole& s);
void to_json(nlohmann::json& j, const ReportHost& h);
// The --json document (docs/apply-report.schema.json, version 1).
void to_json(nlohmann::json& j, const ApplyReport& r);

// A member of a host's reply by reference (json::value() returns a copy, and iterating the
// items() of a temporary would read freed memory); missing or another type: an empty object.
const nlohmann::json& member(const nlohmann::json& object, const char* key);
// The same for an array member (pointers into it stay valid while `object` lives).
const nlohmann::json& array_member(const nlohmann::json& object, const char* key);

// "Summary" with each host's counts and role outcomes, the error count and the time taken;
// empty when no host was reached or the user said no.
std::string render_summary(const ApplyReport& r, const Painter& paint);

}  // namespace chaos
