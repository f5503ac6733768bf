// Checked decoding of what chaos reads from files it does not control (issue 8, item 11): plugin
// metadata that is not UTF-8, cache and history files with wrongly typed fields, config keys of
// the wrong kind. Each of these crashed (abort, assertion or uncaught exception) before.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/global_config.h"
#include "host/output_lines.h"
#include "plugins/entry_points.h"
#include "plugins/manifest.h"
#include "plugins/plugin_index.h"
#include "plugins/python_env.h"
#include "records/history.h"
#include "test_support.h"
#include "util/utf8.h"

namespace chaos {
namespace {

using testing::ScratchDir;

TEST(Utf8, TellsWellFormedFromBrokenAndEscapesOnlyTheBrokenBytes) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // cut short
  EXPECT_EQ(escape_invalid_utf8("caf\xc3\xa9\xff!"), "caf\xc3\xa9\\xff!");
  EXPECT_TRUE(is_valid_utf8(escape_invalid_utf8("\xed\xa0\x80\xc0")));
}

TEST(EntryPointsUtf8, ALineThatIsNotUtf8IsAProblemShownEscaped) {
  auto parsed = parse_entry_points("[chaos.roles]\nok = a.b:C\nbad\xff = a.b:D\n[chaos.\xfe]\nx = a:b\n");
  ASSERT_EQ(parsed.entries.size(), 1u);
  EXPECT_EQ(parsed.entries[0].name, "ok");
  ASSERT_EQ(parsed.problems.size(), 2u);
  EXPECT_EQ(parsed.problems[0].line, 3);
  EXPECT_NE(parsed.problems[0].message.find("bad\\xff = a.b:D"), std::string::npos) << parsed.problems[0].message;
  EXPECT_EQ(parsed.problems[1].line, 4);
}

// The index names the file, and everything it holds can be put into JSON (what `check plugins
// --json` and the manifest request to the role host do).
TEST(EntryPointsUtf8, TheIndexNamesTheFileAndStaysJsonSafe) {
  ScratchDir dir;
  std::string site = dir / "site";
  testing::install_dist(site, "plug", "1.0", "[chaos.roles]\nr\xe9le = plug.roles:R\ngood = plug.roles:G\n");
  testing::write(join_path(site, "plug-1.0.dist-info/METADATA"), "Name: pl\xffug\nVersion: 1.\xfe\n\n");
  testing::write(join_path(site, "bad\xff-1.0.dist-info/entry_points.txt"), "[chaos.roles]\nx = a:b\n");
  PluginIndex index = build_plugin_index({{site, "python"}});
  ASSERT_EQ(index.registrations.size(), 1u);
  EXPECT_EQ(index.registrations[0].name, "good");
  nlohmann::json all = nlohmann::json::array();
  bool named_file = false, named_dir = false;
  for (const auto& p : index.problems) {
    all.push_back({p.kind, p.where, p.message});
    if (p.where == join_path(site, "plug-1.0.dist-info/entry_points.txt:2")) {
      named_file = true;
      EXPECT_NE(p.message.find("pl\\xffug: "), std::string::npos) << p.message;
      EXPECT_NE(p.message.find("r\\xe9le"), std::string::npos) << p.message;
    }
    if (p.where == site + "/bad\\xff-1.0.dist-info") named_dir = true;
  }
  EXPECT_TRUE(named_file);
  EXPECT_TRUE(named_dir);
  for (const auto& d : index.distributions) all.push_back({d.name, d.version, d.metadata_dir});
  EXPECT_NO_THROW((void)all.dump());
}

TEST(PythonEnvCacheDecoding, WronglyTypedFieldsAreAMissNotACrash) {
  const nlohmann::json identity = {{"interpreter", "/usr/bin/python3"}};
  nlohmann::json good = {{"format", 2},
                         {"identity", identity},
                         {"version", "3.11.2"},
                         {"prefix", "/usr"},
                         {"venv", false},
                         {"path", nlohmann::json::array({"/usr/lib/python3.11"})},
                         {"site_dirs", nlohmann::json::array({"/nonexistent/site"})},
                         {"site_dir_stamps", nlohmann::json::array({{false, false, 0, 0, 0}})},
                         {"pth", nlohmann::json::array({{"/nonexistent/site", nlohmann::json::array()}})}};
  PythonEnv env;
  ASSERT_TRUE(python_env_from_cache(good.dump(), identity, "", env));
  EXPECT_EQ(env.version, "3.11.2");
  // Each of these threw, asserted or read out of bounds in the reader before.
  for (auto [pointer, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"/pth/0", nlohmann::json::array({"/nonexistent/site"})},
           {"/pth/0", 5},
           {"/pth/0/1", nlohmann::json::array({nlohmann::json::array({"x.pth"})})},
           {"/pth/0/1", nlohmann::json::array({nlohmann::json::array({7, {false, false, 0, 0, 0}})})},
           {"/site_dir_stamps", "none"},
           {"/venv", "yes"},
           {"/path", {1, 2}},
           {"/format", "2"},
           {"/version", nullptr}}) {
    nlohmann::json bad = good;
    bad[nlohmann::json::json_pointer(pointer)] = value;
    PythonEnv miss;
    EXPECT_FALSE(python_env_from_cache(bad.dump(), identity, "", miss)) << pointer << " = " << value.dump();
  }
  // A damaged directory stamp only sends the reader to compare the .pth files themselves.
  nlohmann::json odd_stamp = good;
  odd_stamp["site_dir_stamps"][0] = {"yes", false, 0, 0, 0};
  PythonEnv slow;
  EXPECT_TRUE(python_env_from_cache(odd_stamp.dump(), identity, "", slow));
  PythonEnv miss;
  EXPECT_FALSE(python_env_from_cache("[1, 2]", identity, "", miss));
  EXPECT_FALSE(python_env_from_cache("{\"format\": 2e400}", identity, "", miss));
}

