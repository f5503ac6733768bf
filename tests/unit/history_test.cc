// The history reader on damaged files (issue 8, item 15).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "records/history.h"
#include "test_support.h"
#include "util/utf8.h"

namespace chaos {
namespace {

class History : public ::testing::Test {
 protected:
  void write(const std::string& text) { std::ofstream(history_file(dir_), std::ios::binary) << text; }
  chaos::testing::ScratchDir scratch_;
  std::string dir_ = scratch_.path();
};

TEST_F(History, TornLastLineIsReportedAndTheNextAppendStartsAFreshLine) {
  write("{\"tags\":[\"a\"]}\n{\"tags\":[\"b");
  HistoryRead read = read_history(dir_, 10);
  EXPECT_TRUE(read.torn_tail);
  ASSERT_EQ(read.records.size(), 1u);
  ASSERT_FALSE(append_history(dir_, {{"tags", {"c"}}}));
  read = read_history(dir_, 10);
  EXPECT_FALSE(read.torn_tail);
  EXPECT_EQ(read.damaged, 1u);
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[1]["tags"][0], "c");
}

TEST_F(History, WrongTypesAreDamage) {
  write("{\"exit_code\":\"0\"}\n{\"counts\":{\"failed\":true}}\n{\"exit_code\":0}\n");
  HistoryRead read = read_history(dir_, 10);
  EXPECT_EQ(read.damaged, 2u);
  ASSERT_EQ(read.records.size(), 1u);
}

TEST_F(History, NewestFirstFoundOldestFirstReturned) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"exit_code\":" + std::to_string(i) + "}\n";
  write(text);
  HistoryRead read = read_history(dir_, 3);
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_EQ(read.records[0]["exit_code"], 4997);
  EXPECT_EQ(read.records[2]["exit_code"], 4999);
}

TEST_F(History, OverlongLineIsSkippedAsDamage) {
  write("{\"exit_code\":1}\n" + std::string(3 << 20, 'x') + "\n{\"exit_code\":2}\n");
  HistoryRead read = read_history(dir_, 10);
  EXPECT_EQ(read.damaged, 1u);
  ASSERT_EQ(read.records.size(), 2u);
}

TEST_F(History, NoNewlineAtAllIsATornLine) {
  write("{\"exit_code\":1}");
  HistoryRead read = read_history(dir_, 10);
  EXPECT_TRUE(read.torn_tail);
  EXPECT_TRUE(read.records.empty());
}

TEST(Utf8, ValidAndInvalid) {
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("caf\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // cut short
  EXPECT_EQ(escape_invalid_utf8("a\xff\x1b[2Jb\xc3\xa9"), "a\\xff\\x1b[2Jb\xc3\xa9");
}

}  // namespace
}  // namespace chaos
