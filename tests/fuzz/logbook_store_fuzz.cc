// The logbook store (src/records/logbook.cc) reading back a database someone edited: chrima.db is
// local state, but anyone with the user's rights can change it with sqlite3 (wrong types, JSON
// columns holding garbage or very deep JSON, NULLs, huge text, bytes that are not UTF-8, odd
// ids, a dropped table). The input is a list of such edits, applied with SQLite directly to a real
// logbook with two runs; then everything `chaos log` does must give an answer or an error, never
// a crash, a hang or a sanitizer report, and what it returns must dump and parse again.
//
// Input: up to 32 edits, each an opcode byte and its operands (apply_edits below), then a run
// name for find_run. Bytes running out read as zeros.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "records/logbook.h"
#include "records/logbook_export.h"
#include "util/fs.h"

namespace {

using chaos::Logbook;
using chaos::LogbookFilter;
using chaos::LogbookRunStart;
using nlohmann::json;

// Stored values that reach typed reads: a poor man's dictionary, so short inputs reach them.
const char* const kInteresting[] = {
    R"({"retries": 1e300})",
    R"({"retries": -1e300, "exit_code": 1e300, "command": [1], "ignored": "yes"})",
    R"({"counts": {"changed": "x", "failed": 1e300}, "errors": {"a": 1}})",
    R"({"counts": [1, 2], "errors": [null, 7, {"kind": 1, "message": [2]}]})",
    R"({"connected": 5, "error": {"x": 1}, "failed_roles": "r", "counts": null})",
    R"({"stdout": "not a list", "stderr": [1, {"a": "b"}]})",
    R"(["files", 1, null, {"a": [1]}])",
    R"({"user": 1, "boatswain": [], "hostname": null})",
    R"({"files": ["a.txt", 1e400]})",
    "18446744073709551616",
    "-9223372036854775809",
    "1e309",
    "\xff\xfe not utf-8 \xc0\x80",
    "in_progress",
    "success",
    "failure",
    "interrupted",
    "files",
    "@local",
    "chaos-2026/12/05-20:00:00",
    "999999999999999999",
};

json report() {
  json op_changed = {{"name", "Create a.txt"}, {"role", "files"}, {"status", "changed"}, {"duration_s", 0.25}};
  json op_failed = {{"name", "Break"},
                    {"role", "breaks"},
                    {"status", "failed"},
                    {"duration_s", 0.5},
                    {"command", "exit 3"},
                    {"exit_code", 3},
                    {"stderr_tail", {"it-broke"}},
                    {"hash", "h1"},
                    {"diff", "-a\n+b"},
                    {"ended", "2026-12-05T20:00:01.000Z"}};
  json host = {{"name", "@local"},
               {"connected", true},
               {"deltas", {{{"role", "files"}, {"to_add", {{"files", {"a.txt"}}}}, {"to_remove", json::object()}}}},
               {"operations", {op_changed, op_failed}},
               {"failed_roles", {"breaks"}},
               {"not_run_roles", json::array()},
               {"skipped_roles", json::array()},
               {"counts", {{"changed", 1}, {"no_change", 0}, {"failed", 1}, {"skipped", 0}}}};
  return {{"hosts", {host}},
          {"counts", {{"changed", 1}, {"no_change", 0}, {"failed", 1}, {"skipped", 0}}},
          {"errors", {{{"kind", "role"}, {"message", "breaks failed"}}}},
          {"interrupted", false},
          {"success", false},
          {"exit_code", 1},
          {"duration_s", 1.5}};
}

LogbookRunStart start() {
  LogbookRunStart s;
  s.run_id = "chaos-2026/12/05-20:00:00";
  s.uggly_run_id = "chaos-1-2";
  s.started = "2026-12-05T20:00:00.000Z";
  s.tags = {"files", "breaks"};
  s.hosts = {"@local"};
  s.chobolo = "/etc/chaos/ch-obolo.yml";
  s.hailer = {{"user", "root"}, {"boatswain", "chaos"}, {"hostname", "box"}};
  s.secrets_required = {"users.root.password"};
  s.chobolo_hash = "c1";
  s.inputs_hash = "i1";
  return s;
}

void must(bool ok) {
  if (!ok) std::abort();
}

void exec(sqlite3* db, const std::string& sql) { must(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == 0); }

// The rows the store itself never writes (snapshots, fact logs), so edits have some to change.
void add_other_rows(const std::string& path) {
  sqlite3* db = nullptr;
  must(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  exec(db,
       "INSERT INTO resource_snapshots (run_id, host_id, stage, timestamp, metrics_json) SELECT run_id, id, 'before', "
       "'2026-12-05T20:00:00Z', '{\"load\": [0.5, 0.25], \"mem_free\": 1024}' FROM hosts");
  exec(db,
       "INSERT INTO command_n_facts_in_order (run_id, timestamp, log_level, context, command) SELECT id, start_time, "
       "'info', 'fact', 'uname -a' FROM runs");
  sqlite3_close(db);
}

// The database every input starts from, made once per process: one finished run with hosts,
// operations and deltas, one still in progress (this process runs it).
const std::string& template_database() {
  static const std::string bytes = [] {
    std::string dir = chaos::join_path(chaos::fuzz::scratch_dir(), "template");
    {
      auto book = Logbook::open(dir, "");
      must(book.ok());
      auto first = book->begin_run(start());
      must(first.ok() && !book->finish_run(*first, report(), "intentional", 100));
      must(book->begin_run(start()).ok());
    }
    std::string path = chaos::join_path(dir, "chrima.db");
    add_other_rows(path);
    auto text = chaos::read_file(path);
    must(text.ok());
    return *text;
  }();
  return bytes;
}

struct Table {
  std::string name;
  std::vector<std::string> columns;
};

// The real schema, read from the template: edits pick tables and columns by index.
const std::vector<Table>& schema(sqlite3* db) {
  static const std::vector<Table> tables = [db] {
    std::vector<Table> out;
    sqlite3_stmt* names = nullptr;
    must(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", -1,
                            &names, nullptr) == SQLITE_OK);
    while (sqlite3_step(names) == SQLITE_ROW)
      out.push_back({reinterpret_cast<const char*>(sqlite3_column_text(names, 0)), {}});
    sqlite3_finalize(names);
    for (Table& t : out) {
      sqlite3_stmt* info = nullptr;
      must(sqlite3_prepare_v2(db, ("PRAGMA table_info(" + t.name + ")").c_str(), -1, &info, nullptr) == SQLITE_OK);
      while (sqlite3_step(info) == SQLITE_ROW)
        t.columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(info, 1)));
      sqlite3_finalize(info);
    }
    must(!out.empty());
    return out;
  }();
  return tables;
}

