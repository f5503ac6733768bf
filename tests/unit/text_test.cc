#include "util/text.h"

#include <gtest/gtest.h>

#include <algorithm>

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

TEST(Text, NaturalOrderNumbersNamesAsPeopleDo) {
  V names{"web-10", "web-2", "web-1", "db", "web-02", "web-b", "web-", "10", "9", "web-1a", "a01", "a1"};
  std::sort(names.begin(), names.end(), NaturalLess{});
  EXPECT_EQ(names, (V{"9", "10", "a01", "a1", "db", "web-", "web-1", "web-1a", "web-02", "web-2", "web-10", "web-b"}));
  // A strict order: never both ways, never a name before itself.
  for (const auto& a : names) {
    EXPECT_FALSE(natural_less(a, a)) << a;
    for (const auto& b : names) EXPECT_FALSE(natural_less(a, b) && natural_less(b, a)) << a << " " << b;
  }
  EXPECT_TRUE(natural_less("x99999999999999999999998", "x99999999999999999999999"));  // no overflow
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
