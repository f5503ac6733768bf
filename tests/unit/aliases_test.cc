#include "plugins/aliases.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

AliasTable table_of(std::vector<std::pair<std::string, std::string>> defs) {
  AliasTable t;
  for (auto& [name, text] : defs) t.aliases.push_back({name, split_alias_targets(text), text, false, "test", false});
  return t;
}

TEST(ExpandTags, ResolvesRecursivelyKeepsOrderDropsRepeats) {
  auto t = table_of({{"base", "users packages"}, {"desk", "base dots packages"}});
  auto tags = expand_tags(t, {"desk", "users", "extra"});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<std::string>{"users", "packages", "dots", "extra"}));
}

TEST(ExpandTags, CycleIsAnErrorNamingTheChain) {
  auto t = table_of({{"a", "b"}, {"b", "c"}, {"c", "a"}});
  auto tags = expand_tags(t, {"a"});
  ASSERT_FALSE(tags.ok());
  EXPECT_NE(tags.error().message.find("a -> b -> c -> a"), std::string::npos);
}

TEST(ExpandTags, SelfAliasIsACycle) {
  auto tags = expand_tags(table_of({{"x", "x"}}), {"x"});
  ASSERT_FALSE(tags.ok());
  EXPECT_NE(tags.error().message.find("x -> x"), std::string::npos);
}

// One alias reached by two routes is not a cycle: the chain is only the path being followed.
TEST(ExpandTags, DiamondIsNotACycle) {
  auto t = table_of({{"b", "a mr"}, {"a", "mr"}, {"mr", "my-role"}});
  auto tags = expand_tags(t, {"b"});
  ASSERT_TRUE(tags.ok()) << tags.error().message;
  EXPECT_EQ(*tags, (std::vector<std::string>{"my-role"}));
  // The same shape one level deeper, with a real role beside the shared alias.
  auto deep = expand_tags(table_of({{"top", "left right"}, {"left", "shared"}, {"right", "shared x"}, {"shared", "r"}}),
                          {"top"});
  ASSERT_TRUE(deep.ok()) << deep.error().message;
  EXPECT_EQ(*deep, (std::vector<std::string>{"r", "x"}));
}

TEST(MergeAliases, ConfigOverridesPluginAliasInPlaceWithAWarning) {
  PluginIndex index;
  index.distributions.push_back({"plug", "1", "", "python", "", -1});
  index.registrations.push_back({Group::aliases, "mr", "my-role", 0, 1});
  index.registrations.push_back({Group::aliases, "other", "x", 0, 2});
  GlobalConfig config;
  config.path = "/c/config.yml";
  config.aliases.push_back({"mr", {"a", "b"}, true});
  config.aliases.push_back({"new", {"c"}, false});
  AliasTable t = merge_aliases(index, config);
  ASSERT_EQ(t.aliases.size(), 3u);
  EXPECT_EQ(t.aliases[0].name, "mr");
  EXPECT_EQ(t.aliases[0].targets, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(t.aliases[0].from_config);
  EXPECT_EQ(t.aliases[2].name, "new");
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_NE(t.warnings[0].find("overrides"), std::string::npos);
}

// Issue 8, item 13: expansion is iterative and linear; shared sub-aliases are not cycles.
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
