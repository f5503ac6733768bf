#include "explain/explain.h"

#include <gtest/gtest.h>

#include <set>

#include "explain/render.h"

namespace chaos {
namespace {

TEST(TopicQuery, ParsesTopicSubAndList) {
  auto q = parse_topic_query("my-role");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->topic, "my-role");
  EXPECT_TRUE(q->sub.empty());
  q = parse_topic_query("my-role.usage");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->sub, "usage");
  q = parse_topic_query("my-role.list");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->list);
  EXPECT_TRUE(q->sub.empty());
}

TEST(TopicQuery, RejectsMoreThanOneDotAndEmptyParts) {
  for (const char* bad : {"a.b.c", "a..b", ".b", "a.", ""}) {
    EXPECT_FALSE(parse_topic_query(bad).ok()) << bad;
  }
  EXPECT_NE(parse_topic_query("a.b.c").error().message.find("more than one dot"), std::string::npos);
}

TEST(TopicQuery, HyphenStandsForUnderscore) { EXPECT_EQ(method_suffix("layout-rules"), "layout_rules"); }

TEST(BuiltinTopics, EveryTopicParsesAndItsOrderMatchesItsSections) {
  for (const auto& name : builtin_topic_names()) {
    auto topic = builtin_topic(name);
    ASSERT_TRUE(topic.ok()) << name << ": " << topic.error().message << " " << topic.error().where;
    ASSERT_NE(topic->section(""), nullptr) << name;
    std::set<std::string> sections;
    for (const auto& [key, value] : topic->sections) {
      if (key != name) sections.insert(key);
      for (const char* level : {"basic", "intermediate", "advanced"}) {
        ordered_json e = BuiltinTopic::at_complexity(value, level);
        EXPECT_TRUE(e.contains("concept") && e.contains("what")) << name << "." << key;
        EXPECT_FALSE(e.contains("advanced") || e.contains("intermediate")) << name << "." << key;
      }
    }
    EXPECT_EQ(sections, std::set<std::string>(topic->order.begin(), topic->order.end())) << name;
  }
}

TEST(BuiltinTopics, OverlaysReplaceKeysAtHigherComplexities) {
  ordered_json raw = ordered_json::parse(R"({"what": "base", "intermediate": {"what": "mid", "how": "h"},
                                             "advanced": {"technical": "t"}})");
  EXPECT_EQ(BuiltinTopic::at_complexity(raw, "basic"), ordered_json::parse(R"({"what": "base"})"));
  EXPECT_EQ(BuiltinTopic::at_complexity(raw, "intermediate")["what"], "mid");
  ordered_json advanced = BuiltinTopic::at_complexity(raw, "advanced");
  EXPECT_EQ(advanced["what"], "mid");
  EXPECT_EQ(advanced["technical"], "t");
}

TEST(ResolveTopic, BuiltinSubtopicsListsAndErrors) {
  TopicSources none;
  auto r = resolve_topic(*parse_topic_query("plugins.role_class"), none, "basic");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->content["concept"], "Role classes");
  EXPECT_EQ(r->origin, "built-in");
  auto list = resolve_topic(*parse_topic_query("fleet.list"), none, "basic");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->is_list);
  EXPECT_EQ(list->subtopics.front(), "hosts");
  auto missing = resolve_topic(*parse_topic_query("fleet.nope"), none, "basic");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("topic `fleet` has no sub-topic `nope`"), std::string::npos);
  EXPECT_NE(missing.error().hint.find("hosts, groups, connectors, ssh"), std::string::npos);
  auto unknown = resolve_topic(*parse_topic_query("zzz"), none, "basic");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().hint.find("apply, boats, chaos, explain, fleet, plugins, records, secrets"),
            std::string::npos);
}

TEST(ResolveTopic, PluginTopicWithoutManifestReportsWhy) {
  PluginIndex index;
  index.distributions.push_back({"plug", "1", "", "python", "", -1});
  index.registrations.push_back({Group::explanations, "apply", "p:E", 0, 1});
  TopicSources sources;
  sources.index = &index;
  sources.manifest_error = Error("host died", "/venv/bin/python");
  // A plugin topic named like a built-in one replaces it.
  auto r = resolve_topic(*parse_topic_query("apply"), sources, "basic");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot show topic `apply`: host died");
  EXPECT_EQ(r.error().where, "/venv/bin/python");
}

