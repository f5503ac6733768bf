// records/sqlite: the few SQLite calls the logbook needs, with one owner per handle and errors
// as values. Nothing here knows the logbook's tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace chaos {

class SqliteStatement;

// One connection, closed when it goes out of scope.
class SqliteDb {
 public:
  SqliteDb() = default;
  ~SqliteDb();
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Opens (and with `create`, creates with mode 0600) the database at `path`. Waits up to
  // `busy_ms` for another process's write lock instead of failing at once: concurrent runs
  // each record theirs.
  static Result<SqliteDb> open(const std::string& path, bool create, int busy_ms);

  // Runs statements that take no parameters and return no rows (schema, pragmas, BEGIN).
  Status exec(std::string_view sql);
  Result<SqliteStatement> prepare(std::string_view sql);
  int64_t last_insert_id() const;
  // The error of the last call on this connection, as "what failed: sqlite's message".
  Error error(std::string_view what) const;
  bool full_disk() const;
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// One prepared statement. bind_* take 1-based positions, as SQLite does; step() says whether a
// row is ready; the column_* read the current row.
class SqliteStatement {
 public:
  SqliteStatement() = default;
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int pos, std::string_view text);
  SqliteStatement& bind(int pos, int64_t value);
  SqliteStatement& bind(int pos, double value);
  SqliteStatement& bind_or_null(int pos, const std::optional<std::string>& text);  // NULL when empty
  SqliteStatement& bind_null(int pos);
  // A row is ready (true), or the statement is done (false), or it failed.
  Result<bool> step();
  // step() for a statement that returns no rows.
  Status run();
  void reset();

  bool is_null(int col) const;
  int64_t integer(int col) const;
  double real(int col) const;
  std::string text(int col) const;

 private:
  friend class SqliteDb;
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

}  // namespace chaos
