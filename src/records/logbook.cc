#include "records/logbook.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fstream>
#include <sstream>
#include <type_traits>
#include <utility>

#include "records/history.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/trusted_path.h"

namespace chaos {
namespace {

using nlohmann::json;

constexpr const char* kDatabaseName = "chrima.db";
// Another run holding the write lock finishes its transaction in milliseconds; a wait this long
// only happens when something is stuck, and then the run goes on without its record.
constexpr int kBusyMs = 10000;
constexpr int kSchemaVersion = 1;
// history.jsonl kept at most this many lines (`chaos log -n` read from its end).
constexpr size_t kHistoryImportLimit = 100000;

// The original Chrima's tables first (same names and columns), chaos's columns after them.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id_human TEXT NOT NULL,
  start_time TEXT NOT NULL,
  end_time TEXT,
  status TEXT NOT NULL CHECK (status IN ('in_progress', 'success', 'failure', 'interrupted')),
  summary_json TEXT,
  hailer_json TEXT,
  required_secrets TEXT,
  uggly_run_id TEXT,
  tags_json TEXT NOT NULL DEFAULT '[]',
  hosts_json TEXT NOT NULL DEFAULT '[]',
  dry INTEGER NOT NULL DEFAULT 0,
  chobolo TEXT,
  exit_code INTEGER,
  duration_s REAL,
  chobolo_hash TEXT,
  inputs_hash TEXT,
  change_kind TEXT,
  process TEXT,
  imported INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS hosts (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  summary_json TEXT,
  UNIQUE (run_id, name)
);
CREATE TABLE IF NOT EXISTS operations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  op_hash TEXT,
  name TEXT NOT NULL,
  changed INTEGER,
  success INTEGER,
  duration REAL,
  timestamp TEXT,
  logs_json TEXT,
  diff TEXT,
  arguments_json TEXT,
  retry_stats_json TEXT,
  command_n_facts_in_order_json TEXT,
  role TEXT,
  status TEXT,
  failure_json TEXT
);
CREATE TABLE IF NOT EXISTS resource_snapshots (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  metrics_json TEXT
);
CREATE TABLE IF NOT EXISTS command_n_facts_in_order (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  timestamp TEXT NOT NULL,
  log_level TEXT,
  context TEXT,
  command TEXT
);
CREATE TABLE IF NOT EXISTS deltas (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  to_add_json TEXT NOT NULL,
  to_remove_json TEXT NOT NULL
);
-- A random salt for the fingerprint of decrypted secrets (inputs_hash): without it the hash of
-- a short secret could be guessed by trying values.
CREATE TABLE IF NOT EXISTS chaos_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO chaos_meta (key, value) VALUES ('salt', lower(hex(randomblob(32))));
CREATE INDEX IF NOT EXISTS idx_operations_run ON operations (run_id, host_id);
-- By host too: `log show` reads a host's operations, and dropping an old run cascades through
-- its hosts; without these both scan every operation in the store (bench/bench_logbook.py).
CREATE INDEX IF NOT EXISTS idx_operations_host ON operations (host_id);
CREATE INDEX IF NOT EXISTS idx_deltas_host ON deltas (host_id);
CREATE INDEX IF NOT EXISTS idx_snapshots_host ON resource_snapshots (host_id);
CREATE INDEX IF NOT EXISTS idx_snapshots_run ON resource_snapshots (run_id);
CREATE INDEX IF NOT EXISTS idx_facts_run ON command_n_facts_in_order (run_id);
CREATE INDEX IF NOT EXISTS idx_deltas_run ON deltas (run_id);
CREATE INDEX IF NOT EXISTS idx_runs_in_progress ON runs (status) WHERE status = 'in_progress';
)sql";

// Who runs a run: the process id with its start time and the boot it belongs to, so a reused
// process id or a reboot is not mistaken for the run still going.
std::string process_identity(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Field 22 (starttime) counts from after the command name, which may hold spaces and ')'.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
  }
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  std::string boot_id;
  std::getline(boot, boot_id);
  return std::to_string(pid) + ":" + field + ":" + boot_id;
}

