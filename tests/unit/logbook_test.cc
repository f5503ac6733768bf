// The logbook store (records/logbook) on a real SQLite file: what a run leaves behind, which
// runs are kept, a killed run, the one-time history import, and the drift question.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "records/history.h"
#include "records/logbook.h"
#include "records/sqlite.h"
#include "test_support.h"
#include "util/fs.h"

namespace chaos {
namespace {

using nlohmann::json;

json report(int exit_code, bool interrupted = false) {
  json op_changed = {{"name", "Create a.txt"}, {"role", "files"}, {"status", "changed"}, {"duration_s", 0.25}};
  json op_failed = {{"name", "Break"},     {"role", "breaks"}, {"status", "failed"},         {"duration_s", 0.5},
                    {"command", "exit 3"}, {"exit_code", 3},   {"stderr_tail", {"it-broke"}}};
  json host = {{"name", "@local"},
               {"connected", true},
               {"deltas", {{{"role", "files"}, {"to_add", {{"files", {"a.txt"}}}}, {"to_remove", json::object()}}}},
               {"operations", {op_changed, op_failed}},
               {"failed_roles", json::array()},
               {"not_run_roles", json::array()},
               {"skipped_roles", json::array()},
               {"counts", {{"changed", 1}, {"no_change", 0}, {"failed", 1}, {"skipped", 0}}}};
  return {{"hosts", {host}},           {"counts", {{"changed", 1}, {"no_change", 0}, {"failed", 1}, {"skipped", 0}}},
          {"errors", json::array()},   {"interrupted", interrupted},
          {"success", exit_code == 0}, {"exit_code", exit_code},
          {"duration_s", 1.5}};
}

LogbookRunStart start(std::vector<std::string> tags = {"files"}) {
  LogbookRunStart s;
  s.run_id = "chaos-2026/12/05-20:00:00";
  s.uggly_run_id = "chaos-1-2";
  s.started = "2026-12-05T20:00:00.000Z";
  s.tags = std::move(tags);
  s.hosts = {"@local"};
  s.chobolo_hash = "c1";
  s.inputs_hash = "i1";
  return s;
}

class LogbookStore : public ::testing::Test {
 protected:
  Logbook open() {
    auto book = Logbook::open(dir_, state_);
    EXPECT_TRUE(book.ok()) << (book.ok() ? "" : book.error().message);
    return std::move(*book);
  }
  chaos::testing::ScratchDir scratch_;
  std::string state_ = scratch_.path();
  std::string dir_ = join_path(scratch_.path(), "logbook");
};

TEST_F(LogbookStore, ARunIsInProgressUntilItEndsAndThenHoldsItsHostsOperationsAndDeltas) {
  Logbook book = open();
  auto id = book.begin_run(start());
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto during = book.run_data(*id);
  ASSERT_TRUE(during.ok() && during->has_value());
  EXPECT_EQ((**during)["run"]["status"], "in_progress");

  ASSERT_FALSE(book.finish_run(*id, report(1), "intentional", 1000));
  json data = **book.run_data(*id);
  EXPECT_EQ(data["run"]["status"], "failure");
  EXPECT_EQ(data["run"]["exit_code"], 1);
  EXPECT_EQ(data["run"]["change_kind"], "intentional");
  EXPECT_EQ(data["run"]["counts"]["failed"], 1);
  ASSERT_EQ(data["hosts"].size(), 1u);
  const json& host = data["hosts"][0];
  EXPECT_EQ(host["name"], "@local");
  ASSERT_EQ(host["deltas"].size(), 1u);
  EXPECT_EQ(host["deltas"][0]["to_add"]["files"][0], "a.txt");
  ASSERT_EQ(host["operations"].size(), 2u);
  EXPECT_EQ(host["operations"][0]["name"], "Create a.txt");
  EXPECT_EQ(host["operations"][0]["changed"], true);
  EXPECT_EQ(host["operations"][0]["success"], true);
  EXPECT_DOUBLE_EQ(host["operations"][0]["duration_s"].get<double>(), 0.25);
  EXPECT_EQ(host["operations"][1]["success"], false);
  EXPECT_EQ(host["operations"][1]["command"], "exit 3");
  EXPECT_EQ(host["operations"][1]["exit_code"], 3);
  EXPECT_EQ(host["operations"][1]["stderr"][0], "it-broke");
}

TEST_F(LogbookStore, TheDatabaseAndItsDirectoryArePrivate) {
  open();
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(join_path(dir_, "chrima.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(LogbookStore, KeepsTheNewestRunsAndListsThemNewestFirst) {
  Logbook book = open();
  for (int i = 0; i < 5; ++i) {
    auto id = book.begin_run(start({"t" + std::to_string(i)}));
    ASSERT_TRUE(id.ok());
    ASSERT_FALSE(book.finish_run(*id, report(0), "none", 3));
  }
  auto rows = book.list_runs(10, {});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].record["tags"][0], "t4");
  EXPECT_EQ((*rows)[2].record["tags"][0], "t2");
  auto two = book.list_runs(2, {});
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].record["tags"][0], "t3");
}

TEST_F(LogbookStore, FiltersByRoleHostAndFailure) {
  Logbook book = open();
  auto a = book.begin_run(start({"users"}));
  ASSERT_FALSE(book.finish_run(*a, report(0), "none", 0));
  auto b = book.begin_run(start({"files", "users"}));
  ASSERT_FALSE(book.finish_run(*b, report(1), "none", 0));
  LogbookFilter role;
  role.role = "files";
  EXPECT_EQ(book.list_runs(10, role)->size(), 1u);
  LogbookFilter failed;
  failed.failed = true;
  auto rows = book.list_runs(10, failed);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, *b);
  LogbookFilter host;
  host.host = "web-1";
  EXPECT_EQ(book.list_runs(10, host)->size(), 0u);
  host.host = "@local";
  EXPECT_EQ(book.list_runs(10, host)->size(), 2u);
}

