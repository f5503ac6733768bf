// Editing YAML as text (util/yaml_edit): each edit on realistic config.yml and .sops.yaml texts
// changes only the edited value, keeps every comment and the quoting around it, and refuses what
// it cannot do safely with a message naming the place.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "util/yaml_edit.h"

namespace chaos {
namespace {

const std::string kConfig =
    "# chaos global configuration\n"
    "python: /opt/chaos/bin/python   # the plugin environment\n"
    "\n"
    "secret_providers:\n"
    "  # which provider `chaos secrets` uses\n"
    "  default: sops\n"
    "  sops:\n"
    "    file: \"/etc/chaos/secrets.yml\"\n"
    "\n"
    "# tags run together\n"
    "aliases:\n"
    "  web: [nginx, certbot]\n"
    "  base:\n"
    "    - users\n"
    "    - packages # keep packages last\n";

const std::string kSops =
    "# keys for the fleet\n"
    "creation_rules:\n"
    "  - path_regex: secrets/.*\\.yaml$\n"
    "    age: >-\n"
    "      age1aaa,\n"
    "      age1bbb\n"
    "  - path_regex: hosts/.*\n"
    "    age: \"age1ccc,age1ddd\"  # two admins\n"
    "    pgp: FPR1\n"
    "  - path_regex: shared/.*\n"
    "    shamir_threshold: 2\n"
    "    key_groups:\n"
    "      - age: [age1eee, age1fff]\n"
    "        pgp:\n"
    "          - FPR2\n"
    "      - age:\n"
    "          - age1ggg\n";

// The edited text, asserting the edit succeeded and changed something.
std::string edited(const Result<YamlEdited>& r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().where + ": " + r.error().message);
  if (!r.ok()) return {};
  EXPECT_TRUE(r->changed);
  return r->text;
}

// `text` with `from` replaced by `to` (once, and it must be there): the expected result of an
// edit that touches only that part.
std::string with(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

Error refused(const Result<YamlEdited>& r) {
  EXPECT_FALSE(r.ok()) << (r.ok() ? r->text : "");
  return r.ok() ? Error() : r.error();
}

std::string scalar_at(const std::string& text, const std::vector<std::string>& keys) {
  YAML::Node node = YAML::Load(text);
  for (const auto& key : keys) node = node[key];
  return node.as<std::string>();
}

// --- setting scalars ---

TEST(YamlEditSet, ReplacesAScalarAndKeepsEveryOtherByte) {
  auto r = yaml_set_scalar(kConfig, "config.yml", {"secret_providers", "default"}, YamlScalar::string("vault"));
  EXPECT_EQ(edited(r), with(kConfig, "  default: sops\n", "  default: vault\n"));
}

TEST(YamlEditSet, KeepsTheCommentAfterTheValue) {
  auto r = yaml_set_scalar(kConfig, "config.yml", {"python"}, YamlScalar::string("/usr/bin/python3"));
  EXPECT_EQ(edited(r), with(kConfig, "/opt/chaos/bin/python   #", "/usr/bin/python3   #"));
}

TEST(YamlEditSet, ReplacesAQuotedScalarWithTheQuotingItNeeds) {
  auto r = yaml_set_scalar(kConfig, "config.yml", {"secret_providers", "sops", "file"},
                           YamlScalar::string("/srv/secrets.yml"));
  EXPECT_EQ(edited(r), with(kConfig, "\"/etc/chaos/secrets.yml\"", "/srv/secrets.yml"));
}

TEST(YamlEditSet, CreatesAMissingKeyAtTheEndOfItsMappingWithItsIndentation) {
  auto r = yaml_set_scalar(kConfig, "config.yml", {"secret_providers", "timeout"}, YamlScalar::plain_value("30"));
  EXPECT_EQ(edited(r), with(kConfig, "    file: \"/etc/chaos/secrets.yml\"\n",
                            "    file: \"/etc/chaos/secrets.yml\"\n  timeout: 30\n"));
}

TEST(YamlEditSet, CreatesNestedMissingKeysAtTheEndOfTheDocument) {
  auto r = yaml_set_scalar(kConfig, "config.yml", {"ui", "color", "enabled"}, YamlScalar::plain_value("true"));
  EXPECT_EQ(edited(r), kConfig + "ui:\n  color:\n    enabled: true\n");
}

TEST(YamlEditSet, CreatesKeysUnderAnEmptyValueKeepingItsComment) {
  std::string text = "secret_providers:  # none yet\n# about aliases\naliases: {}\n";
  auto r = yaml_set_scalar(text, "config.yml", {"secret_providers", "default"}, YamlScalar::string("sops"));
  EXPECT_EQ(edited(r), "secret_providers:  # none yet\n  default: sops\n# about aliases\naliases: {}\n");
}

TEST(YamlEditSet, CreatesKeysInAnEmptyOrCommentOnlyDocument) {
  EXPECT_EQ(edited(yaml_set_scalar("", "c.yml", {"python"}, YamlScalar::string("/bin/py"))), "python: /bin/py\n");
  EXPECT_EQ(edited(yaml_set_scalar("# to do", "c.yml", {"a"}, YamlScalar::string("b"))), "# to do\na: b\n");
}

TEST(YamlEditSet, CreatesAKeyInsideAListItem) {
  auto r =
      yaml_set_scalar(kSops, ".sops.yaml", {"creation_rules", 1, "shamir_threshold"}, YamlScalar::plain_value("2"));
  EXPECT_EQ(edited(r), with(kSops, "    pgp: FPR1\n", "    pgp: FPR1\n    shamir_threshold: 2\n"));
}

TEST(YamlEditSet, WritesNumbersPlainForSopsShamirThreshold) {
  auto r =
      yaml_set_scalar(kSops, ".sops.yaml", {"creation_rules", 2, "shamir_threshold"}, YamlScalar::plain_value("3"));
  EXPECT_EQ(edited(r), with(kSops, "shamir_threshold: 2", "shamir_threshold: 3"));
  EXPECT_EQ(YAML::Load(edited(r))["creation_rules"][2]["shamir_threshold"].as<int>(), 3);
}

TEST(YamlEditSet, KeepsATrailingNewlineAbsent) {
  EXPECT_EQ(edited(yaml_set_scalar("a: 1", "c.yml", {"a"}, YamlScalar::plain_value("2"))), "a: 2");
  EXPECT_EQ(edited(yaml_set_scalar("a: 1", "c.yml", {"b"}, YamlScalar::plain_value("2"))), "a: 1\nb: 2");
}

TEST(YamlEditSet, KeepsAByteOrderMark) {
  EXPECT_EQ(edited(yaml_set_scalar("\xef\xbb\xbf"
                                   "a: 1\n",
                                   "c.yml", {"a"}, YamlScalar::plain_value("2"))),
            "\xef\xbb\xbf"
            "a: 2\n");
}

// Found by the fuzzer: after one mark yaml-cpp reads a second as part of the first key, so an
// editor that stripped one and parsed the rest edited a key the file's readers do not see.
TEST(YamlEditSet, RefusesASecondByteOrderMark) {
  const std::string twice =
      "\xef\xbb\xbf\xef\xbb\xbf"
      "a: 1\n";
  auto r = yaml_set_scalar(twice, "c.yml", {"a"}, YamlScalar::plain_value("2"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("byte order mark"), std::string::npos) << r.error().message;
  EXPECT_FALSE(yaml_list_remove(twice, "c.yml", {"b"}, "x").ok());
}

TEST(YamlEditSet, QuotesStringsThatWouldReadAsSomethingElse) {
  for (std::string value :
       {"true", "yes",   "2",          "1.5",  "null",    "~",    "",   " padded", "a: b", "#x",        "- item", "[x]",
        "{a}",  "12:30", "2024-01-01", "*ref", "&anchor", "!tag", "%x", "@x",      "a #b", "trailing:", "tab\tin"}) {
    auto r = yaml_set_scalar(kConfig, "config.yml", {"secret_providers", "default"}, YamlScalar::string(value));
    ASSERT_TRUE(r.ok()) << value << ": " << r.error().message;
    YAML::Node read = YAML::Load(r->text)["secret_providers"]["default"];
    EXPECT_EQ(read.as<std::string>(), value);
    EXPECT_EQ(read.Tag(), "!") << value << " must be quoted: " << r->text;
  }
  for (std::string value : {"it's", "say \"hi\"", "back\\slash", "a:b", "x-y"}) {
    auto r = yaml_set_scalar(kConfig, "config.yml", {"secret_providers", "default"}, YamlScalar::string(value));
    EXPECT_EQ(edited(r), with(kConfig, "default: sops", "default: " + value));
    EXPECT_EQ(scalar_at(edited(r), {"secret_providers", "default"}), value);
  }
  auto r = yaml_set_scalar(kConfig, "config.yml", {"secret_providers", "default"}, YamlScalar::string("true"));
  EXPECT_EQ(edited(r), with(kConfig, "default: sops", "default: \"true\""));
}

TEST(YamlEditSet, WritesUnicodeAndEscapesLineBreaks) {
  auto plain = yaml_set_scalar("city: x\n", "c.yml", {"city"}, YamlScalar::string("Zürich ☃"));
  EXPECT_EQ(edited(plain), "city: Zürich ☃\n");
  for (std::string value : std::vector<std::string>{"line\nbreak", "bell\a", "nel\xc2\x85", "ls\xe2\x80\xa8",
                                                    "bom\xef\xbb\xbf", "del\x7f", std::string("nul\0x", 5)}) {
    auto r = yaml_set_scalar("city: x\n", "c.yml", {"city"}, YamlScalar::string(value));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(scalar_at(r->text, {"city"}), value);
    EXPECT_EQ(r->text.find('\n'), r->text.size() - 1) << "one line: " << r->text;
  }
  EXPECT_EQ(edited(yaml_set_scalar("city: x\n", "c.yml", {"city"}, YamlScalar::string("a\nb"))), "city: \"a\\nb\"\n");
}

TEST(YamlEditSet, CreatesQuotedKeys) {
  auto r = yaml_set_scalar("a: 1\n", "c.yml", {"key: with colon", "true"}, YamlScalar::string("v"));
  EXPECT_EQ(edited(r), "a: 1\n\"key: with colon\":\n  \"true\": v\n");
  auto again = yaml_set_scalar(edited(r), "c.yml", {"key: with colon", "true"}, YamlScalar::string("w"));
  EXPECT_EQ(edited(again), "a: 1\n\"key: with colon\":\n  \"true\": w\n");
}

TEST(YamlEditSet, SettingTheValueAlreadyThereChangesNothing) {
  auto r = yaml_set_scalar(kConfig, "config.yml", {"secret_providers", "sops", "file"},
                           YamlScalar::string("/etc/chaos/secrets.yml"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->text, kConfig);
}

TEST(YamlEditSet, ReplacesABlockScalarAndAListItem) {
  std::string text = "motd: |\n  hello\n  world\nnext: 1\nlist:\n  - a\n  - b\n";
  EXPECT_EQ(edited(yaml_set_scalar(text, "c.yml", {"motd"}, YamlScalar::string("hi"))),
            "motd: hi\nnext: 1\nlist:\n  - a\n  - b\n");
  EXPECT_EQ(edited(yaml_set_scalar(text, "c.yml", {"list", 1}, YamlScalar::string("c"))),
            "motd: |\n  hello\n  world\nnext: 1\nlist:\n  - a\n  - c\n");
}

TEST(YamlEditSet, PlainValuesMustReadBackAsThemselves) {
  for (std::string value : {"a: b", "x # y", "[1]", "", "a\nb", "\"q\""}) {
    Error e = refused(yaml_set_scalar("a: 1\n", "c.yml", {"a"}, YamlScalar::plain_value(value)));
    EXPECT_NE(e.message.find("does not read back as itself"), std::string::npos) << value;
  }
}

TEST(YamlEditSet, ReplacesMultiLineScalarsWhole) {
  EXPECT_EQ(edited(yaml_set_scalar("a: one\n  two\nb: 1\n", "c.yml", {"a"}, YamlScalar::string("x"))), "a: x\nb: 1\n");
  EXPECT_EQ(edited(yaml_set_scalar("a: \"one\n  two\"\nb: 1\n", "c.yml", {"a"}, YamlScalar::string("x"))),
            "a: x\nb: 1\n");
  EXPECT_EQ(edited(yaml_set_scalar("key: # c\n  - a\n  - b\nz: 1\n", "c.yml", {"key"}, YamlScalar::string("v"))),
            "key: v # c\nz: 1\n");
}

TEST(YamlEditSet, BlockScalarLinesThatLookLikeCommentsStayWithTheScalar) {
  std::string text = "a:\n  motd: |\n    x\n    # not a comment\n# a real comment\nb: 1\n";
  EXPECT_EQ(edited(yaml_set_scalar(text, "c.yml", {"a", "k"}, YamlScalar::string("v"))),
            "a:\n  motd: |\n    x\n    # not a comment\n  k: v\n# a real comment\nb: 1\n");
  EXPECT_EQ(edited(yaml_remove_key(text, "c.yml", {"a", "motd"})), "a: {}\n# a real comment\nb: 1\n");
}

// --- setting lists ---

TEST(YamlEditSetList, ReplacesABlockListAtItsIndentation) {
  auto r = yaml_set_list(kConfig, "config.yml", {"aliases", "base"}, {"users", "ssh", "on"});
  EXPECT_EQ(edited(r), with(kConfig, "    - users\n    - packages # keep packages last\n",
                            "    - users\n    - ssh\n    - \"on\"\n"));
}

TEST(YamlEditSetList, KeepsAFlowListFlow) {
  auto r = yaml_set_list(kConfig, "config.yml", {"aliases", "web"}, {"nginx", "a,b"});
  EXPECT_EQ(edited(r), with(kConfig, "[nginx, certbot]", "[nginx, \"a,b\"]"));
}

TEST(YamlEditSetList, CreatesABlockListAndWritesAnEmptyOneAsBrackets) {
  auto r = yaml_set_list(kConfig, "config.yml", {"aliases", "db"}, {"postgres", "backup"});
  EXPECT_EQ(edited(r), kConfig + "  db:\n    - postgres\n    - backup\n");
  auto empty = yaml_set_list(kConfig, "config.yml", {"aliases", "base"}, {});
  EXPECT_EQ(edited(empty),
            with(kConfig, "  base:\n    - users\n    - packages # keep packages last\n", "  base: []\n"));
}

TEST(YamlEditSetList, ReplacesAScalarWithABlockListKeepingTheComment) {
  auto r = yaml_set_list("admins: alice  # for now\nother: 1\n", "c.yml", {"admins"}, {"alice", "bob"});
  EXPECT_EQ(edited(r), "admins: # for now\n  - alice\n  - bob\nother: 1\n");
}

// --- adding to and removing from lists ---

TEST(YamlEditList, AddsToABlockListAfterItsLastItem) {
  auto r = yaml_list_add(kSops, ".sops.yaml", {"creation_rules", 2, "key_groups", 0, "pgp"}, "FPR3");
  EXPECT_EQ(edited(r), with(kSops, "          - FPR2\n", "          - FPR2\n          - FPR3\n"));
}

TEST(YamlEditList, AddsToTheLastBlockListOfTheDocument) {
  auto r = yaml_list_add(kSops, ".sops.yaml", {"creation_rules", 2, "key_groups", 1, "age"}, "age1hhh");
  EXPECT_EQ(edited(r), kSops + "          - age1hhh\n");
}

TEST(YamlEditList, RemovesABlockListItemWithItsComment) {
  auto r = yaml_list_remove(kConfig, "config.yml", {"aliases", "base"}, "packages");
  EXPECT_EQ(edited(r), with(kConfig, "    - packages # keep packages last\n", ""));
  auto first = yaml_list_remove(kConfig, "config.yml", {"aliases", "base"}, "users");
  EXPECT_EQ(edited(first), with(kConfig, "    - users\n", ""));
}

TEST(YamlEditList, RemovingTheLastItemOfABlockListLeavesAnEmptyList) {
  auto r = yaml_list_remove(kSops, ".sops.yaml", {"creation_rules", 2, "key_groups", 1, "age"}, "age1ggg");
  EXPECT_EQ(edited(r), with(kSops, "      - age:\n          - age1ggg\n", "      - age: []\n"));
}

TEST(YamlEditList, KeepsAListIndentedLikeItsKey) {
  std::string text = "a:\n- x\n- y\nb: 1\n";
  EXPECT_EQ(edited(yaml_list_add(text, "c.yml", {"a"}, "z")), "a:\n- x\n- y\n- z\nb: 1\n");
  EXPECT_EQ(edited(yaml_list_remove(text, "c.yml", {"a"}, "x")), "a:\n- y\nb: 1\n");
  EXPECT_EQ(edited(yaml_set_list(text, "c.yml", {"a"}, {"p"})), "a:\n- p\nb: 1\n");
}

TEST(YamlEditList, AddsToAndRemovesFromAFlowList) {
  YamlPath path{"creation_rules", 2, "key_groups", 0, "age"};
  EXPECT_EQ(edited(yaml_list_add(kSops, ".sops.yaml", path, "age1zzz")),
            with(kSops, "[age1eee, age1fff]", "[age1eee, age1fff, age1zzz]"));
  EXPECT_EQ(edited(yaml_list_remove(kSops, ".sops.yaml", path, "age1eee")),
            with(kSops, "[age1eee, age1fff]", "[age1fff]"));
  EXPECT_EQ(edited(yaml_list_remove(kSops, ".sops.yaml", path, "age1fff")),
            with(kSops, "[age1eee, age1fff]", "[age1eee]"));
  EXPECT_EQ(edited(yaml_list_add("a: []\n", "c.yml", {"a"}, "x y")), "a: [x y]\n");
  EXPECT_EQ(edited(yaml_list_add("a: ['p',\"q\"]\n", "c.yml", {"a"}, "r,s")), "a: ['p',\"q\",\"r,s\"]\n");
  EXPECT_EQ(edited(yaml_list_remove("a: [x]  # c\n", "c.yml", {"a"}, "x")), "a: []  # c\n");
}

TEST(YamlEditList, KeepsAMultiLineFlowListLayout) {
  std::string text = "a: [\n    x,\n    y\n  ]\nb: 1\n";
  EXPECT_EQ(edited(yaml_list_add(text, "c.yml", {"a"}, "z")), "a: [\n    x,\n    y,\n    z\n  ]\nb: 1\n");
}

TEST(YamlEditList, AddsToAQuotedCommaSeparatedString) {
  auto r = yaml_list_add(kSops, ".sops.yaml", {"creation_rules", 1, "age"}, "age1new");
  EXPECT_EQ(edited(r), with(kSops, "\"age1ccc,age1ddd\"  #", "\"age1ccc,age1ddd,age1new\"  #"));
  auto rm = yaml_list_remove(kSops, ".sops.yaml", {"creation_rules", 1, "age"}, "age1ccc");
  EXPECT_EQ(edited(rm), with(kSops, "\"age1ccc,age1ddd\"  #", "\"age1ddd\"  #"));
}

TEST(YamlEditList, KeepsAFoldedBlockOfKeysOnePerLine) {
  auto r = yaml_list_add(kSops, ".sops.yaml", {"creation_rules", 0, "age"}, "age1ccc");
  EXPECT_EQ(edited(r),
            with(kSops, "      age1aaa,\n      age1bbb\n", "      age1aaa,\n      age1bbb,\n      age1ccc\n"));
  auto rm = yaml_list_remove(kSops, ".sops.yaml", {"creation_rules", 0, "age"}, "age1aaa");
  EXPECT_EQ(edited(rm), with(kSops, "      age1aaa,\n      age1bbb\n", "      age1bbb\n"));
  auto one_line = yaml_list_add("age: >-\n  k1, k2\nx: 1\n", ".sops.yaml", {"age"}, "k3");
  EXPECT_EQ(edited(one_line), "age: >-\n  k1, k2, k3\nx: 1\n");
}

TEST(YamlEditList, AddsToAPlainAndASingleQuotedString) {
  EXPECT_EQ(edited(yaml_list_add(kSops, ".sops.yaml", {"creation_rules", 1, "pgp"}, "FPR9")),
            with(kSops, "pgp: FPR1\n", "pgp: FPR1,FPR9\n"));
  EXPECT_EQ(edited(yaml_list_add("pgp: 'A, B'\n", ".sops.yaml", {"pgp"}, "C")), "pgp: 'A, B, C'\n");
  EXPECT_EQ(edited(yaml_list_remove("pgp: 'A'\n", ".sops.yaml", {"pgp"}, "A")), "pgp: ''\n");
}

TEST(YamlEditList, AddingAnItemAlreadyThereOrRemovingOneAbsentChangesNothing) {
  for (auto r : {yaml_list_add(kConfig, "config.yml", {"aliases", "web"}, "nginx"),
                 yaml_list_add(kConfig, "config.yml", {"aliases", "base"}, "users"),
                 yaml_list_add(kSops, ".sops.yaml", {"creation_rules", 0, "age"}, "age1bbb"),
                 yaml_list_remove(kConfig, "config.yml", {"aliases", "web"}, "apache"),
                 yaml_list_remove(kSops, ".sops.yaml", {"creation_rules", 1, "age"}, "age1zzz"),
                 yaml_list_remove(kSops, ".sops.yaml", {"creation_rules", 0, "nothing"}, "x")}) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->changed);
  }
}

// --- removing keys ---

TEST(YamlEditRemove, RemovesAKeyAndItsValueKeepingTheCommentsAround) {
  EXPECT_EQ(edited(yaml_remove_key(kConfig, "config.yml", {"python"})),
            with(kConfig, "python: /opt/chaos/bin/python   # the plugin environment\n", ""));
  EXPECT_EQ(edited(yaml_remove_key(kConfig, "config.yml", {"secret_providers", "sops"})),
            with(kConfig, "  sops:\n    file: \"/etc/chaos/secrets.yml\"\n", ""));
  EXPECT_EQ(edited(yaml_remove_key(kConfig, "config.yml", {"aliases"})),
            with(kConfig,
                 "aliases:\n  web: [nginx, certbot]\n  base:\n    - users\n    - packages # keep packages last\n", ""));
}

TEST(YamlEditRemove, RemovingTheFirstKeyOfAListItemMovesTheNextOneUp) {
  auto r = yaml_remove_key(kSops, ".sops.yaml", {"creation_rules", 1, "path_regex"});
  EXPECT_EQ(edited(r), with(kSops, "  - path_regex: hosts/.*\n    age:", "  - age:"));
}

TEST(YamlEditRemove, RemovingTheOnlyKeyOfAMappingLeavesAnEmptyMapping) {
  EXPECT_EQ(edited(yaml_remove_key("a:\n  b: 1\nc: 2\n", "c.yml", {"a", "b"})), "a: {}\nc: 2\n");
  EXPECT_EQ(edited(yaml_remove_key("# top\na: 1\n", "c.yml", {"a"})), "# top\n");
}

TEST(YamlEditRemove, RemovingAMissingKeyChangesNothing) {
  auto r = yaml_remove_key(kConfig, "config.yml", {"secret_providers", "vault"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->text, kConfig);
}

// --- refusals ---

TEST(YamlEditRefuses, APathIntoAScalar) {
  Error e = refused(yaml_set_scalar(kConfig, "config.yml", {"python", "version"}, YamlScalar::string("3")));
  EXPECT_EQ(e.message, "`python` is a scalar: it has no key `version`");
  EXPECT_EQ(e.where, "config.yml:2:9");
}

TEST(YamlEditRefuses, ADocumentThatIsNotAMapping) {
  Error e = refused(yaml_set_scalar("- a\n- b\n", "c.yml", {"a"}, YamlScalar::string("x")));
  EXPECT_NE(e.message.find("not a block mapping"), std::string::npos) << e.message;
  EXPECT_EQ(e.where, "c.yml:1:1");
  EXPECT_FALSE(refused(yaml_set_scalar("{a: 1}\n", "c.yml", {"a"}, YamlScalar::string("x"))).message.empty());
  EXPECT_FALSE(refused(yaml_set_scalar("just text\n", "c.yml", {"a"}, YamlScalar::string("x"))).message.empty());
}

TEST(YamlEditRefuses, SeveralDocuments) {
  Error e = refused(yaml_set_scalar("a: 1\n---\nb: 2\n", "c.yml", {"a"}, YamlScalar::string("x")));
  EXPECT_NE(e.message.find("more than one YAML document"), std::string::npos) << e.message;
  EXPECT_EQ(e.where.rfind("c.yml:2", 0), 0u) << e.where;
}

TEST(YamlEditRefuses, AnchorsAndAliasesInTheEditedRegion) {
  std::string text = "base: &b\n  x: 1\nother: *b\nplain: 2\n";
  Error anchored = refused(yaml_set_scalar(text, "c.yml", {"base", "x"}, YamlScalar::string("2")));
  EXPECT_NE(anchored.message.find("anchor or an alias"), std::string::npos) << anchored.message;
  EXPECT_EQ(anchored.where, "c.yml:1:7");
  Error alias = refused(yaml_remove_key(text, "c.yml", {"other"}));
  EXPECT_NE(alias.message.find("anchor or an alias"), std::string::npos) << alias.message;
  Error set_alias = refused(yaml_set_scalar(text, "c.yml", {"other"}, YamlScalar::string("2")));
  EXPECT_NE(set_alias.message.find("anchor or an alias"), std::string::npos) << set_alias.message;
  // Elsewhere in the document they do not matter.
  EXPECT_EQ(edited(yaml_set_scalar(text, "c.yml", {"plain"}, YamlScalar::plain_value("3"))),
            "base: &b\n  x: 1\nother: *b\nplain: 3\n");
}

TEST(YamlEditRefuses, FlowMappingsOnThePath) {
  Error e = refused(yaml_set_scalar("a: {b: 1}\n", "c.yml", {"a", "b"}, YamlScalar::string("2")));
  EXPECT_EQ(e.message, "`a` is a flow mapping ({...}), which cannot be edited");
  EXPECT_EQ(e.where, "c.yml:1:4");
}

TEST(YamlEditRefuses, AnIndexPastTheEnd) {
  Error e = refused(yaml_set_scalar(kSops, ".sops.yaml", {"creation_rules", 5, "age"}, YamlScalar::string("k")));
  EXPECT_EQ(e.message, "`creation_rules` has 3 items: there is no item [5]");
  EXPECT_EQ(e.where, ".sops.yaml:3:3");
}

TEST(YamlEditRefuses, ReplacingAMappingOrTreatingItAsAList) {
  Error set = refused(yaml_set_scalar(kConfig, "config.yml", {"secret_providers"}, YamlScalar::string("x")));
  EXPECT_NE(set.message.find("is a mapping"), std::string::npos) << set.message;
  EXPECT_EQ(set.where, "config.yml:6:3");
  Error add = refused(yaml_list_add(kConfig, "config.yml", {"aliases"}, "x"));
  EXPECT_EQ(add.message, "`aliases` is a mapping, not a list");
}

TEST(YamlEditRefuses, AddingToAMissingOrEmptyList) {
  EXPECT_NE(refused(yaml_list_add(kConfig, "config.yml", {"aliases", "db"}, "x")).message.find("does not exist"),
            std::string::npos);
  EXPECT_NE(refused(yaml_list_add("a:\n", "c.yml", {"a"}, "x")).message.find("is empty"), std::string::npos);
}

TEST(YamlEditRefuses, ACommaSeparatedItemWithACommaOrBlanks) {
  for (std::string item : {"a,b", " a", "", "a\nb"}) {
    Error e = refused(yaml_list_add(kSops, ".sops.yaml", {"creation_rules", 1, "age"}, item));
    EXPECT_NE(e.message.find("cannot be an item"), std::string::npos) << e.message;
    EXPECT_EQ(e.where, ".sops.yaml:8:10");
  }
}

TEST(YamlEditRefuses, InvalidYamlCrLineEndingsAndInvalidUtf8) {
  EXPECT_EQ(refused(yaml_set_scalar("a: [1\n", "c.yml", {"a"}, YamlScalar::string("x"))).where.rfind("c.yml:", 0), 0u);
  EXPECT_NE(refused(yaml_set_scalar("a: 1\r\n", "c.yml", {"a"}, YamlScalar::string("x"))).message.find("CR"),
            std::string::npos);
  EXPECT_FALSE(refused(yaml_set_scalar("a: \xff\n", "c.yml", {"a"}, YamlScalar::string("x"))).message.empty());
  EXPECT_FALSE(refused(yaml_set_scalar("a: 1\n", "c.yml", {"a"}, YamlScalar::string("\xff"))).message.empty());
  EXPECT_FALSE(refused(yaml_set_scalar("a: 1\n", "c.yml", {}, YamlScalar::string("x"))).message.empty());
}

TEST(YamlEditRefuses, ExplicitKeysAndTags) {
  EXPECT_FALSE(refused(yaml_set_scalar("? a\n: 1\n", "c.yml", {"a"}, YamlScalar::string("x"))).message.empty());
  EXPECT_FALSE(refused(yaml_set_scalar("a: !!str 1\n", "c.yml", {"a"}, YamlScalar::string("x"))).message.empty());
}

TEST(YamlEditRefuses, AKeyWrittenTwice) {
  std::string text = "a: 1\nb: 2\na: 3\n";
  Error set = refused(yaml_set_scalar(text, "c.yml", {"a"}, YamlScalar::string("x")));
  EXPECT_EQ(set.message, "the key `a` is written more than once in this mapping");
  EXPECT_EQ(set.where, "c.yml:1:1");
  EXPECT_EQ(refused(yaml_remove_key(text, "c.yml", {"a"})).message, set.message);
}

TEST(YamlEditPath, IsNamedWithDotsAndIndexes) {
  EXPECT_EQ(format_yaml_path({"creation_rules", 0, "age"}), "creation_rules[0].age");
  EXPECT_EQ(format_yaml_path({"a.b", "c"}), "\"a.b\".c");
}

}  // namespace
}  // namespace chaos