bool process_alive(const std::string& identity) {
  size_t colon = identity.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  pid_t pid = 0;
  for (char c : identity.substr(0, colon)) {
    if (c < '0' || c > '9' || pid > 4194304) return false;
    pid = pid * 10 + (c - '0');
  }
  return pid > 0 && process_identity(pid) == identity;
}

// Deeper than anything chaos stores (a delta is three levels), far shallower than what copying
// or dump()ing a document needs stack for: both recurse once per level, and an edited column
// nested 100 000 deep overflowed the stack in `chaos log --json`. Parsing itself keeps its own
// stack, so the depth is checked while parsing, and a too-deep part is not even kept.
constexpr int kMaxStoredDepth = 128;

json parse_or(const std::string& text, json fallback) {
  bool too_deep = false;
  auto depth_check = [&too_deep](int depth, json::parse_event_t, json&) {
    if (depth > kMaxStoredDepth) too_deep = true;
    return !too_deep;
  };
  json parsed = json::parse(text, depth_check, false);
  return parsed.is_discarded() || too_deep ? fallback : parsed;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

template <class T>
T field(const json& object, const char* key, T fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // get<int>() converts instead of throwing: of 1e300 it is undefined behaviour, of 2.5 or
    // 2^64 - 1 a wrong number. Only a whole number that fits is one.
    if (it->is_number_unsigned())
      return std::in_range<T>(it->get<uint64_t>()) ? static_cast<T>(it->get<uint64_t>()) : fallback;
    if (it->is_number_integer())
      return std::in_range<T>(it->get<int64_t>()) ? static_cast<T>(it->get<int64_t>()) : fallback;
    return fallback;
  }
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

std::optional<std::string> optional_string(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string run_status(const json& report) {
  if (field(report, "interrupted", false)) return "interrupted";
  return field(report, "exit_code", 1) == 0 ? "success" : "failure";
}

}  // namespace

Result<Logbook> Logbook::open(const std::string& dir, const std::string& state_dir) {
  if (auto err = make_directories(dir, 0700)) return *err;
  if (auto err = check_trusted_path(dir, "the logbook directory")) return *err;
  std::string path = join_path(dir, kDatabaseName);
  // Opening is serialized between processes: switching a new database to WAL takes a lock
  // SQLite does not wait for, so ten first runs at once would see "database is locked".
  std::string lock_path = join_path(dir, "chrima.lock");
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!lock) return Error("cannot open the logbook's lock file: " + std::string(strerror(errno)), lock_path);
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Error("cannot lock the logbook: " + std::string(strerror(errno)), lock_path);
  }
  auto db = SqliteDb::open(path, true, kBusyMs);
  if (!db) return db.error();
  Logbook book(std::move(*db));
  if (auto err = book.create_schema(state_dir)) return *err;
  if (auto err = book.mark_killed_runs()) return *err;
  return book;
}

