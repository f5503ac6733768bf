#include "util/text.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

using V = std::vector<std::string>;

TEST(Text, SplitKeepsEmptyPiecesAtEveryPlace) {
  EXPECT_EQ(split("a.b.c", '.'), (V{"a", "b", "c"}));
  EXPECT_EQ(split("a..b", '.'), (V{"a", "", "b"}));
  EXPECT_EQ(split(".a.", '.'), (V{"", "a", ""}));
  EXPECT_EQ(split("", '.'), (V{""}));
  EXPECT_EQ(split("no-separator", ':'), (V{"no-separator"}));
}

TEST(Text, SplitLinesAndJoin) {
  EXPECT_EQ(split_lines("a\nb\n"), (V{"a", "b"}));
  EXPECT_EQ(split_lines("a\nb"), (V{"a", "b"}));
  EXPECT_TRUE(split_lines("").empty());
  EXPECT_EQ(join({"a", "b"}), "a, b");
  EXPECT_EQ(join({"a", "b"}, ":"), "a:b");
}

}  // namespace
}  // namespace chaos
