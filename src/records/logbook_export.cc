#include "records/logbook_export.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/utf8.h"

// Types decided where the original's field list leaves them open (the original's own file, as
// its docs show one, is the reference; docs/chaos-logbook.schema.json says the same formally):
// - durations are numbers of seconds rounded to 4 decimals, as the original wrote them; an
//   unknown or damaged one (null, negative, non-finite, over kMaxDuration) counts as 0, so every
//   sum, average and percentile is a finite number a viewer can do arithmetic on;
// - stdout and stderr are strings (the store keeps lists of lines; the original stored pyinfra's
//   output strings): the lines joined by "\n", "" when there are none; diff is a string, "" when
//   there is none, as in the original;
// - timestamps (resource_history, fact_history, command_n_fact_history) are epoch seconds as
//   numbers, as the original wrote them; the store's ISO 8601 text is converted, and a timestamp
//   that cannot be read is null;
// - operation_meta.hash is the store's op_hash (a string, null when unknown); the original wrote
//   pyinfra's "=<sha1>" there, a viewer can only compare it, never decode it;
// - fact_history entries keep the original's keys: id is the entry's 1-based position in the
//   run's fact log, run_id is the uggly run id (the original's foreign key);
// - summary.total_duration is the sum of the operations' durations, as in the original; the run's
//   wall-clock duration is chaos.duration_s.

