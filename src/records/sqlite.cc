#include "records/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>

#include "util/fd.h"

namespace chaos {

SqliteDb::~SqliteDb() {
  if (db_) sqlite3_close_v2(db_);
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Result<SqliteDb> SqliteDb::open(const std::string& path, bool create, int busy_ms) {
  if (create) {
    // SQLite creates the file with the umask's mode; the logbook holds diffs of managed files,
    // so it is made private first. O_NOFOLLOW: a symlink planted here is not followed.
    // O_NONBLOCK: a FIFO planted at the name must not hang the run waiting for a reader.
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
    if (!fd) return Error("cannot create the logbook database: " + std::string(strerror(errno)), path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Error("the logbook database is not a regular file", path, "move it away; a new logbook starts");
    }
  }
  SqliteDb db;
  db.path_ = path;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr) != SQLITE_OK) {
    Error err = db.error("cannot open the logbook database");
    return err;
  }
  sqlite3_extended_result_codes(db.db_, 1);
  sqlite3_busy_timeout(db.db_, busy_ms);
  return db;
}

Status SqliteDb::exec(std::string_view sql) {
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return error("the logbook database");
  return {};
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return error("the logbook database");
  }
  return SqliteStatement(stmt, db_);
}

int64_t SqliteDb::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

Error SqliteDb::error(std::string_view what) const {
  std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
  return Error(std::string(what) + ": " + message, path_);
}

bool SqliteDb::full_disk() const { return db_ && (sqlite3_errcode(db_) & 0xff) == SQLITE_FULL; }

SqliteStatement::~SqliteStatement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind(int pos, std::string_view text) {
  sqlite3_bind_text(stmt_, pos, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int pos, int64_t value) {
  sqlite3_bind_int64(stmt_, pos, value);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int pos, double value) {
  // SQLite stores NaN as NULL anyway; saying so here keeps infinities out too.
  if (!std::isfinite(value)) return bind_null(pos);
  sqlite3_bind_double(stmt_, pos, value);
  return *this;
}

SqliteStatement& SqliteStatement::bind_or_null(int pos, const std::optional<std::string>& text) {
  return text ? bind(pos, std::string_view(*text)) : bind_null(pos);
}

SqliteStatement& SqliteStatement::bind_null(int pos) {
  sqlite3_bind_null(stmt_, pos);
  return *this;
}

Result<bool> SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    // Done is the end of the statement's read transaction: a write on this connection after a
    // finished SELECT must not be an upgrade of that read, which WAL refuses ("database is
    // locked", no waiting) once another process has committed.
    sqlite3_reset(stmt_);
    return false;
  }
  return Error(std::string("the logbook database: ") + sqlite3_errmsg(db_), sqlite3_db_filename(db_, "main"));
}

Status SqliteStatement::run() {
  auto r = step();
  if (!r) return r.error();
  return {};
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t SqliteStatement::integer(int col) const { return sqlite3_column_int64(stmt_, col); }
double SqliteStatement::real(int col) const { return sqlite3_column_double(stmt_, col); }

std::string SqliteStatement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

}  // namespace chaos
