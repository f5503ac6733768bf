// Alias expansion is iterative and linear (issue 8, item 13): depth and size of the alias
// graph cost neither stack nor quadratic time, and shared sub-aliases are not cycles.
#include <gtest/gtest.h>

#include "plugins/aliases.h"

namespace chaos {
namespace {

AliasTable table_of(std::vector<std::pair<std::string, std::string>> defs) {
  AliasTable t;
  for (auto& [name, text] : defs) t.aliases.push_back({name, split_alias_targets(text), text, false, "test", false});
  return t;
}

TEST(AliasExpansion, DiamondIsNotACycle) {
  auto tags = expand_tags(table_of({{"b", "a mr"}, {"a", "mr"}}), {"b"});
  ASSERT_TRUE(tags.ok()) << tags.error().message;
  EXPECT_EQ(*tags, (std::vector<std::string>{"mr"}));
}

TEST(AliasExpansion, SharedSubAliasExpandedOnceKeepsOrder) {
  auto t = table_of({{"top", "left right"}, {"left", "shared x"}, {"right", "shared y"}, {"shared", "s1 s2"}});
  auto tags = expand_tags(t, {"top", "shared"});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<std::string>{"s1", "s2", "x", "y"}));
}

TEST(AliasExpansion, CycleBehindASharedAliasIsStillFound) {
  auto tags = expand_tags(table_of({{"b", "a c"}, {"a", "c"}, {"c", "d"}, {"d", "b"}}), {"b"});
  ASSERT_FALSE(tags.ok());
  EXPECT_NE(tags.error().message.find("b -> a -> c -> d -> b"), std::string::npos) << tags.error().message;
}

TEST(AliasExpansion, DeepChainNeedsNoStack) {
  std::vector<std::pair<std::string, std::string>> defs;
  const int depth = 200000;
  for (int i = 0; i < depth; ++i) defs.emplace_back("a" + std::to_string(i), "a" + std::to_string(i + 1));
  auto t = table_of(std::move(defs));
  auto tags = expand_tags(t, {"a0"});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<std::string>{"a" + std::to_string(depth)}));
}

TEST(AliasExpansion, WideGraphOfSharedAliasesIsLinear) {
  // Each level points twice at the next: expanded naively this is 2^60 visits.
  std::vector<std::pair<std::string, std::string>> defs;
  for (int i = 0; i < 60; ++i) {
    std::string next = "l" + std::to_string(i + 1);
    defs.emplace_back("l" + std::to_string(i), next + " " + next);
  }
  auto tags = expand_tags(table_of(std::move(defs)), {"l0"});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<std::string>{"l60"}));
}

TEST(AliasExpansion, FindAfterGrowingTheTable) {
  AliasTable t = table_of({{"x", "y"}});
  EXPECT_NE(t.find("x"), nullptr);
  t.aliases.push_back({"z", {"w"}, "w", false, "test", false});
  ASSERT_NE(t.find("z"), nullptr);
  EXPECT_EQ(t.find("z")->targets, (std::vector<std::string>{"w"}));
  EXPECT_EQ(t.find("nope"), nullptr);
}

}  // namespace
}  // namespace chaos