// A run whose process was killed stays in_progress in the file; the next open says interrupted.
TEST_F(LogbookStore, ARunWhoseProcessDiedReadsAsInterrupted) {
  { Logbook created = open(); }
  pid_t child = ::fork();
  if (child == 0) {
    auto book = Logbook::open(dir_, state_);
    if (book.ok()) (void)book->begin_run(start());
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  Logbook book = open();
  auto rows = book.list_runs(10, {});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].record["status"], "interrupted");
  // This process's own run is alive: it stays in progress.
  auto mine = book.begin_run(start());
  Logbook again = open();
  EXPECT_EQ((**again.run_data(*mine))["run"]["status"], "in_progress");
}

TEST_F(LogbookStore, ImportsTheHistoryOnce) {
  ASSERT_FALSE(append_history(state_, {{"started", "2026-01-01T00:00:00+0000"},
                                       {"tags", {"old"}},
                                       {"hosts", {"@local"}},
                                       {"counts", {{"changed", 2}, {"no_change", 1}, {"failed", 0}}},
                                       {"duration_s", 2.0},
                                       {"exit_code", 0},
                                       {"dry", false},
                                       {"interrupted", false}}));
  ASSERT_FALSE(append_history(state_, {{"exit_code", "damaged"}}));
  {
    Logbook first = open();
    EXPECT_EQ(first.imported(), 1u);
    EXPECT_EQ(first.import_skipped(), 1u);
  }
  Logbook book = open();
  EXPECT_EQ(book.imported(), 0u);
  auto rows = book.list_runs(10, {});
  ASSERT_EQ(rows->size(), 1u);
  const json& r = (*rows)[0].record;
  EXPECT_EQ(r["tags"][0], "old");
  EXPECT_EQ(r["status"], "success");
  EXPECT_EQ(r["counts"]["changed"], 2);
  EXPECT_EQ(r["imported"], true);
}

TEST_F(LogbookStore, InputsUnchangedComparesWithTheLastSuccessfulRealRun) {
  Logbook book = open();
  EXPECT_FALSE(*book.inputs_unchanged(start()));
  auto failed = book.begin_run(start());
  ASSERT_FALSE(book.finish_run(*failed, report(1), "intentional", 0));
  EXPECT_FALSE(*book.inputs_unchanged(start())) << "a failed run is no reference";
  auto ok = book.begin_run(start());
  ASSERT_FALSE(book.finish_run(*ok, report(0), "intentional", 0));
  EXPECT_TRUE(*book.inputs_unchanged(start()));
  LogbookRunStart edited = start();
  edited.chobolo_hash = "c2";
  EXPECT_FALSE(*book.inputs_unchanged(edited));
  LogbookRunStart other_tags = start({"users"});
  EXPECT_FALSE(*book.inputs_unchanged(other_tags));
}

// What a user can do to the database with sqlite3; the store reads it back on its next open.
void edit(const std::string& dir, const std::string& sql, const std::string& value) {
  auto db = SqliteDb::open(join_path(dir, "chrima.db"), false, 1000);
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto statement = db->prepare(sql);
  ASSERT_TRUE(statement.ok()) << statement.error().message;
  ASSERT_FALSE(statement->bind(1, value).run());
}

// Found by tests/fuzz/logbook_store_fuzz.cc: get<int>() of a stored 1e300 was an undefined
// float conversion (UBSan), not an exception the reader caught.
TEST_F(LogbookStore, AnEditedRetryCountThatIsNoIntegerReadsAsZero) {
  Logbook book = open();
  auto id = book.begin_run(start());
  ASSERT_FALSE(book.finish_run(*id, report(1), "intentional", 0));
  for (const char* stored : {R"({"retries": 1e300})", R"({"retries": 18446744073709551615})", R"({"retries": 2.5})"}) {
    edit(dir_, "UPDATE operations SET retry_stats_json = ?", stored);
    auto data = book.run_data(*id);
    ASSERT_TRUE(data.ok() && data->has_value());
    EXPECT_EQ((**data)["hosts"][0]["operations"][0]["retries"], 0) << stored;
  }
}

// Found by tests/fuzz/logbook_store_fuzz.cc: JSON nested 100 000 deep parses (nlohmann's parser
// keeps its own stack) but every copy and dump() of it recursed once per level, and overflowed
// the stack in `chaos log --json`.
TEST_F(LogbookStore, EditedJsonNestedTooDeeplyReadsAsEmpty) {
  Logbook book = open();
  auto id = book.begin_run(start());
  ASSERT_FALSE(book.finish_run(*id, report(1), "intentional", 0));
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  edit(dir_, "UPDATE runs SET tags_json = ?", deep);
  edit(dir_, "UPDATE deltas SET to_add_json = ?", deep);
  auto rows = book.list_runs(10, {});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_TRUE((*rows)[0].record["tags"].is_array() && (*rows)[0].record["tags"].empty());
  auto data = book.run_data(*id);
  ASSERT_TRUE(data.ok() && data->has_value());
  EXPECT_TRUE((**data)["hosts"][0]["deltas"][0]["to_add"].is_object());
  EXPECT_FALSE((**data).dump().empty());
  // Nesting as deep as anything chaos writes still reads back.
  edit(dir_, "UPDATE runs SET tags_json = ?", std::string(60, '[') + std::string(60, ']'));
  EXPECT_EQ((*book.list_runs(10, {}))[0].record["tags"].dump(), std::string(60, '[') + std::string(60, ']'));
}

}  // namespace
}  // namespace chaos