// Reads the input from the front; past its end every read is zero.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return size_ == 0; }
  uint8_t byte() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  uint64_t u64() {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = value << 8 | byte();
    return value;
  }
  std::string take(size_t n) {
    n = std::min(n, size_);
    std::string out(reinterpret_cast<const char*>(data_), n);
    data_ += n;
    size_ -= n;
    return out;
  }
  std::string rest() { return take(size_); }

 private:
  const uint8_t* data_;
  size_t size_;
};

// A rowid or id: mostly the few that exist (and 0, -1), sometimes any 64-bit number.
int64_t pick_id(Bytes& in) {
  uint8_t b = in.byte();
  if (b < 224) return static_cast<int64_t>(b % 7) - 1;
  return static_cast<int64_t>(in.u64());
}

// JSON nested up to 256 Ki levels deep (valid, so a reader gets past parsing), or one of
// kInteresting.
std::string special_text(Bytes& in) {
  uint8_t b = in.byte();
  if ((b & 1) == 0) return kInteresting[(b >> 1) % std::size(kInteresting)];
  bool arrays = (b & 2) != 0;
  size_t depth = (size_t{in.byte()} << 8 | in.byte()) * 4;
  std::string text;
  for (size_t i = 0; i < depth; ++i) text += arrays ? "[" : "{\"a\":";
  text += "1";
  text.append(depth, arrays ? ']' : '}');
  return text;
}

