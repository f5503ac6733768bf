// Loading config.yml (config/global_config): every key the core reads, the shapes users write,
// and errors that name the place.
#include <gtest/gtest.h>

#include "config/global_config.h"
#include "test_support.h"

namespace chaos {
namespace {

using testing::ScratchDir;

Result<GlobalConfig> load(const ScratchDir& dir, const std::string& text) {
  std::string path = dir / "config.yml";
  testing::write(path, text);
  return load_global_config(path);
}

TEST(GlobalConfig, AMissingFileIsAnEmptyConfigWithNoPath) {
  ScratchDir dir;
  auto config = load_global_config(dir / "nothing.yml");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->path.empty());
  EXPECT_FALSE(config->python.has_value());
  EXPECT_TRUE(config->aliases.empty());
}

TEST(GlobalConfig, EveryKeyTheCoreReadsIsRead) {
  ScratchDir dir;
  auto config = load(dir,
                     "python: /opt/env/bin/python\n"
                     "chobolo_file: /etc/chaos/box.yml\n"
                     "secrets_file: /etc/chaos/secrets.yml\n"
                     "sops_file: /etc/chaos/.sops.yaml\n"
                     "something_newer: kept by the file, ignored here\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->path, dir / "config.yml");
  EXPECT_EQ(config->python, "/opt/env/bin/python");
  EXPECT_EQ(config->chobolo_file, "/etc/chaos/box.yml");
  EXPECT_EQ(config->secrets_file, "/etc/chaos/secrets.yml");
  EXPECT_EQ(config->sops_file, "/etc/chaos/.sops.yaml");
}

TEST(GlobalConfig, AnEmptyFileAndANullKeyAreDefaults) {
  ScratchDir dir;
  auto empty = load(dir, "");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->python.has_value());
  auto null_key = load(dir, "python:\naliases: ~\n");
  ASSERT_TRUE(null_key.ok());
  EXPECT_FALSE(null_key->python.has_value());
  EXPECT_TRUE(null_key->aliases.empty());
}

TEST(GlobalConfig, AliasesInEveryShapeKeepFileOrder) {
  ScratchDir dir;
  auto config = load(dir,
                     "aliases:\n"
                     "  web: nginx\n"
                     "  base: \"users  packages\"\n"
                     "  all: [base, web]\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->aliases.size(), 3u);
  EXPECT_EQ(config->aliases[0].name, "web");
  EXPECT_EQ(config->aliases[0].targets, (std::vector<std::string>{"nginx"}));
  EXPECT_FALSE(config->aliases[0].written_as_list);
  EXPECT_EQ(config->aliases[1].name, "base");
  EXPECT_EQ(config->aliases[1].targets, (std::vector<std::string>{"users", "packages"}));
  EXPECT_EQ(config->aliases[2].name, "all");
  EXPECT_EQ(config->aliases[2].targets, (std::vector<std::string>{"base", "web"}));
  EXPECT_TRUE(config->aliases[2].written_as_list);
}

TEST(GlobalConfig, ErrorsNameTheKeyAndItsLineAndColumn) {
  ScratchDir dir;
  const std::string path = dir / "config.yml";
  struct Case {
    const char* text;
    const char* message;
    const char* where;
  } cases[] = {
      {"python: [a, b]\n", "`python` must be a string", ":1:9"},
      {"- just\n- a list\n", "must be a mapping", ":1:1"},
      {"aliases: [a, b]\n", "`aliases` must map an alias", ":1:10"},
      {"aliases:\n  x: {a: b}\n", "alias `x` must be a tag", ":2:6"},
      {"aliases:\n  x: \"  \"\n", "alias `x` expands to no tag", ":2:6"},
      {"aliases:\n  x: [a, [b]]\n", "alias `x` lists something that is not a tag", ":2:10"},
      {"python: [a, b\nchobolo_file: x\n", "not valid YAML", ":2:13"},
  };
  for (const auto& c : cases) {
    auto config = load(dir, c.text);
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_NE(config.error().message.find(c.message), std::string::npos) << c.text << " -> " << config.error().message;
    EXPECT_EQ(config.error().where, path + c.where) << c.text;
  }
}

TEST(GlobalConfig, BytesThatAreNotUtf8AreAnErrorWithTheBytesEscaped) {
  ScratchDir dir;
  auto config = load(dir, "python: \"/opt/\xff/python\"\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("not valid UTF-8"), std::string::npos);
  EXPECT_EQ(config.error().message.find('\xff'), std::string::npos) << "the raw byte reached the message";
}

TEST(SplitAliasTargets, SplitsOnAnyWhitespace) {
  EXPECT_EQ(split_alias_targets(" a\tb \n c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_alias_targets("   ").empty());
}

}  // namespace
}  // namespace chaos