Status Logbook::create_schema(const std::string& state_dir) {
  // WAL: readers (`chaos log`) never wait for a run that is writing, and writers only wait
  // for each other's short transactions.
  if (auto err = db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")) return err;
  auto version = db_.prepare("PRAGMA user_version");
  if (!version) return version.error();
  auto row = version->step();
  if (!row) return row.error();
  int64_t current = *row ? version->integer(0) : 0;
  if (current == kSchemaVersion) return {};
  if (current > kSchemaVersion) {
    return Error("the logbook was written by a newer chaos (schema " + std::to_string(current) + ")", db_.path(),
                 "upgrade chaos, or move the database away to start a new logbook");
  }
  // BEGIN IMMEDIATE: two first runs at once create the tables and import the history once.
  if (auto err = db_.exec("BEGIN IMMEDIATE")) return err;
  auto again = db_.prepare("PRAGMA user_version");
  auto row_again = again ? again->step() : Result<bool>(again.error());
  if (row_again && *row_again && again->integer(0) == kSchemaVersion) return db_.exec("COMMIT");
  Status err = db_.exec(kSchema);
  if (!err && !state_dir.empty()) err = import_history(state_dir);
  if (!err) err = db_.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
  if (err) {
    (void)db_.exec("ROLLBACK");
    return err;
  }
  return db_.exec("COMMIT");
}

Status Logbook::import_history(const std::string& state_dir) {
  HistoryRead read = read_history(state_dir, kHistoryImportLimit);
  const auto& records = read.records;
  import_skipped_ = read.damaged + (read.torn_tail ? 1 : 0);
  imported_ = records.size();
  auto insert = db_.prepare(
      "INSERT INTO runs (run_id_human, start_time, status, summary_json, tags_json, hosts_json, dry, chobolo, "
      "exit_code, duration_s, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
  if (!insert) return insert.error();
  for (const auto& r : records) {
    std::string started = field<std::string>(r, "started", "");
    json summary = {{"counts", field(r, "counts", json::object())}};
    insert->reset();
    insert->bind(1, started)
        .bind(2, started)
        .bind(3, run_status(r))
        .bind(4, dump(summary))
        .bind(5, dump(field(r, "tags", json::array())))
        .bind(6, dump(field(r, "hosts", json::array())))
        .bind(7, int64_t{field(r, "dry", false)})
        .bind_or_null(8, optional_string(r, "chobolo"))
        .bind(9, int64_t{field(r, "exit_code", 1)})
        .bind(10, field(r, "duration_s", 0.0));
    if (auto err = insert->run()) return err;
  }
  return {};
}

Status Logbook::mark_killed_runs() {
  auto running = db_.prepare("SELECT id, process FROM runs WHERE status = 'in_progress'");
  if (!running) return running.error();
  std::vector<int64_t> killed;
  while (true) {
    auto row = running->step();
    if (!row) return row.error();
    if (!*row) break;
    if (!process_alive(running->text(1))) killed.push_back(running->integer(0));
  }
  for (int64_t id : killed) {
    auto mark = db_.prepare("UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'in_progress'");
    if (!mark) return mark.error();
    if (auto err = mark->bind(1, id).run()) return err;
  }
  return {};
}

Result<int64_t> Logbook::begin_run(const LogbookRunStart& start) {
  auto insert = db_.prepare(
      "INSERT INTO runs (run_id_human, uggly_run_id, start_time, status, hailer_json, required_secrets, tags_json, "
      "hosts_json, dry, chobolo, chobolo_hash, inputs_hash, process) "
      "VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, start.run_id)
      .bind(2, start.uggly_run_id)
      .bind(3, start.started)
      .bind(4, dump(start.hailer))
      .bind(5, dump(json(start.secrets_required)))
      .bind(6, dump(json(start.tags)))
      .bind(7, dump(json(start.hosts)))
      .bind(8, int64_t{start.dry})
      .bind_or_null(9, start.chobolo)
      .bind(10, start.chobolo_hash)
      .bind(11, start.inputs_hash)
      .bind(12, process_identity(::getpid()));
  if (auto err = insert->run()) return *err;
  return db_.last_insert_id();
}

}  // namespace chaos

namespace chaos {

std::string iso_utc(time_t seconds, long nanoseconds) {
  tm parts{};
  gmtime_r(&seconds, &parts);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &parts);
  std::snprintf(buf + n, sizeof buf - n, ".%03ldZ", nanoseconds / 1000000);
  return buf;
}

namespace {

std::string utc_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return iso_utc(ts.tv_sec, ts.tv_nsec);
}

// Seconds since the epoch (a snapshot's timestamp) as ISO text; empty when out of range.
std::string iso_from_epoch(const json& seconds) {
  if (!seconds.is_number()) return "";
  double value = seconds.get<double>();
  if (!(value >= 0 && value < 253402300800.0)) return "";  // before year 10000
  auto whole = static_cast<time_t>(value);
  return iso_utc(whole, static_cast<long>((value - static_cast<double>(whole)) * 1e9));
}

// What a run's row keeps of the report for `chaos log`: it reads no other table.
json run_summary(const json& report) {
  json errors = json::array();
  for (const auto& e : field(report, "errors", json::array())) {
    if (e.is_object()) errors.push_back({{"kind", e.value("kind", json())}, {"message", e.value("message", json())}});
  }
  return {{"counts", field(report, "counts", json::object())},
          {"errors", errors},
          {"success", field(report, "success", false)},
          {"interrupted", field(report, "interrupted", false)}};
}

json operation_logs(const json& op) {
  return {{"stdout", field(op, "stdout_tail", json::array())}, {"stderr", field(op, "stderr_tail", json::array())}};
}

json operation_failure(const json& op) {
  json failure = json::object();
  for (const char* key : {"command", "exit_code", "ignored"}) {
    if (op.is_object() && op.contains(key)) failure[key] = op[key];
  }
  return failure;
}

}  // namespace

Status Logbook::finish_run(int64_t id, const json& report, const std::string& change_kind, size_t keep) {
  if (auto err = db_.exec("BEGIN IMMEDIATE")) return err;
  auto update = db_.prepare(
      "UPDATE runs SET end_time = ?, status = ?, summary_json = ?, exit_code = ?, duration_s = ?, change_kind = ? "
      "WHERE id = ?");
  Status err = update ? Status() : Status(update.error());
  if (!err) {
    update->bind(1, utc_now())
        .bind(2, run_status(report))
        .bind(3, dump(run_summary(report)))
        .bind(4, int64_t{field(report, "exit_code", 1)})
        .bind(5, field(report, "duration_s", 0.0))
        .bind(6, change_kind)
        .bind(7, id);
    err = update->run();
  }
  if (!err) err = write_hosts(id, report);
  if (!err) err = write_snapshots(id, report);
  if (!err) err = write_command_log(id, report);
  if (!err) err = drop_old_runs(keep);
  if (!err) err = db_.exec("COMMIT");
  if (err) {
    (void)db_.exec("ROLLBACK");
    // Without its details the run still ends: a full disk can take this one-row update.
    auto status = db_.prepare("UPDATE runs SET status = ?, exit_code = ? WHERE id = ?");
    if (status)
      (void)status->bind(1, run_status(report)).bind(2, int64_t{field(report, "exit_code", 1)}).bind(3, id).run();
  }
  return err;
}

Status Logbook::write_hosts(int64_t id, const json& report) {
  auto host = db_.prepare("INSERT INTO hosts (run_id, name, summary_json) VALUES (?, ?, ?)");
  auto delta =
      db_.prepare("INSERT INTO deltas (run_id, host_id, role, to_add_json, to_remove_json) VALUES (?, ?, ?, ?, ?)");
  auto op = db_.prepare(
      "INSERT INTO operations (run_id, host_id, op_hash, name, changed, success, duration, timestamp, logs_json, diff, "
      "retry_stats_json, role, status, failure_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!host || !delta || !op) return !host ? host.error() : !delta ? delta.error() : op.error();
  for (const auto& h : field(report, "hosts", json::array())) {
    json summary = {{"connected", field(h, "connected", false)},
                    {"error", field(h, "error", json())},
                    {"counts", field(h, "counts", json::object())},
                    {"failed_roles", field(h, "failed_roles", json::array())},
                    {"not_run_roles", field(h, "not_run_roles", json::array())},
                    {"skipped_roles", field(h, "skipped_roles", json::array())}};
    host->reset();
    if (auto err = host->bind(1, id).bind(2, field<std::string>(h, "name", "")).bind(3, dump(summary)).run())
      return err;
    int64_t host_id = db_.last_insert_id();
    for (const auto& d : field(h, "deltas", json::array())) {
      delta->reset();
      delta->bind(1, id).bind(2, host_id).bind(3, field<std::string>(d, "role", ""));
      delta->bind(4, dump(field(d, "to_add", json::object()))).bind(5, dump(field(d, "to_remove", json::object())));
      if (auto err = delta->run()) return err;
    }
    for (const auto& o : field(h, "operations", json::array())) {
      std::string status = field<std::string>(o, "status", "failed");
      op->reset();
      op->bind(1, id).bind(2, host_id).bind_or_null(3, optional_string(o, "hash"));
      op->bind(4, field<std::string>(o, "name", "")).bind(5, int64_t{status == "changed" || status == "would_change"});
      op->bind(6, int64_t{status != "failed"});
      if (o.contains("duration_s") && o["duration_s"].is_number()) op->bind(7, o["duration_s"].get<double>());
      op->bind_or_null(8, optional_string(o, "ended")).bind(9, dump(operation_logs(o)));
      op->bind_or_null(10, optional_string(o, "diff"));
      op->bind(11, dump({{"retries", field(o, "retries", 0)}})).bind_or_null(12, optional_string(o, "role"));
      op->bind(13, status).bind(14, dump(operation_failure(o)));
      if (auto err = op->run()) return err;
    }
  }
  return {};
}

// The report's `health` (apply/record.cc adds it): a snapshot of a host the run does not list
// is dropped rather than given a host row of its own.
Status Logbook::write_snapshots(int64_t id, const json& report) {
  auto insert = db_.prepare(
      "INSERT INTO resource_snapshots (run_id, host_id, stage, timestamp, metrics_json) "
      "SELECT ?1, id, ?3, ?4, ?5 FROM hosts WHERE run_id = ?1 AND name = ?2");
  if (!insert) return insert.error();
  for (const auto& s : field(report, "health", json::array())) {
    auto host = optional_string(s, "host");
    auto stage = optional_string(s, "stage");
    if (!host || !stage) continue;
    insert->reset();
    insert->bind(1, id).bind(2, *host).bind(3, *stage).bind(4, iso_from_epoch(field(s, "timestamp", json())));
    insert->bind(5, dump(field(s, "metrics", json::object())));
    if (auto err = insert->run()) return err;
  }
  return {};
}

// The report's `command_log` (apply/record.cc adds it), in order.
Status Logbook::write_command_log(int64_t id, const json& report) {
  auto insert = db_.prepare(
      "INSERT INTO command_n_facts_in_order (run_id, timestamp, log_level, context, command) VALUES (?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  for (const auto& entry : field(report, "command_log", json::array())) {
    std::string stamp = iso_from_epoch(field(entry, "timestamp", json()));
    if (stamp.empty()) continue;
    insert->reset();
    insert->bind(1, id).bind(2, stamp);
    insert->bind_or_null(3, optional_string(entry, "log_level")).bind_or_null(4, optional_string(entry, "context"));
    insert->bind_or_null(5, optional_string(entry, "command"));
    if (auto err = insert->run()) return err;
  }
  return {};
}

Status Logbook::drop_old_runs(size_t keep) {
  if (keep == 0) return {};
  // Only finished runs count: a concurrent run still in progress is never dropped under it.
  auto drop = db_.prepare(
      "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE status != 'in_progress' ORDER BY id DESC "
      "LIMIT -1 OFFSET ?)");
  if (!drop) return drop.error();
  return drop->bind(1, static_cast<int64_t>(keep)).run();
}

Result<bool> Logbook::inputs_unchanged(const LogbookRunStart& start) {
  auto last = db_.prepare(
      "SELECT chobolo_hash, inputs_hash FROM runs WHERE status = 'success' AND dry = 0 AND imported = 0 "
      "AND tags_json = ? AND hosts_json = ? ORDER BY id DESC LIMIT 1");
  if (!last) return last.error();
  last->bind(1, dump(json(start.tags))).bind(2, dump(json(start.hosts)));
  auto row = last->step();
  if (!row) return row.error();
  if (!*row) return false;
  return last->text(0) == start.chobolo_hash && last->text(1) == start.inputs_hash;
}

}  // namespace chaos

namespace chaos {
namespace {

constexpr const char* kRunColumns =
    "id, run_id_human, uggly_run_id, start_time, end_time, status, summary_json, hailer_json, required_secrets, "
    "tags_json, hosts_json, dry, chobolo, exit_code, duration_s, change_kind, imported";

json optional_text(const SqliteStatement& row, int col) { return row.is_null(col) ? json() : json(row.text(col)); }
json optional_real(const SqliteStatement& row, int col) { return row.is_null(col) ? json() : json(row.real(col)); }

// A run's row as `chaos log --json` and the run data show it. Stored JSON that does not parse
// (someone edited the database) reads as empty rather than failing the listing.
json run_record(const SqliteStatement& row) {
  json summary = parse_or(row.text(6), json::object());
  return {{"id", row.integer(0)},
          {"run_id", row.text(1)},
          {"uggly_run_id", optional_text(row, 2)},
          {"started", row.text(3)},
          {"ended", optional_text(row, 4)},
          {"status", row.text(5)},
          {"counts", field(summary, "counts", json::object())},
          {"errors", field(summary, "errors", json::array())},
          {"hailer", parse_or(row.text(7), json::object())},
          {"secrets_required", parse_or(row.text(8), json::array())},
          {"tags", parse_or(row.text(9), json::array())},
          {"hosts", parse_or(row.text(10), json::array())},
          {"dry", row.integer(11) != 0},
          {"chobolo", optional_text(row, 12)},
          {"exit_code", row.is_null(13) ? json() : json(row.integer(13))},
          {"duration_s", optional_real(row, 14)},
          {"change_kind", optional_text(row, 15)},
          {"imported", row.integer(16) != 0}};
}

// One operation as the run data has it (docs/records.md).
json operation_record(const SqliteStatement& row) {
  json logs = parse_or(row.text(8), json::object());
  json retry = parse_or(row.text(11), json::object());
  json failure = parse_or(row.text(12), json::object());
  return {{"name", row.text(0)},
          {"op_hash", optional_text(row, 1)},
          {"role", optional_text(row, 2)},
          {"status", row.text(3)},
          {"changed", row.integer(4) != 0},
          {"success", row.integer(5) != 0},
          {"duration_s", optional_real(row, 6)},
          {"timestamp", optional_text(row, 7)},
          {"stdout", field(logs, "stdout", json::array())},
          {"stderr", field(logs, "stderr", json::array())},
          {"diff", optional_text(row, 9)},
          {"arguments", row.is_null(10) ? json() : parse_or(row.text(10), json())},
          {"retries", field(retry, "retries", 0)},
          {"command", field(failure, "command", json())},
          {"exit_code", field(failure, "exit_code", json())},
          {"ignored", field(failure, "ignored", false)}};
}

}  // namespace

Result<std::vector<LogbookRunRow>> Logbook::list_runs(size_t limit, const LogbookFilter& filter) {
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs WHERE 1";
  if (filter.role) sql += " AND EXISTS (SELECT 1 FROM json_each(runs.tags_json) WHERE value = :role)";
  if (filter.host) sql += " AND EXISTS (SELECT 1 FROM json_each(runs.hosts_json) WHERE value = :host)";
  if (filter.failed) sql += " AND status != 'success'";
  sql += " ORDER BY id DESC LIMIT :limit";
  auto query = db_.prepare(sql);
  if (!query) return query.error();
  int pos = 1;
  if (filter.role) query->bind(pos++, *filter.role);
  if (filter.host) query->bind(pos++, *filter.host);
  query->bind(pos, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<LogbookRunRow> rows;
  while (true) {
    auto row = query->step();
    if (!row) return row.error();
    if (!*row) break;
    rows.push_back({query->integer(0), run_record(*query)});
  }
  return rows;
}

Result<std::string> Logbook::salt() {
  auto query = db_.prepare("SELECT value FROM chaos_meta WHERE key = 'salt'");
  if (!query) return query.error();
  auto row = query->step();
  if (!row) return row.error();
  if (!*row) return Error("the logbook has no salt (the database was edited)", db_.path());
  return query->text(0);
}

Result<std::optional<int64_t>> Logbook::find_run(const std::string& name) {
  bool number = !name.empty() && name.size() <= 18 && name.find_first_not_of("0123456789") == std::string::npos;
  std::string sql = name == "last" ? "SELECT max(id) FROM runs"
                    : number       ? "SELECT id FROM runs WHERE id = ?"
                                   : "SELECT max(id) FROM runs WHERE run_id_human = ?1 OR uggly_run_id = ?1";
  auto query = db_.prepare(sql);
  if (!query) return query.error();
  if (number) {
    query->bind(1, static_cast<int64_t>(std::stoll(name)));
  } else if (name != "last") {
    query->bind(1, name);
  }
  auto row = query->step();
  if (!row) return row.error();
  if (!*row || query->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(query->integer(0));
}

Result<json> Logbook::host_data(int64_t id) {
  json hosts = json::array();
  auto query = db_.prepare("SELECT id, name, summary_json FROM hosts WHERE run_id = ? ORDER BY id");
  auto deltas = db_.prepare("SELECT role, to_add_json, to_remove_json FROM deltas WHERE host_id = ? ORDER BY id");
  auto ops = db_.prepare(
      "SELECT name, op_hash, role, status, changed, success, duration, timestamp, logs_json, diff, arguments_json, "
      "retry_stats_json, failure_json FROM operations WHERE host_id = ? ORDER BY id");
  if (!query || !deltas || !ops) return !query ? query.error() : !deltas ? deltas.error() : ops.error();
  query->bind(1, id);
  while (true) {
    auto row = query->step();
    if (!row) return row.error();
    if (!*row) break;
    json summary = parse_or(query->text(2), json::object());
    json host = {{"name", query->text(1)},
                 {"connected", field(summary, "connected", true)},
                 {"error", field(summary, "error", json())},
                 {"counts", field(summary, "counts", json::object())},
                 {"failed_roles", field(summary, "failed_roles", json::array())},
                 {"not_run_roles", field(summary, "not_run_roles", json::array())},
                 {"skipped_roles", field(summary, "skipped_roles", json::array())},
                 {"deltas", json::array()},
                 {"operations", json::array()}};
    deltas->reset();
    deltas->bind(1, query->integer(0));
    while (true) {
      auto d = deltas->step();
      if (!d) return d.error();
      if (!*d) break;
      host["deltas"].push_back({{"role", deltas->text(0)},
                                {"to_add", parse_or(deltas->text(1), json::object())},
                                {"to_remove", parse_or(deltas->text(2), json::object())}});
    }
    ops->reset();
    ops->bind(1, query->integer(0));
    while (true) {
      auto o = ops->step();
      if (!o) return o.error();
      if (!*o) break;
      host["operations"].push_back(operation_record(*ops));
    }
    hosts.push_back(std::move(host));
  }
  return hosts;
}

Result<std::optional<json>> Logbook::run_data(int64_t id) {
  auto query = db_.prepare(std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
  if (!query) return query.error();
  query->bind(1, id);
  auto row = query->step();
  if (!row) return row.error();
  if (!*row) return std::optional<json>();
  json run = run_record(*query);
  auto hosts = host_data(id);
  if (!hosts) return hosts.error();
  json data = {{"run", run}, {"hosts", *hosts}, {"snapshots", json::array()}, {"fact_logs", json::array()}};
  auto snapshots = db_.prepare(
      "SELECT h.name, s.stage, s.timestamp, s.metrics_json FROM resource_snapshots s JOIN hosts h ON h.id = s.host_id "
      "WHERE s.run_id = ? ORDER BY s.id");
  auto facts = db_.prepare(
      "SELECT timestamp, log_level, context, command FROM command_n_facts_in_order WHERE run_id = ? ORDER BY id");
  if (!snapshots || !facts) return !snapshots ? snapshots.error() : facts.error();
  snapshots->bind(1, id);
  for (auto r = snapshots->step(); r && *r; r = snapshots->step()) {
    data["snapshots"].push_back({{"host", snapshots->text(0)},
                                 {"stage", snapshots->text(1)},
                                 {"timestamp", snapshots->text(2)},
                                 {"metrics", parse_or(snapshots->text(3), json::object())}});
  }
  facts->bind(1, id);
  for (auto r = facts->step(); r && *r; r = facts->step()) {
    data["fact_logs"].push_back({{"timestamp", facts->text(0)},
                                 {"log_level", optional_text(*facts, 1)},
                                 {"context", optional_text(*facts, 2)},
                                 {"command", optional_text(*facts, 3)}});
  }
  return std::optional<json>(std::move(data));
}

}  // namespace chaos

namespace chaos {

std::string history_import_warning(const Logbook& book, const std::string& state_dir) {
  if (book.import_skipped() == 0) return "";
  return std::to_string(book.imported()) + " run(s) of " + history_file(state_dir) + " moved into the logbook; " +
         std::to_string(book.import_skipped()) + " damaged or incomplete line(s) were skipped";
}

}  // namespace chaos
