// records/logbook: every `chaos apply` run in one SQLite database (WAL), the built-in Limani
// "chrima". One row per run in `runs`, its hosts, operations, deltas, health snapshots and
// commands below it (docs/records.md has the tables). The tables the original's Chrima has keep
// its names and columns; chaos's own columns are added after them.
//
// A run is written twice: begin_run() when it starts (status in_progress, with the process that
// runs it), finish_run() when it ends, in one transaction. A run whose process is gone while it is
// still in_progress was killed: the next open() marks it `interrupted`, so no run stays
// in_progress forever.
#pragma once

#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "records/sqlite.h"
#include "util/error.h"

namespace chaos {

struct LogbookRunStart {
  std::string run_id;        // the human id, chaos-YYYY/MM/DD-HH:MM:SS (UTC)
  std::string uggly_run_id;  // chaos-<epoch>-<ns>, unique even for runs started the same second
  std::string started;       // ISO 8601 UTC
  std::vector<std::string> tags;
  std::vector<std::string> hosts;
  std::optional<std::string> chobolo;
  bool dry = false;
  nlohmann::json hailer = nlohmann::json::object();  // {user, boatswain, hostname}
  std::vector<std::string> secrets_required;         // key names, never values
  // Hashes of the Ch-obolo's text and of what the roles were given: a change made while both
  // equal the last successful run's is corrective (the machine drifted).
  std::string chobolo_hash;
  std::string inputs_hash;
};

// One line of `chaos log`.
struct LogbookRunRow {
  int64_t id = 0;
  nlohmann::json record;  // started, ended, status, tags, hosts, counts, duration_s, exit_code, dry, ...
};

struct LogbookFilter {
  std::optional<std::string> role;  // runs that applied this tag
  std::optional<std::string> host;  // runs on this host
  bool failed = false;              // runs that did not succeed
};

class Logbook {
 public:
  // Opens (creating when missing) the logbook in `dir`: a directory only root or this user can
  // change (chaos runs as root), made 0700 when created. The first open imports history.jsonl
  // from `state_dir`, once.
  static Result<Logbook> open(const std::string& dir, const std::string& state_dir);

  Result<int64_t> begin_run(const LogbookRunStart& start);
  // Records the end of run `id` from the apply report (docs/apply-report.schema.json) and drops
  // runs beyond the newest `keep`. `change_kind` is none, intentional or corrective.
  Status finish_run(int64_t id, const nlohmann::json& report, const std::string& change_kind, size_t keep);
  // Whether the last finished, successful, non-dry run of the same tags on the same hosts had
  // these input hashes (then a change now is corrective).
  Result<bool> inputs_unchanged(const LogbookRunStart& start);

  // The newest `limit` runs matching `filter`, newest first.
  Result<std::vector<LogbookRunRow>> list_runs(size_t limit, const LogbookFilter& filter);
  // One run as docs/records.md's run data (also the input of the v1 export); nullopt when there
  // is no such run.
  Result<std::optional<nlohmann::json>> run_data(int64_t id);
  // The run a user names: `last`, its number, or its run id (human or unique); nullopt when
  // there is no such run. Two runs started the same second share a human id: the newer wins.
  Result<std::optional<int64_t>> find_run(const std::string& name);

  // This logbook's random salt, for fingerprints of secret inputs.
  Result<std::string> salt();
  const std::string& path() const { return db_.path(); }
  // Lines of history.jsonl that this open imported (0 after the first open) and skipped.
  size_t imported() const { return imported_; }
  size_t import_skipped() const { return import_skipped_; }

 private:
  explicit Logbook(SqliteDb db) : db_(std::move(db)) {}
  Status create_schema(const std::string& state_dir);
  Status import_history(const std::string& state_dir);
  Status write_hosts(int64_t id, const nlohmann::json& report);
  Status write_snapshots(int64_t id, const nlohmann::json& report);
  Status write_command_log(int64_t id, const nlohmann::json& report);
  Status drop_old_runs(size_t keep);
  Result<nlohmann::json> host_data(int64_t id);
  Status mark_killed_runs();
  SqliteDb db_;
  size_t imported_ = 0;
  size_t import_skipped_ = 0;
};

// ISO 8601 UTC with milliseconds ("2026-12-05T20:41:03.123Z"), as every time in the logbook is
// written.
std::string iso_utc(time_t seconds, long nanoseconds);

// What the first open said about history.jsonl, for a warning: empty when nothing was skipped.
std::string history_import_warning(const Logbook& book, const std::string& state_dir);

}  // namespace chaos
