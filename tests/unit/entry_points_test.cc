#include "plugins/entry_points.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

TEST(ParseEntryPoints, ReadsSectionsNamesAndValues) {
  auto parsed = parse_entry_points("[chaos.roles]\nmy-role = my_plugin.roles:run\n\n[chaos.aliases]\nmr = my-role\n");
  ASSERT_EQ(parsed.entries.size(), 2u);
  EXPECT_EQ(parsed.entries[0].group, "chaos.roles");
  EXPECT_EQ(parsed.entries[0].name, "my-role");
  EXPECT_EQ(parsed.entries[0].value, "my_plugin.roles:run");
  EXPECT_EQ(parsed.entries[0].line, 2);
  EXPECT_EQ(parsed.entries[1].group, "chaos.aliases");
  EXPECT_EQ(parsed.entries[1].value, "my-role");
  EXPECT_TRUE(parsed.problems.empty());
}

TEST(ParseEntryPoints, StripsWhitespaceAndSplitsOnFirstEquals) {
  auto parsed = parse_entry_points("  [ chaos.roles ]  \n\t a =  b:c = d  \r\n");
  ASSERT_EQ(parsed.entries.size(), 1u);
  // importlib strips the line, then the brackets, keeping inner spaces of the group name.
  EXPECT_EQ(parsed.entries[0].group, " chaos.roles ");
  EXPECT_EQ(parsed.entries[0].name, "a");
  EXPECT_EQ(parsed.entries[0].value, "b:c = d");
}

TEST(ParseEntryPoints, SkipsCommentsAndLinesBeforeAnySection) {
  auto parsed = parse_entry_points("orphan = x:y\n# [chaos.roles]\n[chaos.roles]\n# a = b:c\nr = m:f\n");
  ASSERT_EQ(parsed.entries.size(), 1u);
  EXPECT_EQ(parsed.entries[0].name, "r");
  EXPECT_TRUE(parsed.problems.empty());
}

TEST(ParseEntryPoints, ReportsBrokenLinesAndKeepsTheRest) {
  auto parsed = parse_entry_points("[chaos.roles]\nthis line is broken\n = nameless:x\ngood = m:f\n");
  ASSERT_EQ(parsed.entries.size(), 1u);
  EXPECT_EQ(parsed.entries[0].name, "good");
  ASSERT_EQ(parsed.problems.size(), 2u);
  EXPECT_EQ(parsed.problems[0].line, 2);
  EXPECT_NE(parsed.problems[0].message.find("this line is broken"), std::string::npos);
  EXPECT_EQ(parsed.problems[1].line, 3);
}

TEST(ParseEntryPoints, EmptyTextHasNothing) {
  auto parsed = parse_entry_points("");
  EXPECT_TRUE(parsed.entries.empty());
  EXPECT_TRUE(parsed.problems.empty());
}

TEST(ObjectReference, AcceptsModuleAttributeWithOptionalExtras) {
  EXPECT_TRUE(is_object_reference("my_plugin.roles:my_role"));
  EXPECT_TRUE(is_object_reference("pkg:Class.method"));
  EXPECT_TRUE(is_object_reference("pkg : attr"));
  EXPECT_TRUE(is_object_reference("pkg:attr [extra1, extra2]"));
}

TEST(ObjectReference, RejectsWhatCannotBeImported) {
  EXPECT_FALSE(is_object_reference("my-role"));
  EXPECT_FALSE(is_object_reference("pkg"));
  EXPECT_FALSE(is_object_reference("pkg:"));
  EXPECT_FALSE(is_object_reference(":attr"));
  EXPECT_FALSE(is_object_reference("my-plugin.roles:run"));
  EXPECT_FALSE(is_object_reference("pkg..mod:run"));
  EXPECT_FALSE(is_object_reference("pkg:run [extra"));
}

TEST(NormalizeName, MatchesImportlib) {
  EXPECT_EQ(normalize_distribution_name("My-Chaos_Plugin"), "my_chaos_plugin");
  EXPECT_EQ(normalize_distribution_name("a--b..c__d"), "a_b_c_d");
  EXPECT_EQ(normalize_distribution_name("pyinfra"), "pyinfra");
}

}  // namespace
}  // namespace chaos
