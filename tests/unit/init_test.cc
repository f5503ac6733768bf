#include <gtest/gtest.h>
#include <sys/stat.h>

#include "init/chobolo_template.h"
#include "init/output_file.h"
#include "init/plugin_scaffold.h"
#include "test_support.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

using testing::ScratchDir;

ordered_json round_trip(const ordered_json& value) {
  auto parsed = parse_yaml(to_yaml(value), "test");
  EXPECT_TRUE(parsed.ok()) << to_yaml(value);
  return parsed ? *parsed : ordered_json();
}

TEST(YamlText, TrickyStringsReadBackAsTheSameStrings) {
  ordered_json strings = ordered_json::array();
  for (const char* s :
       {"",     " lead", "trail ",     "yes",   "No",       "null",      "~",          "true", "1",  "1.5", "-3", ".5",
        "0x1F", "012",   "2024-01-01", "12:30", "a: b",     "a #b",      "#c",         "- d",  "-e", "?q",  "@x", "`t`",
        "'s'",  "\"d\"", "[x]",        "{y}",   "*ref",     "&a",        "!tag",       "%p",   "|p", ">p",  "<<", "=",
        ".inf", "x:",    "tab\there",  "été",   "/usr/bin", "~/.ssh/id", "plain words"}) {
    strings.push_back(s);
  }
  EXPECT_EQ(round_trip(strings), strings);
  EXPECT_EQ(yaml_string("plain words"), "plain words");
  EXPECT_EQ(yaml_string("yes"), "\"yes\"");
}

TEST(YamlText, MultiLineStringsBecomeExactLiteralBlocks) {
  ordered_json v = {{"one", "a\nb\n"},      {"none", "a\nb"},         {"keep", "a\n\n\n"}, {"inner", "a\n\n  b\n"},
                    {"leading", "\n\nx\n"}, {"indented", "  x\ny\n"}, {"cr", "a\r\nb\n"}};
  EXPECT_EQ(round_trip(v), v);
  std::string text = to_yaml(v);
  EXPECT_NE(text.find("one: |\n  a\n  b\n"), std::string::npos);
  EXPECT_NE(text.find("none: |-\n"), std::string::npos);
  EXPECT_NE(text.find("keep: |+\n"), std::string::npos);
}

TEST(YamlText, NestedStructuresAndScalarsKeepTypesAndOrder) {
  ordered_json v = ordered_json::parse(R"({"z": 1, "a": [1, -2.5, true, null, "x",
      {"k": "v", "l": [[1, 2], [], {}], "m": {"deep": "text\nlines\n"}}], "empty": {}, "none": [],
      "odd key: x": {"1": "number-like key"}})");
  EXPECT_EQ(round_trip(v), v);
  EXPECT_EQ(to_yaml(v).substr(0, 5), "z: 1\n");
  EXPECT_EQ(to_yaml(ordered_json::array({1, "a"})), "- 1\n- a\n");
  EXPECT_EQ(to_yaml("scalar"), "scalar\n");
}