// Binds parameter `pos` to a value of the type the input picks.
void bind_value(sqlite3_stmt* stmt, int pos, Bytes& in) {
  switch (in.byte() % 8) {
    case 0:
      sqlite3_bind_null(stmt, pos);
      break;
    case 1:
      sqlite3_bind_int64(stmt, pos, static_cast<int64_t>(in.u64()));
      break;
    case 2: {
      uint64_t bits = in.u64();
      double value = 0;
      std::memcpy(&value, &bits, sizeof value);
      sqlite3_bind_double(stmt, pos, value);
      break;
    }
    case 3:
    case 4: {
      std::string text = in.take(in.byte());
      sqlite3_bind_text(stmt, pos, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      break;
    }
    case 5: {
      std::string blob = in.take(in.byte());
      sqlite3_bind_blob(stmt, pos, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
      break;
    }
    case 6: {
      // A short piece repeated up to 256k times: huge text, or JSON nested that deep ("[", "{\"a\":").
      std::string unit = in.take(in.byte() % 8 + 1);
      size_t times = (size_t{in.byte()} << 8 | in.byte()) * 4;
      std::string text;
      text.reserve(unit.size() * times);
      for (size_t i = 0; i < times; ++i) text += unit;
      sqlite3_bind_text(stmt, pos, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      break;
    }
    default: {
      std::string text = special_text(in);
      sqlite3_bind_text(stmt, pos, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      break;
    }
  }
}

// Prepares `sql`, lets `bind` fill it in and runs it; a failed edit (constraint, dropped table)
// is part of the game.
template <class Bind>
void run_edit(sqlite3* db, const std::string& sql, Bind bind) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    bind(stmt);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
}

std::string columns_except_id(const Table& t) {
  std::string out;
  for (const std::string& c : t.columns) {
    if (c == "id") continue;
    out += (out.empty() ? "" : ", ") + c;
  }
  return out;
}

// Damage to the schema itself, as a careless sqlite3 session can do.
void damage_schema(sqlite3* db, const Table& t, const std::string& column, Bytes& in) {
  switch (in.byte() % 5) {
    case 0:
      sqlite3_exec(db, ("DROP TABLE " + t.name).c_str(), nullptr, nullptr, nullptr);
      break;
    case 1:
      sqlite3_exec(db, ("ALTER TABLE " + t.name + " DROP COLUMN " + column).c_str(), nullptr, nullptr, nullptr);
      break;
    case 2:
      sqlite3_exec(db, ("PRAGMA user_version = " + std::to_string(static_cast<int8_t>(in.byte()))).c_str(), nullptr,
                   nullptr, nullptr);
      break;
    case 3:
      sqlite3_exec(db, "DELETE FROM chaos_meta", nullptr, nullptr, nullptr);
      break;
    default:
      sqlite3_exec(db, ("ALTER TABLE " + t.name + " RENAME COLUMN " + column + " TO renamed").c_str(), nullptr, nullptr,
                   nullptr);
      break;
  }
}

void apply_edits(sqlite3* db, Bytes& in) {
  const std::vector<Table>& tables = schema(db);
  for (int n = 0; n < 32 && !in.empty(); ++n) {
    uint8_t op = in.byte();
    const Table& t = tables[in.byte() % tables.size()];
    const std::string& column = t.columns[in.byte() % t.columns.size()];
    switch (op % 8) {
      case 5: {  // a copy of a row under a new id (any number), to be edited further
        std::string cols = columns_except_id(t);
        run_edit(
            db,
            "INSERT INTO " + t.name + " (id, " + cols + ") SELECT ?, " + cols + " FROM " + t.name + " WHERE rowid = ?",
            [&](sqlite3_stmt* s) {
              sqlite3_bind_int64(s, 1, pick_id(in));
              sqlite3_bind_int64(s, 2, pick_id(in));
            });
        break;
      }
      case 6:
        run_edit(db, "DELETE FROM " + t.name + " WHERE rowid = ?",
                 [&](sqlite3_stmt* s) { sqlite3_bind_int64(s, 1, pick_id(in)); });
        break;
      case 7:
        damage_schema(db, t, column, in);
        break;
      default:
        run_edit(db, "UPDATE " + t.name + " SET " + column + " = ? WHERE rowid = ?", [&](sqlite3_stmt* s) {
          bind_value(s, 1, in);
          sqlite3_bind_int64(s, 2, pick_id(in));
        });
        break;
    }
  }
}

// What `chaos log --json` prints must always dump and parse again; a v1 export must dump with
// the strict encoder (its contract: valid UTF-8, finite numbers only).
void check(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  must(!json::parse(text, nullptr, false).is_discarded());
}

void check_run(Logbook& book, int64_t id) {
  auto data = book.run_data(id);
  if (!data.ok() || !data->has_value()) return;
  check(**data);
  json v1 = chaos::logbook_export_v1(**data);
  must(!json::parse(v1.dump(), nullptr, false).is_discarded());
}

void read_back(Logbook& book, const std::string& name) {
  LogbookFilter role{std::string("files"), std::nullopt, false};
  LogbookFilter host{std::nullopt, std::string("@local"), false};
  LogbookFilter failed{std::nullopt, std::nullopt, true};
  LogbookFilter all{std::string("breaks"), std::string("@local"), true};
  // Run data for every run the unfiltered listing has; the filters and limits only list.
  auto every = book.list_runs(std::numeric_limits<size_t>::max(), {});
  if (every.ok()) {
    for (const chaos::LogbookRunRow& row : *every) {
      check(row.record);
      check_run(book, row.id);
    }
  }
  for (const LogbookFilter& filter : {role, host, failed, all}) {
    auto rows = book.list_runs(std::numeric_limits<size_t>::max(), filter);
    if (rows.ok()) std::for_each(rows->begin(), rows->end(), [](const auto& row) { check(row.record); });
  }
  for (size_t limit : {size_t{0}, size_t{1}}) {
    auto rows = book.list_runs(limit, {});
    must(!rows.ok() || rows->size() <= limit);
  }
  for (const std::string& which :
       {std::string("last"), std::string("1"), std::string("2"), std::string("0"), std::string("999999999999999999"),
        std::string("chaos-2026/12/05-20:00:00"), std::string("chaos-1-2"), std::string(), name}) {
    auto found = book.find_run(which);
    if (found.ok() && found->has_value()) check_run(book, **found);
  }
  for (int64_t id : {int64_t{-1}, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()})
    check_run(book, id);
  (void)book.salt();
  (void)book.inputs_unchanged(start());
}

// The next run on the edited logbook: it starts, ends and drops old runs like any other.
void record_another_run(Logbook& book) {
  auto id = book.begin_run(start());
  if (id.ok()) (void)book.finish_run(*id, report(), "corrective", 2);
}

}  // namespace

// The scratch directory on tmpfs when there is one: every input rewrites the database and
// SQLite syncs it, which on a disk made this harness run a few inputs a second.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (!::getenv("TMPDIR") && ::access("/dev/shm", W_OK) == 0) ::setenv("TMPDIR", "/dev/shm", 0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& bytes = template_database();
  std::string dir = chaos::join_path(chaos::fuzz::scratch_dir(), "book");
  std::string path = chaos::join_path(dir, "chrima.db");
  must(!chaos::make_directories(dir, 0700));
  ::unlink((path + "-wal").c_str());
  ::unlink((path + "-shm").c_str());
  must(!chaos::write_file_atomic(path, bytes));

  Bytes in(data, size);
  sqlite3* db = nullptr;
  must(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  // sqlite3 can be told to skip CHECK constraints: a status no chaos ever writes.
  sqlite3_exec(db, "PRAGMA ignore_check_constraints = ON", nullptr, nullptr, nullptr);
  apply_edits(db, in);
  sqlite3_close(db);
  std::string name = in.rest();

  // Opening marks runs whose process is gone as interrupted (an edited `process` column); the
  // second open does it on what the first one left.
  for (int pass = 0; pass < 2; ++pass) {
    auto book = Logbook::open(dir, "");
    if (!book.ok()) return 0;
    read_back(*book, name);
    if (pass == 0) record_another_run(*book);
  }
  return 0;
}