TEST(Render, DetailLevelsNestAndKeepHowAndConcept) {
  const auto& basic = keys_for_details("basic");
  const auto& intermediate = keys_for_details("intermediate");
  const auto& advanced = keys_for_details("advanced");
  EXPECT_NE(std::find(basic.begin(), basic.end(), "how"), basic.end());
  EXPECT_NE(std::find(intermediate.begin(), intermediate.end(), "concept"), intermediate.end());
  for (const auto& k : basic) EXPECT_NE(std::find(intermediate.begin(), intermediate.end(), k), intermediate.end());
  for (const auto& k : intermediate) EXPECT_NE(std::find(advanced.begin(), advanced.end(), k), advanced.end());
  EXPECT_EQ(advanced.size(), 12u);
}

TEST(Render, WrapsToWidthAndKeepsLongWordsWhole) {
  auto lines = wrap_text("one two three four five six seven eight nine ten", 20);
  ASSERT_GT(lines.size(), 1u);
  for (const auto& l : lines) EXPECT_LE(l.size(), 20u) << l;
  auto long_word = wrap_text("a /a/very/long/path/that/does/not/fit/anywhere b", 20);
  EXPECT_EQ(long_word[1], "/a/very/long/path/that/does/not/fit/anywhere");
}

TEST(Render, MarkdownListsCodeAndInlineMarkers) {
  Painter plain(false);
  std::string out =
      render_markdown("Intro text.\n\n- first item\n  continues\n- `second`\n\n```yaml\na: 1\n```\n", 60, 2, plain);
  EXPECT_EQ(out, "  Intro text.\n\n  • first item continues\n  • `second`\n\n    a: 1\n");
  std::string coloured = render_markdown("use `chaos apply` **now**", 60, 0, Painter(true));
  EXPECT_NE(coloured.find("\x1b[36mchaos\x1b[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[1mnow\x1b[0m"), std::string::npos);
  EXPECT_EQ(render_markdown("a lone ` backtick", 60, 0, plain), "a lone ` backtick\n");
}

TEST(Render, CodeIsHighlightedOnlyWithColour) {
  std::string yaml = "# comment\nkey: value\nlist:\n  - 1\n";
  EXPECT_EQ(render_code(yaml, "yaml", 2, Painter(false)), "  # comment\n  key: value\n  list:\n    - 1\n");
  std::string coloured = render_code(yaml, "yaml", 0, Painter(true));
  EXPECT_NE(coloured.find("\x1b[2m# comment"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[36mkey\x1b[0m:"), std::string::npos);
  std::string shell = render_code("sudo chaos apply -y 'x' # go", "shell", 0, Painter(true));
  EXPECT_NE(shell.find("\x1b[32mchaos\x1b[0m"), std::string::npos);
  EXPECT_NE(shell.find("\x1b[36m-y\x1b[0m"), std::string::npos);
  EXPECT_NE(shell.find("\x1b[33m'x'\x1b[0m"), std::string::npos);
  EXPECT_NE(shell.find("\x1b[2m# go"), std::string::npos);
}

TEST(Render, ExplanationSectionsInOrderWithSecurityFrameAndHints) {
  Explanation e;
  e.query = *parse_topic_query("t.sub");
  e.origin = "plug";
  e.content = ordered_json::parse(R"({"security": "careful", "how": "like this", "what": "does",
    "concept": "Big idea", "technical": "deep", "whay": "typo", "examples": [{"yaml": "a: 1"}]})");
  RenderOptions o;
  std::string out = render_explanation(e, o, Painter(false));
  EXPECT_LT(out.find("Big idea"), out.find("What it does"));
  EXPECT_LT(out.find("What it does"), out.find("How it works"));
  EXPECT_LT(out.find("How it works"), out.find("Examples"));
  EXPECT_NE(out.find("┌─ Security"), std::string::npos);
  EXPECT_NE(out.find("│ careful"), std::string::npos);
  EXPECT_EQ(out.find("deep"), std::string::npos);
  EXPECT_EQ(out.find("typo"), std::string::npos);
  EXPECT_NE(out.find("More with -d advanced: technical."), std::string::npos);
  o.details = "advanced";
  EXPECT_NE(render_explanation(e, o, Painter(false)).find("Technical details\n  deep"), std::string::npos);
}

}  // namespace
}  // namespace chaos