TEST(HistoryDecoding, AWronglyTypedRecordIsDamagedNotReturned) {
  ScratchDir dir;
  testing::write(history_file(dir.path()),
                 "{\"started\":\"2026-01-01T00:00:00Z\",\"exit_code\":0,\"counts\":{\"changed\":1}}\n"
                 "{\"exit_code\":\"0\"}\n"
                 "{\"counts\":[]}\n"
                 "{\"counts\":{\"failed\":1.5e300}}\n"
                 "{\"exit_code\":1e300}\n"
                 "{\"tags\":\"users\"}\n"
                 "{\"dry\":1}\n");
  size_t damaged = 0;
  auto records = read_history(dir.path(), 10, damaged);
  EXPECT_EQ(damaged, 6u);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].value("exit_code", 1), 0);
}

TEST(ConfigDecoding, AnAliasNameThatIsNotAWordIsAnErrorNamingItsLine) {
  ScratchDir dir;
  std::string path = dir / "config.yml";
  testing::write(path, "aliases:\n  base: users\n  ? [a, b]\n  : c\n");
  auto config = load_global_config(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("alias name"), std::string::npos) << config.error().message;
  EXPECT_EQ(config.error().where, path + ":3:5");
}

class ManifestCacheDecoding : public ::testing::Test {
 protected:
  void SetUp() override {
    // Not under the scratch directory: the part key includes the stamp of the nearest existing
    // parent, and writing the cache would change it.
    index.distributions.push_back({"plug", "1.0", "/nonexistent/plug-1.0.dist-info", "python", "", -1});
    index.registrations.push_back({Group::explanations, "topic", "plug.x:T", 0, 1});
    index.registrations.push_back({Group::roles, "role", "plug.x:R", 0, 2});
    options.cache_dir = dir / "cache";
    options.environment = "env";
    plan = plan_manifest(index, options.environment);
  }
  std::string part_path(const char* suffix) { return dir / ("cache/manifest/parts/" + plan.parts[0].key + suffix); }

  ScratchDir dir;
  PluginIndex index;
  ManifestOptions options;
  ManifestPlan plan;
  int host_calls = 0;
  ManifestHostCall host = [this](const ordered_json&) -> Result<ordered_json> {
    ++host_calls;
    return ordered_json{{"explain", {{"topic", {{"ok", true}, {"main", "topic"}, {"explanations", {}}}}}},
                        {"roles", {{"role", {{"ok", true}, {"kind", "class"}, {"name", "role"}}}}}};
  };
};

