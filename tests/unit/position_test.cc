#include <gtest/gtest.h>

#include "util/position.h"

namespace chaos {
namespace {

TEST(Position, NamesPathLineAndColumn) { EXPECT_EQ(format_position("a/b.yml", 3, 7), "a/b.yml:3:7"); }

TEST(Position, UnknownColumnOrLineIsLeftOut) {
  EXPECT_EQ(format_position("entry_points.txt", 12), "entry_points.txt:12");
  EXPECT_EQ(format_position("f", 0, 4), "f");
}

TEST(Position, YamlMarksAreZeroBased) {
  YAML::Mark mark;
  mark.pos = 10;
  mark.line = 0;
  mark.column = 4;
  EXPECT_EQ(format_position("c.yml", mark), "c.yml:1:5");
  EXPECT_EQ(format_position("c.yml", YAML::Mark::null_mark()), "c.yml");
}

}  // namespace
}  // namespace chaos
