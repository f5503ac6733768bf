#include "config/config_edit.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

std::string set(std::string_view text, const std::string& key, const std::string& value) {
  auto out = set_top_level_string(text, key, value, "config.yml");
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? *out : "";
}

TEST(ConfigEdit, ReplacesAValueKeepingCommentsOrderAndItsOwnNote) {
  const std::string text =
      "# my settings\n"
      "python: /opt/venv/bin/python  # the plugin env\n"
      "\n"
      "chobolo_file: /old.yml # where the machine is described\n"
      "# aliases follow\n"
      "aliases:\n"
      "  desk: users packages\n";
  EXPECT_EQ(set(text, "chobolo_file", "/new path.yml"),
            "# my settings\n"
            "python: /opt/venv/bin/python  # the plugin env\n"
            "\n"
            "chobolo_file: /new path.yml # where the machine is described\n"
            "# aliases follow\n"
            "aliases:\n"
            "  desk: users packages\n");
}

TEST(ConfigEdit, AppendsAMissingKeyAndCreatesAFile) {
  EXPECT_EQ(set("python: /p\n", "sops_file", "/s.yml"), "python: /p\nsops_file: /s.yml\n");
  // A file without a final newline keeps that style (util/yaml_edit changes only the value).
  EXPECT_EQ(set("python: /p", "sops_file", "/s.yml"), "python: /p\nsops_file: /s.yml");
  EXPECT_EQ(set("", "secrets_file", "/x"), "secrets_file: /x\n");
  EXPECT_EQ(set("# only a comment\n", "secrets_file", "/x"), "# only a comment\nsecrets_file: /x\n");
}

TEST(ConfigEdit, QuotesWhatWouldReadAsSomethingElse) {
  std::string out = set("a: 1\n", "chobolo_file", "yes: #no");
  auto again = set_top_level_string(out, "chobolo_file", "yes: #no", "config.yml");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, out);
  EXPECT_NE(out.find("chobolo_file: \""), std::string::npos) << out;
}

TEST(ConfigEdit, ABlockValueIsReplacedWholeAndTheNextKeysCommentStays) {
  const std::string text =
      "secrets_file:\n"
      "  - odd\n"
      "  - list\n"
      "\n"
      "# next\n"
      "python: /p\n";
  EXPECT_EQ(set(text, "secrets_file", "/s"), "secrets_file: /s\n\n# next\npython: /p\n");
}

TEST(ConfigEdit, RefusesWhatItCannotEditSafely) {
  // The last three were found by config_edit_fuzz: yaml-cpp ends a line at a lone \r.
  for (const char* text :
       {"- a\n- b\n", "{python: /p, chobolo_file: /c}\n", "python: [unclosed\n", "a: 1\rb: 2\rchobolo_file: /c\n",
        "a: 1\rchobolo_file:\r  - x\rb: 2\n", "chobolo_file:\n  - a\nb: 1\nchobolo_file:\n"}) {
    auto out = set_top_level_string(text, "chobolo_file", "/x", "config.yml");
    EXPECT_FALSE(out.ok()) << text;
    if (!out.ok()) {
      EXPECT_EQ(out.error().where.rfind("config.yml", 0), 0u) << out.error().where;
    }
  }
}

}  // namespace
}  // namespace chaos