// A summary or part someone edited (or another version wrote) is re-read from the host.
TEST_F(ManifestCacheDecoding, WronglyTypedCacheFilesAreReReadNotACrash) {
  const std::string key = plan.parts[0].key;
  for (const std::string& summary : std::vector<std::string>{
           std::string("{\"format\":\"2\"}"),
           "{\"format\":2,\"fingerprint\":5,\"explain\":[],\"keys\":[],\"roles\":[]}",
           "{\"format\":2,\"fingerprint\":\"" + plan.fingerprint + "\",\"explain\":[1],\"keys\":[],\"roles\":[]}",
           "{\"format\":2,\"fingerprint\":\"" + plan.fingerprint +
               "\",\"explain\":[{\"name\":\"topic\",\"has_order\":\"yes\",\"order\":3}],\"keys\":[],\"roles\":[]}",
       }) {
    testing::write(dir / "cache/manifest/summary.json", summary);
    testing::write(dir / "cache/manifest/fingerprint", "x");
    testing::write(part_path(".json"),
                   "{\"format\":2,\"key\":\"" + key + "\",\"explain\":[7],\"keys\":[],\"roles\":[null]}");
    testing::write(part_path(".bodies.json"), "{\"format\":1e999,\"key\":[],\"bodies\":{}}");
    for (bool cached_only : {true, false}) {
      options.cached_only = cached_only;
      Result<Manifest> m = Error("not loaded");
      ASSERT_NO_THROW(m = load_manifest(index, options, host)) << summary;
      ASSERT_TRUE(m.ok()) << m.error().message;
      for (const auto& t : m->topics) ASSERT_NO_THROW((void)read_explanation(*m, t, "topic", "basic"));
    }
  }
  // Read again from the host each time the summary was unusable; the last summary is well formed
  // and current, so its entries are used and the damaged part only fails the body read above.
  EXPECT_EQ(host_calls, 3);
}

TEST_F(ManifestCacheDecoding, AWronglyTypedPartIsNotUsedByNamedReads) {
  testing::write(dir / "cache/manifest/fingerprint", plan.fingerprint);
  testing::write(part_path(".json"), "{\"format\":2,\"key\":\"" + plan.parts[0].key +
                                         "\",\"explain\":[{\"name\":\"topic\",\"order\":{},\"has_order\":1}],"
                                         "\"keys\":[],\"roles\":[{\"tag\":\"role\",\"needs_secrets\":\"no\"}]}");
  testing::write(part_path(".bodies.json"), "{}");
  options.only_named = true;
  options.cached_only = true;
  options.topics = {"topic"};
  Result<Manifest> m = Error("not loaded");
  ASSERT_NO_THROW(m = load_manifest(index, options, host));
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->topics.size(), 1u);
  EXPECT_FALSE(m->topics[0].has_order);
  EXPECT_TRUE(m->topics[0].order.empty());
  EXPECT_NO_THROW((void)read_explanation(*m, m->topics[0], "topic", "basic"));
}

TEST(OutputLines, KeepsTheLastLinesAndThePartialOneWithBoundedLength) {
  std::string partial;
  std::deque<std::string> tail;
  add_output_lines("one\ntw", partial, tail, 2);
  add_output_lines("o\nthr", partial, tail, 2);
  add_output_lines("ee\nfour", partial, tail, 2);
  EXPECT_EQ(tail, (std::deque<std::string>{"two", "three"}));
  EXPECT_EQ(partial, "four");
  // A line without end, in many small pieces, keeps only its start.
  partial.clear();
  for (int i = 0; i < 100000; ++i) add_output_lines("0123456789", partial, tail, 2);
  EXPECT_EQ(partial.size(), kMaxKeptLineBytes);
  add_output_lines("end\n\n", partial, tail, 2);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].size(), kMaxKeptLineBytes);
  EXPECT_EQ(tail[1], "");
}

TEST(RunCapture, OutputPastTheCapStopsTheChildWithAnError) {
  RunOptions options;
  options.max_output = 1 << 20;
  auto run = run_capture({"head", "-c", "20000000", "/dev/zero"}, options);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("printed more than 1048576 bytes"), std::string::npos) << run.error().message;
  auto small = run_capture({"head", "-c", "1000", "/dev/zero"}, options);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->out.size(), 1000u);
}

}  // namespace
}  // namespace chaos
