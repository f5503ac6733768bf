// Terminal layout (term/layout, term/style): columns filled like `ls`, tables aligned by
// display width, colour only when asked for.
#include <gtest/gtest.h>

#include "term/layout.h"
#include "term/style.h"

namespace chaos {
namespace {

const Painter kPlain(false);

TEST(RenderColumns, FillsColumnByColumnWithinTheWidth) {
  std::vector<std::string> items = {"a", "bb", "ccc", "d", "e"};
  // widest 3, gap 3: (20 - 2 + 3) / 6 = 3 columns, 2 rows; filled down each column.
  EXPECT_EQ(render_columns(items, 20, kPlain), "  a     ccc   e\n  bb    d\n");
}

TEST(RenderColumns, ANarrowTerminalGivesOneColumnAndNothingIsCut) {
  std::vector<std::string> items = {"a-long-role-name", "b"};
  EXPECT_EQ(render_columns(items, 5, kPlain), "  a-long-role-name\n  b\n");
  EXPECT_EQ(render_columns({}, 80, kPlain), "");
}

TEST(RenderColumns, NoEmptyTrailingColumnAndIndentIsKept) {
  std::vector<std::string> items = {"a", "b", "c", "d"};
  // 7 columns would fit, but 4 items in 1 row use 4.
  EXPECT_EQ(render_columns(items, 40, kPlain, Tone::cyan, 4), "    a   b   c   d\n");
}

TEST(RenderColumns, AlignsByDisplayWidthNotBytes) {
  std::vector<std::string> items = {"\xc3\xa9t\xc3\xa9", "abc", "x", "y"};  // "été": 3 columns, 5 bytes
  EXPECT_EQ(render_columns(items, 14, kPlain), "  \xc3\xa9t\xc3\xa9   x\n  abc   y\n");
}

TEST(RenderColumns, ColourWrapsEachItemWithoutChangingAlignment) {
  const Painter colour(true);
  std::string out = render_columns({"a", "bb"}, 80, colour);
  EXPECT_EQ(out, "  " + colour(Tone::cyan, "a") + "    " + colour(Tone::cyan, "bb") + "\n");
  EXPECT_NE(out.find("\x1b["), std::string::npos);
}

TEST(RenderTable, ColumnsAreAsWideAsTheirWidestCell) {
  std::string out = render_table({"NAME", "KIND"}, {{"my-role", "class"}, {"r", "legacy"}, {"short"}}, kPlain);
  EXPECT_EQ(out,
            "  NAME      KIND\n"
            "  my-role   class\n"
            "  r         legacy\n"
            "  short     \n");
}

TEST(RenderTable, OnlyTheHeaderIsBold) {
  const Painter colour(true);
  std::string out = render_table({"A"}, {{"x"}}, colour);
  EXPECT_EQ(out, "  " + colour(Tone::bold, "A") + "\n  x\n");
}

TEST(Painter, PlainLeavesTextAloneAndColourEndsWithAReset) {
  EXPECT_EQ(kPlain(Tone::red, "text"), "text");
  const Painter colour(true);
  std::string red = colour(Tone::red, "text");
  EXPECT_NE(red, "text");
  EXPECT_NE(red.find("text"), std::string::npos);
  EXPECT_EQ(red.substr(red.size() - 4), "\x1b[0m");
  EXPECT_EQ(colour(Tone::plain, "text"), "text");
}

TEST(DisplayWidth, CountsCodePoints) {
  EXPECT_EQ(display_width(""), 0u);
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("\xc3\xa9t\xc3\xa9"), 3u);
  EXPECT_EQ(display_width("\xe2\x9c\x93 ok"), 4u);
}

}  // namespace
}  // namespace chaos
