#include <gtest/gtest.h>

#include "term/escape.h"

namespace chaos {
namespace {

TEST(Visible, PlainTextAndUnicodeStayAsTheyAre) {
  EXPECT_EQ(visible("keep.conf"), "keep.conf");
  EXPECT_EQ(visible("café ✓ 日本 \\ path\\to"), "café ✓ 日本 \\ path\\to");
  EXPECT_EQ(visible("a\tb"), "a\tb");
  EXPECT_EQ(visible(""), "");
}

TEST(Visible, EscapeSequencesCannotMoveTheCursor) {
  // The file name that erased the line above it at the confirmation prompt.
  EXPECT_EQ(visible("zz\x1b[1A\x1b[2K\r"), "zz\\x1b[1A\\x1b[2K\\r");
  EXPECT_EQ(visible("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
  EXPECT_EQ(visible("back\bspace\x7f"), "back\\x08space\\x7f");
  EXPECT_EQ(visible(std::string("nul\0byte", 8)), "nul\\x00byte");
}

TEST(Visible, NewlinesAreEscapedExceptInMultiLineValues) {
  EXPECT_EQ(visible("a\nb"), "a\\nb");
  EXPECT_EQ(visible_lines("a\nb\r\n\x1b[2Kc"), "a\nb\\r\n\\x1b[2Kc");
}

TEST(Visible, C1ControlsAndBidiOverridesAreShownAsCodePoints) {
  EXPECT_EQ(visible("\xc2\x9b"
                    "2J"),
            "\\u009b2J");  // CSI as one C1 code point
  EXPECT_EQ(visible("abc\xe2\x80\xae"
                    "fed"),
            "abc\\u202efed");
  EXPECT_EQ(visible("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");
}

TEST(Visible, BytesThatAreNotUtf8AreShownAsHex) {
  EXPECT_EQ(visible("a\xff"
                    "b"),
            "a\\xffb");
  EXPECT_EQ(visible("\xc3"), "\\xc3");                             // truncated sequence
  EXPECT_EQ(visible("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(visible("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a UTF-16 surrogate
  EXPECT_EQ(visible("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
  EXPECT_EQ(visible("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");      // a real 4-byte emoji
}

}  // namespace
}  // namespace chaos