namespace chaos {
namespace {

using nlohmann::json;

// Subtrees copied through (operation arguments, errors, deltas) are cut below this depth: the
// store's are a few levels deep, and copying recurses.
constexpr int kMaxCopyDepth = 32;
// About 31 years: a longer duration is damage. Any number of sane durations sums to a finite one.
constexpr double kMaxDuration = 1e9;
// Retry counts beyond this are damage too; it keeps the counts plain 32-bit numbers.
constexpr int64_t kMaxCount = 1'000'000'000;
// chaos's exit code for an interrupted run (docs/apply.md).
constexpr int64_t kInterruptedExit = 130;

const json& null_json() {
  static const json kNull;
  return kNull;
}

// obj[key] when obj is an object holding key, null otherwise: every read of the input goes
// through here, so a wrong-typed parent never throws.
const json& field(const json& obj, const char* key) {
  if (!obj.is_object()) return null_json();
  auto it = obj.find(key);
  return it == obj.end() ? null_json() : *it;
}

// Valid UTF-8, which the JSON encoder needs. Only the lines holding a stray byte are escaped
// (util/utf8.h escapes control characters too), so an output's or a diff's newlines and the
// tabs of its other lines stay as they were.
std::string clean_text(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  while (true) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    out += is_valid_utf8(line) ? std::string(line) : escape_invalid_utf8(line);
    if (end == std::string_view::npos) return out;
    out += '\n';
    text.remove_prefix(end + 1);
  }
}

std::string text(const json& value) {
  return value.is_string() ? clean_text(value.get_ref<const std::string&>()) : std::string();
}

json text_or_null(const json& value) { return value.is_string() ? json(text(value)) : json(nullptr); }

bool flag(const json& value, bool fallback) { return value.is_boolean() ? value.get<bool>() : fallback; }

std::optional<double> finite(const json& value) {
  if (!value.is_number()) return std::nullopt;
  double number = value.get<double>();
  if (!std::isfinite(number)) return std::nullopt;
  return number;
}

std::optional<int64_t> integer(const json& value) {
  if (value.is_number_unsigned()) return static_cast<int64_t>(std::min<uint64_t>(value.get<uint64_t>(), INT64_MAX));
  if (value.is_number_integer()) return value.get<int64_t>();
  return std::nullopt;
}

json integer_or_null(const json& value) {
  std::optional<int64_t> number = integer(value);
  return number ? json(*number) : json(nullptr);
}

int64_t count(const json& value) { return std::clamp<int64_t>(integer(value).value_or(0), 0, kMaxCount); }

double duration(const json& value) {
  std::optional<double> seconds = finite(value);
  return seconds && *seconds >= 0 && *seconds <= kMaxDuration ? *seconds : 0.0;
}

// Four decimals, as the original rounded every duration. The argument is finite and bounded.
double round4(double seconds) { return std::round(seconds * 10000.0) / 10000.0; }

// A copy that the encoder always accepts: non-finite numbers become null, text valid UTF-8
// (object keys included), and anything deeper than kMaxCopyDepth null.
json copied(const json& value, int depth = 0) {
  if (depth > kMaxCopyDepth) return nullptr;
  switch (value.type()) {
    case json::value_t::object: {
      json out = json::object();
      for (const auto& [key, item] : value.items()) out[clean_text(key)] = copied(item, depth + 1);
      return out;
    }
    case json::value_t::array: {
      json out = json::array();
      for (const json& item : value) out.push_back(copied(item, depth + 1));
      return out;
    }
    case json::value_t::string:
      return text(value);
    case json::value_t::number_float:
      return finite(value) ? value : json(nullptr);
    case json::value_t::null:
    case json::value_t::boolean:
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return value;
    default:  // binary and discarded values have no JSON text
      return nullptr;
  }
}

json string_list(const json& value) {
  json out = json::array();
  if (value.is_array()) {
    for (const json& item : value) {
      if (item.is_string()) out.push_back(text(item));
    }
  }
  return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// Epoch seconds of the store's "2026-12-05T20:41:03.123Z" (UTC, optional fraction); a number
// is taken as epoch seconds already. Anything else is unknown.
std::optional<double> epoch_seconds(const json& value) {
  if (value.is_number()) return finite(value);
  if (!value.is_string()) return std::nullopt;
  std::string_view s = value.get_ref<const std::string&>();
  constexpr std::string_view kShape = "0000-00-00T00:00:00";
  if (s.size() < kShape.size() + 1 || s.back() != 'Z') return std::nullopt;
  for (size_t i = 0; i < kShape.size(); ++i) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == '0' ? !digit : s[i] != kShape[i]) return std::nullopt;
  }
  auto number = [&](size_t at, size_t digits) {
    int64_t n = 0;
    for (size_t i = at; i < at + digits; ++i) n = n * 10 + (s[i] - '0');
    return n;
  };
  int64_t month = number(5, 2), day = number(8, 2), hour = number(11, 2), minute = number(14, 2);
  int64_t second = number(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::string_view fraction = s.substr(kShape.size(), s.size() - kShape.size() - 1);
  double part = 0;
  if (!fraction.empty()) {
    if (fraction[0] != '.' || fraction.size() < 2 || fraction.size() > 10) return std::nullopt;
    fraction.remove_prefix(1);
    if (!std::all_of(fraction.begin(), fraction.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    part = static_cast<double>(number(kShape.size() + 1, fraction.size())) / std::pow(10.0, fraction.size());
  }
  int64_t days = days_from_civil(number(0, 4), month, day);
  return static_cast<double>(days * 86400 + hour * 3600 + minute * 60 + second) + part;
}

json timestamp(const json& value) {
  std::optional<double> seconds = epoch_seconds(value);
  return seconds ? json(*seconds) : json(nullptr);
}

// One operation of the store, read once: its v1 history entry and what the other sections need.
struct Operation {
  std::string host;
  std::string name;
  bool changed = false;
  bool success = false;
  double seconds = 0;
  std::optional<double> ended;  // epoch seconds
  json history;
};

// The store's lists of lines as one string, as the original stored pyinfra's output.
std::string output_text(const json& value) {
  if (value.is_string()) return text(value);
  std::string out;
  if (!value.is_array()) return out;
  bool first = true;
  for (const json& line : value) {
    if (!line.is_string()) continue;
    if (!first) out += '\n';
    out += text(line);
    first = false;
  }
  return out;
}

// The original's operation_arguments: pyinfra's global arguments, the operation's meta and its
// parent. The store keeps the (already redacted) arguments either in that shape already
// ({global_arguments, ...}) or as the global arguments themselves; operation_meta is always
// rebuilt from the store's own fields, so every history entry has one.
json operation_arguments(const json& op, const std::string& status, bool changed) {
  const json& arguments = field(op, "arguments");
  json out = json::object();
  if (field(arguments, "global_arguments").is_object()) {
    out = copied(arguments);
  } else {
    out["global_arguments"] = arguments.is_object() ? copied(arguments) : json::object();
  }
  // Executed: the operation ran (a dry run's would_* and a skipped one did not). Maybe-change:
  // it changed or would have.
  bool executed = status == "changed" || status == "no_change" || status == "failed";
  out["operation_meta"] = {{"executed", executed},
                           {"maybe_change", changed || status == "would_change"},
                           {"hash", text_or_null(field(op, "op_hash"))}};
  out["parent_op_hash"] = text_or_null(field(arguments, "parent_op_hash"));
  return out;
}

json retry_statistics(const json& op, bool success) {
  int64_t attempts = count(field(op, "retries"));
  const json& arguments = field(op, "arguments");
  const json& configured_global = field(field(arguments, "global_arguments"), "_retries");
  const json& configured = configured_global.is_null() ? field(arguments, "_retries") : configured_global;
  int64_t max_retries = std::max(attempts, count(configured));
  json info = {{"retry_attempts", attempts},
               {"max_retries", max_retries},
               {"was_retried", attempts > 0},
               {"retry_succeeded", attempts > 0 ? json(success) : json(nullptr)}};
  return {{"retry_attempts", attempts}, {"max_retries", max_retries}, {"retry_info", std::move(info)}};
}

Operation read_operation(const json& op, const std::string& host) {
  Operation out;
  out.host = host;
  out.name = text(field(op, "name"));
  std::string status = text(field(op, "status"));
  out.changed = flag(field(op, "changed"), status == "changed");
  out.success = flag(field(op, "success"), status != "failed");
  out.seconds = duration(field(op, "duration_s"));
  out.ended = epoch_seconds(field(op, "timestamp"));
  out.history = {{"operation", out.name},
                 {"changed", out.changed},
                 {"success", out.success},
                 {"duration", round4(out.seconds)},
                 {"stdout", output_text(field(op, "stdout"))},
                 {"stderr", output_text(field(op, "stderr"))},
                 {"diff", text(field(op, "diff"))},
                 {"operation_arguments", operation_arguments(op, status, out.changed)},
                 {"retry_statistics", retry_statistics(op, out.success)}};
  return out;
}

// What chaos knows of an operation beyond v1 (chaos.hosts.NAME.operations, in history order).
json operation_extras(const json& op) {
  return {{"status", text_or_null(field(op, "status"))},
          {"role", text_or_null(field(op, "role"))},
          {"command", text_or_null(field(op, "command"))},
          {"exit_code", integer_or_null(field(op, "exit_code"))},
          {"timestamp", text_or_null(field(op, "timestamp"))}};
}

struct Host {
  std::string name;
  std::vector<size_t> operations;  // indices into the run's operations
  json extras = {{"connected", nullptr}, {"error", nullptr}, {"deltas", json::array()}, {"operations", json::array()}};
};

// The store's hosts, in order. A name given twice (damage: the store keeps one row per name)
// is one host holding both lists, as v1 keys hosts by name.
std::vector<Host> read_hosts(const json& hosts, std::vector<Operation>& operations) {
  std::vector<Host> out;
  std::map<std::string, size_t> index;
  if (!hosts.is_array()) return out;
  for (const json& source : hosts) {
    std::string name = text(field(source, "name"));
    auto [it, added] = index.emplace(name, out.size());
    if (added) {
      out.emplace_back();
      out.back().name = name;
    }
    Host& host = out[it->second];
    if (field(source, "connected").is_boolean()) host.extras["connected"] = field(source, "connected");
    if (host.extras["error"].is_null()) host.extras["error"] = copied(field(source, "error"));
    if (field(source, "deltas").is_array()) {
      for (const json& delta : field(source, "deltas")) host.extras["deltas"].push_back(copied(delta));
    }
    const json& ops = field(source, "operations");
    if (!ops.is_array()) continue;
    for (const json& op : ops) {
      if (!op.is_object()) continue;
      host.operations.push_back(operations.size());
      operations.push_back(read_operation(op, name));
      host.extras["operations"].push_back(operation_extras(op));
    }
  }
  return out;
}

struct Tally {
  int64_t total = 0, changed = 0, successful = 0, failed = 0;
  double seconds = 0;
  void add(const Operation& op) {
    ++total;
    changed += op.changed;
    successful += op.success;
    failed += !op.success;
    seconds += op.seconds;
  }
};

json hosts_section(const std::vector<Host>& hosts, const std::vector<Operation>& operations) {
  json out = json::object();
  for (const Host& host : hosts) {
    Tally tally;
    json history = json::array();
    for (size_t i : host.operations) {
      tally.add(operations[i]);
      history.push_back(operations[i].history);
    }
    out[host.name] = {{"total_operations", tally.total},           {"changed_operations", tally.changed},
                      {"successful_operations", tally.successful}, {"failed_operations", tally.failed},
                      {"duration", round4(tally.seconds)},         {"history", std::move(history)}};
  }
  return out;
}

// The run's final status. The original exported before finishing the run and so wrote
// "in_progress" into every file (spec §11 item 16); chaos writes what the run came to. A run the
// store still has in progress never reached its end (the export comes after it): a failed
// operation or a failing exit code makes it a failure, otherwise it was interrupted.
std::string final_status(const json& run, bool any_failed) {
  std::string recorded = text(field(run, "status"));
  if (recorded == "success" || recorded == "failure" || recorded == "interrupted") return recorded;
  if (any_failed) return "failure";
  if (std::optional<int64_t> code = integer(field(run, "exit_code"))) {
    return *code == 0 ? "success" : *code == kInterruptedExit ? "interrupted" : "failure";
  }
  return field(run, "ended").is_string() ? "success" : "interrupted";
}

json summary_section(const json& run, const std::vector<Operation>& operations) {
  Tally tally;
  for (const Operation& op : operations) tally.add(op);
  return {{"total_operations", tally.total},           {"changed_operations", tally.changed},
          {"successful_operations", tally.successful}, {"failed_operations", tally.failed},
          {"total_duration", round4(tally.seconds)},   {"status", final_status(run, tally.failed > 0)}};
}

json hailer(const json& given) {
  return {{"user", text_or_null(field(given, "user"))},
          {"boatswain", text_or_null(field(given, "boatswain"))},
          {"hostname", text_or_null(field(given, "hostname"))}};
}

// Health snapshots; a metric that is not a finite number is null.
json resource_history(const json& snapshots) {
  json out = json::array();
  if (!snapshots.is_array()) return out;
  for (const json& snapshot : snapshots) {
    if (!snapshot.is_object()) continue;
    json metrics = json::object();
    const json& given = field(snapshot, "metrics");
    if (given.is_object()) {
      for (const auto& [key, value] : given.items()) {
        std::optional<double> number = finite(value);
        metrics[clean_text(key)] = number ? copied(value) : json(nullptr);
      }
    }
    out.push_back({{"type", "health_check"},
                   {"host", text(field(snapshot, "host"))},
                   {"stage", text(field(snapshot, "stage"))},
                   {"timestamp", timestamp(field(snapshot, "timestamp"))},
                   {"metrics", std::move(metrics)}});
  }
  return out;
}

struct Fact {
  std::optional<double> at;  // epoch seconds
  bool gathering = false;
  json entry;
};

std::vector<Fact> read_facts(const json& logs, const std::string& uggly_run_id) {
  std::vector<Fact> out;
  if (!logs.is_array()) return out;
  int64_t position = 0;
  for (const json& log : logs) {
    ++position;
    if (!log.is_object()) continue;
    Fact fact;
    fact.at = epoch_seconds(field(log, "timestamp"));
    fact.gathering = text(field(log, "context")) == "fact_gathering";
    fact.entry = {{"id", position},
                  {"run_id", uggly_run_id},
                  {"timestamp", fact.at ? json(*fact.at) : json(nullptr)},
                  {"log_level", text(field(log, "log_level"))},
                  {"context", text(field(log, "context"))},
                  {"command", text(field(log, "command"))}};
    out.push_back(std::move(fact));
  }
  return out;
}

json fact_history(const std::vector<Fact>& facts) {
  json out = json::array();
  for (const Fact& fact : facts) {
    if (fact.gathering) out.push_back(fact.entry);
  }
  return out;
}

// The events as the original streamed them: one "progress" event per operation, in the order
// they ended, each with the commands and facts logged while it ran (its time span, as the
// original selected them; the fact log names no host, so parallel hosts share them).
json streamed_history(const std::vector<Operation>& operations, const std::vector<Fact>& facts) {
  std::vector<const Fact*> timed;
  for (const Fact& fact : facts) {
    if (fact.at) timed.push_back(&fact);
  }
  std::stable_sort(timed.begin(), timed.end(), [](const Fact* a, const Fact* b) { return *a->at < *b->at; });
  std::vector<const Operation*> order;
  for (const Operation& op : operations) order.push_back(&op);
  std::stable_sort(order.begin(), order.end(), [](const Operation* a, const Operation* b) {
    return a->ended && (!b->ended || *a->ended < *b->ended);  // unknown end times last
  });
  json out = json::array();
  for (const Operation* op : order) {
    json commands = json::array();
    if (op->ended) {
      double start = *op->ended - op->seconds;
      auto from = std::lower_bound(timed.begin(), timed.end(), start,
                                   [](const Fact* fact, double at) { return *fact->at < at; });
      for (auto it = from; it != timed.end() && *(*it)->at <= *op->ended; ++it) commands.push_back((*it)->entry);
    }
    const json& h = op->history;
    out.push_back({{"type", "progress"},
                   {"host", op->host},
                   {"operation", op->name},
                   {"changed", op->changed},
                   {"success", op->success},
                   {"duration", h.at("duration")},
                   {"logs", {{"stdout", h.at("stdout")}, {"stderr", h.at("stderr")}}},
                   {"diff", h.at("diff")},
                   {"operation_arguments", h.at("operation_arguments")},
                   {"retry_statistics", h.at("retry_statistics")},
                   {"command_n_fact_history", std::move(commands)}});
  }
  return out;
}

// Linear interpolation between the closest ranks (what the original computed): the p-th
// percentile of the sorted values sits at rank p/100 * (n - 1).
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  size_t low = static_cast<size_t>(std::floor(rank));
  size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - static_cast<double>(low));
}

json operation_summary(const std::vector<Operation>& operations) {
  std::map<std::string, std::vector<double>> by_name;
  for (const Operation& op : operations) by_name[op.name].push_back(op.seconds);
  json out = json::object();
  for (auto& [name, seconds] : by_name) {
    std::sort(seconds.begin(), seconds.end());
    double total = 0;
    for (double s : seconds) total += s;
    out[name] = {{"count", seconds.size()},
                 {"total_duration", round4(total)},
                 {"average_duration", round4(total / static_cast<double>(seconds.size()))},
                 {"p50_duration", round4(percentile(seconds, 50))},
                 {"p90_duration", round4(percentile(seconds, 90))},
                 {"p95_duration", round4(percentile(seconds, 95))},
                 {"p99_duration", round4(percentile(seconds, 99))}};
  }
  return out;
}

// What chaos records beyond v1, under the one key v1 readers ignore.
json chaos_extras(const json& run, const std::vector<Host>& hosts) {
  json per_host = json::object();
  for (const Host& host : hosts) per_host[host.name] = host.extras;
  std::optional<double> wall = finite(field(run, "duration_s"));
  return {{"id", integer_or_null(field(run, "id"))},
          {"started", text_or_null(field(run, "started"))},
          {"ended", text_or_null(field(run, "ended"))},
          {"duration_s", wall ? json(*wall) : json(nullptr)},
          {"exit_code", integer_or_null(field(run, "exit_code"))},
          {"dry", flag(field(run, "dry"), false)},
          {"tags", string_list(field(run, "tags"))},
          {"chobolo", text_or_null(field(run, "chobolo"))},
          {"change_kind", text_or_null(field(run, "change_kind"))},
          {"hosts", std::move(per_host)}};
}

}  // namespace

json logbook_export_v1(const json& run_data) {
  const json& run = field(run_data, "run");
  std::string uggly_run_id = text(field(run, "uggly_run_id"));
  std::vector<Operation> operations;
  std::vector<Host> hosts = read_hosts(field(run_data, "hosts"), operations);
  std::vector<Fact> facts = read_facts(field(run_data, "fact_logs"), uggly_run_id);
  json doc = json::object();
  doc["api_version"] = "v1";
  doc["run_id"] = text(field(run, "run_id"));
  doc["uggly_run_id"] = uggly_run_id;
  doc["hailer"] = hailer(field(run, "hailer"));
  doc["secrets_required"] = string_list(field(run, "secrets_required"));
  doc["hosts"] = hosts_section(hosts, operations);
  doc["summary"] = summary_section(run, operations);
  doc["resource_history"] = resource_history(field(run_data, "snapshots"));
  doc["fact_history"] = fact_history(facts);
  doc["streamed_history"] = streamed_history(operations, facts);
  doc["operation_summary"] = operation_summary(operations);
  doc["chaos"] = chaos_extras(run, hosts);
  return doc;
}

}  // namespace chaos