TEST(YamlText, ParseErrorsNameTheLine) {
  auto bad = parse_yaml("a: 1\nb: [\n", "file.yml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where.rfind("file.yml:", 0), 0u);
}

TemplateSource source(const std::string& name, const char* items) {
  return {name, "plugin " + name + " 1.0", name + ".keys:KEYS", ordered_json::parse(items), ""};
}

TEST(ChoboloTemplate, DeepMergeReportsRootKeysDefinedTwice) {
  std::vector<TemplateSource> sources = {
      source("a", R"([{"users": {"alice": {"shell": "bash"}}, "only_a": 1}])"),
      source("b", R"([{"users": {"alice": {"uid": 1}, "bob": {}}}, {"users": {"carol": {}}}])"),
  };
  MergedTemplate m = merge_templates(sources);
  EXPECT_EQ(m.data, ordered_json::parse(
                        R"({"users": {"alice": {"shell": "bash", "uid": 1}, "bob": {}, "carol": {}}, "only_a": 1})"));
  ASSERT_EQ(m.warnings.size(), 1u);  // once per key and plugin, not per item
  EXPECT_NE(m.warnings[0].find("root key `users` is defined by `a` (plugin a 1.0, a.keys:KEYS) and by `b`"),
            std::string::npos);
  std::string yaml = template_yaml(m, sources);
  EXPECT_NE(yaml.find("# Keys for a, from plugin a 1.0\n# `users` is also set by b (merged)\nusers:"),
            std::string::npos);
}

TEST(ChoboloTemplate, LaterValuesReplaceNonMappings) {
  MergedTemplate m =
      merge_templates({source("a", R"([{"x": [1, 2], "y": {"k": 1}}])"), source("b", R"([{"x": [3], "y": "flat"}])")});
  EXPECT_EQ(m.data, ordered_json::parse(R"({"x": [3], "y": "flat"})"));
}

TEST(ChoboloTemplate, ItemsThatAreNotMappingsAreSkippedWithAWarning) {
  MergedTemplate m = merge_templates({source("a", R"([{"x": 1}, "oops", [1]])"), source("b", R"({"x": 1})")});
  EXPECT_EQ(m.data, ordered_json::parse(R"({"x": 1})"));
  ASSERT_EQ(m.warnings.size(), 3u);
  EXPECT_NE(m.warnings[0].find("item 2 of template `a`"), std::string::npos);
  EXPECT_NE(m.warnings[2].find("template `b` (plugin b 1.0, b.keys:KEYS) is a mapping, not a list"), std::string::npos);
}

TEST(ChoboloTemplate, FleetIsWrittenWithItsCommentsUnlessAPluginAlsoSetsIt) {
  TemplateSource fleet = fleet_template();
  ASSERT_EQ(fleet.items.size(), 1u);
  const auto& block = fleet.items[0]["fleet"];
  EXPECT_EQ(block["parallelism"], 0);
  EXPECT_EQ(block["hosts"], ordered_json::parse(R"({"@local": {}})"));
  EXPECT_TRUE(block["boats"].is_array());
  EXPECT_TRUE(block["restrictions"].contains("allow_list"));

  std::vector<TemplateSource> sources = {source("a", R"([{"a": 1}])"), fleet};
  std::string yaml = template_yaml(merge_templates(sources), sources);
  EXPECT_NE(yaml.find("# How many hosts pyinfra works on at once"), std::string::npos);
  EXPECT_EQ(parse_yaml(yaml, "t").value()["fleet"], block);

  sources.push_back(source("c", R"([{"fleet": {"parallelism": 4}}])"));
  MergedTemplate merged = merge_templates(sources);
  std::string overridden = template_yaml(merged, sources);
  EXPECT_EQ(overridden.find("# How many hosts"), std::string::npos);
  EXPECT_EQ(parse_yaml(overridden, "t").value()["fleet"]["parallelism"], 4);
  EXPECT_EQ(parse_yaml(overridden, "t").value(), merged.data);
}

TEST(ScaffoldNames, DefaultsFromTheDistributionName) {
  auto n = scaffold_names("chaos-web-dirs", "", "");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->package, "chaos_web_dirs");
  EXPECT_EQ(n->role, "web-dirs");
  EXPECT_EQ(n->alias, "wd");
  EXPECT_EQ(n->chobolo_key, "web_dirs_dirs");
  EXPECT_EQ(n->role_class, "WebDirs");
  EXPECT_EQ(n->explain_class, "WebDirsExplain");
  EXPECT_EQ(n->keys_object, "web_dirs_keys");
  auto plugin = scaffold_names("My.Chaos_Plugin", "", "");
  ASSERT_TRUE(plugin.ok());
  EXPECT_EQ(plugin->package, "my_chaos_plugin");
  EXPECT_EQ(plugin->role, "my-chaos");
  auto single = scaffold_names("nginx", "", "");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->alias, "ng");
  auto tiny = scaffold_names("ab", "", "");
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->alias, "ab-alias");
}

TEST(ScaffoldNames, RejectsNamesThatCannotWork) {
  EXPECT_FALSE(scaffold_names("-bad", "", "").ok());
  EXPECT_FALSE(scaffold_names("9lives", "", "").ok());
  EXPECT_FALSE(scaffold_names("import", "", "").ok());
  EXPECT_FALSE(scaffold_names("chaos", "", "").ok());
  EXPECT_FALSE(scaffold_names("ok", "a.b", "").ok());
  EXPECT_FALSE(scaffold_names("ok", "Upper", "").ok());
  EXPECT_FALSE(scaffold_names("ok", "role", "role").ok());
  EXPECT_TRUE(scaffold_names("ok", "1st-role", "").ok());
}

TEST(PluginScaffold, EveryPlaceholderIsFilled) {
  auto n = scaffold_names("acme-web", "", "");
  ASSERT_TRUE(n.ok());
  auto files = plugin_scaffold(*n);
  ASSERT_EQ(files.size(), 6u);
  for (const auto& f : files) EXPECT_EQ(f.content.find("{{"), std::string::npos) << f.path;
  EXPECT_EQ(files[0].path, "pyproject.toml");
  EXPECT_NE(files[0].content.find("acme-web = \"acme_web.roles:AcmeWeb\""), std::string::npos);
  EXPECT_NE(files[0].content.find("aw = \"acme-web\""), std::string::npos);
  EXPECT_NE(files[0].content.find("packages = [\"src/acme_web\"]"), std::string::npos);
  EXPECT_NE(files[5].content.find("def explain_acme_web(self"), std::string::npos);
}

TEST(UserFile, NeverReplacesWithoutOverwrite) {
  ScratchDir dir;
  std::string path = dir / "sub/ch-obolo.yml";
  EXPECT_TRUE(write_user_file(path, "first\n", false).has_value());  // no such directory
  ASSERT_FALSE(make_directories(dir / "sub").has_value());
  ASSERT_FALSE(write_user_file(path, "first\n", false).has_value());
  auto again = write_user_file(path, "second\n", false);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(is_exists_error(*again));
  EXPECT_EQ(*read_file(path), "first\n");
  ASSERT_FALSE(write_user_file(path, "third\n", true).has_value());
  EXPECT_EQ(*read_file(path), "third\n");
  EXPECT_EQ(list_directory(dir / "sub").size(), 1u);  // no temporary left behind
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
}

}  // namespace
}  // namespace chaos
