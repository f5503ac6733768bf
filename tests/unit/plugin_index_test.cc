#include "plugins/plugin_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "test_support.h"

namespace chaos {
namespace {

using testing::install_dist;
using testing::ScratchDir;
using testing::write;

TEST(PluginIndex, FindsRegistrationsOfEveryGroup) {
  ScratchDir dir;
  install_dist(dir / "site", "everything", "1.0",
               "[chaos.roles]\nr = p:r\n[chaos.aliases]\na = r\n[chaos.explain]\ne = p:E\n[chaos.keys]\nk = p:k\n"
               "[chaos.providers]\npv = p:P\n[chaos.boats]\nb = p:B\n[chaos.limanis]\nl = p:L\n[chaos.isles]\ni = p:I\n"
               "[console_scripts]\nnot-ours = p:main\n");
  PluginIndex index = build_plugin_index({{dir / "site", "python"}});
  ASSERT_EQ(index.distributions.size(), 1u);
  EXPECT_EQ(index.distributions[0].name, "everything");
  EXPECT_EQ(index.distributions[0].version, "1.0");
  EXPECT_EQ(index.registrations.size(), 8u);
  for (const auto& g : all_groups()) EXPECT_EQ(index.names(g.group).size(), 1u) << g.check_name;
  EXPECT_TRUE(index.problems.empty());
}

TEST(PluginIndex, IgnoresDistributionsWithoutChaosEntryPoints) {
  ScratchDir dir;
  install_dist(dir / "site", "unrelated", "2.0", "[console_scripts]\nx = y:z\n");
  install_dist(dir / "site", "plain", "1.0", "");
  PluginIndex index = build_plugin_index({{dir / "site", "python"}});
  EXPECT_TRUE(index.distributions.empty());
  EXPECT_TRUE(index.registrations.empty());
}

TEST(PluginIndex, FirstDistributionOfANameOnThePathWins) {
  ScratchDir dir;
  install_dist(dir / "first", "plugin", "2.0", "[chaos.roles]\nnew-role = p:new\n");
  install_dist(dir / "second", "Plugin", "1.0", "[chaos.roles]\nold-role = p:old\n");
  PluginIndex index = build_plugin_index({{dir / "first", "CHAOS_PLUGIN_DIR"}, {dir / "second", "python"}});
  ASSERT_EQ(index.distributions.size(), 2u);
  EXPECT_EQ(index.distributions[1].shadowed_by, 0);
  EXPECT_EQ(index.names(Group::roles), std::vector<std::string>{"new-role"});
  // A shadowed copy registering other names is not a duplicate: it is simply not used.
  EXPECT_TRUE(index.problems.empty());
}

TEST(PluginIndex, SameNameFromTwoPluginsIsReportedAndTheFirstIsUsed) {
  ScratchDir dir;
  install_dist(dir / "site", "alpha", "1.0", "[chaos.roles]\nshared = alpha.roles:run\n");
  install_dist(dir / "later", "beta", "1.0", "[chaos.roles]\nshared = beta.roles:run\n");
  PluginIndex index = build_plugin_index({{dir / "site", "python"}, {dir / "later", "python"}});
  const Registration* r = index.find(Group::roles, "shared");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->value, "alpha.roles:run");
  ASSERT_EQ(index.problems.size(), 1u);
  EXPECT_EQ(index.problems[0].kind, "duplicate");
  EXPECT_NE(index.problems[0].message.find("alpha"), std::string::npos);
  EXPECT_NE(index.problems[0].message.find("beta"), std::string::npos);
}

TEST(PluginIndex, BrokenEntryPointsFileIsReportedWithItsPath) {
  ScratchDir dir;
  install_dist(dir / "site", "broken", "1.0", "[chaos.roles]\nno equals sign here\n");
  install_dist(dir / "site", "fine", "1.0", "[chaos.roles]\nfine-role = fine:run\n");
  PluginIndex index = build_plugin_index({{dir / "site", "python"}});
  EXPECT_EQ(index.names(Group::roles), std::vector<std::string>{"fine-role"});
  ASSERT_EQ(index.problems.size(), 1u);
  EXPECT_EQ(index.problems[0].kind, "broken-entry-points");
  EXPECT_EQ(index.problems[0].where, dir / "site/broken-1.0.dist-info/entry_points.txt:2");
}

TEST(PluginIndex, TargetThatIsNotModuleAttributeIsReported) {
  ScratchDir dir;
  install_dist(dir / "site", "sloppy", "1.0", "[chaos.roles]\nbad = not a target\n[chaos.aliases]\nok = bad\n");
  PluginIndex index = build_plugin_index({{dir / "site", "python"}});
  ASSERT_EQ(index.problems.size(), 1u);
  EXPECT_EQ(index.problems[0].kind, "bad-target");
}

TEST(PluginIndex, ReadsEggInfoAndMissingPathEntries) {
  ScratchDir dir;
  write(dir / "site/legacy.egg-info/entry_points.txt", "[chaos.roles]\nlegacy = legacy:run\n");
  write(dir / "site/legacy.egg-info/PKG-INFO", "Metadata-Version: 1.1\nName: legacy\nVersion: 0.3\n");
  PluginIndex index = build_plugin_index({{dir / "does-not-exist", "python"}, {dir / "site", "python"}});
  ASSERT_EQ(index.distributions.size(), 1u);
  EXPECT_EQ(index.distributions[0].version, "0.3");
  EXPECT_EQ(index.names(Group::roles), std::vector<std::string>{"legacy"});
}

TEST(PluginSearchPath, DevWheelsThenUserDirThenSystemDirThenPython) {
  ScratchDir dir;
  write(dir / "dev/b.whl", "");
  write(dir / "dev/a.whl", "");
  write(dir / "dev/notes.txt", "");
  write(dir / "user/u.whl", "");
  Paths paths;
  paths.dev_path = dir / "dev";
  paths.user_plugin_dir = dir / "user";
  paths.system_plugin_dir = dir / "no-system-dir";
  PythonEnv env;
  env.sys_path = {"/usr/lib/python3.11", "/venv/site-packages"};
  auto path = plugin_search_path(paths, env);
  std::vector<std::string> got;
  for (const auto& e : path) got.push_back(e.path);
  EXPECT_EQ(got, (std::vector<std::string>{dir / "dev/a.whl", dir / "dev/b.whl", dir / "user", dir / "user/u.whl",
                                           "/usr/lib/python3.11", "/venv/site-packages"}));
  EXPECT_EQ(path[0].origin, "CHAOS_DEV_PATH");
  EXPECT_EQ(path[2].origin, "CHAOS_PLUGIN_DIR");
  EXPECT_EQ(path[4].origin, "python");
}

class PluginIndexCache : public ::testing::Test {
 protected:
  void SetUp() override {
    paths.cache_dir = dir / "cache";
    paths.user_plugin_dir = dir / "no-user-dir";
    paths.system_plugin_dir = dir / "no-system-dir";
    env.sys_path = {dir / "site"};
    install_dist(dir / "site", "plugin", "1.0", "[chaos.roles]\none = p:one\n");
  }
  PluginIndex load(bool refresh = false) {
    warning.clear();
    return load_plugin_index(paths, env, refresh, warning);
  }
  ScratchDir dir;
  Paths paths;
  PythonEnv env;
  std::string warning;
};

TEST_F(PluginIndexCache, SecondLoadComesFromTheCache) {
  EXPECT_FALSE(load().from_cache);
  PluginIndex again = load();
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(again.names(Group::roles), std::vector<std::string>{"one"});
  EXPECT_EQ(again.distributions[0].version, "1.0");
  EXPECT_TRUE(warning.empty());
}

TEST_F(PluginIndexCache, RefreshRebuilds) {
  (void)load();
  EXPECT_FALSE(load(/*refresh=*/true).from_cache);
}

TEST_F(PluginIndexCache, InstallingAPluginIsSeenAtOnce) {
  (void)load();
  install_dist(dir / "site", "newcomer", "1.0", "[chaos.roles]\ntwo = n:two\n");
  PluginIndex index = load();
  EXPECT_FALSE(index.from_cache);
  EXPECT_EQ(index.names(Group::roles), (std::vector<std::string>{"one", "two"}));
}

TEST_F(PluginIndexCache, RemovingAPluginIsSeenAtOnce) {
  (void)load();
  ASSERT_TRUE(run_capture({"rm", "-rf", dir / "site/plugin-1.0.dist-info"}).ok());
  EXPECT_TRUE(load().names(Group::roles).empty());
}

TEST_F(PluginIndexCache, EditingEntryPointsInPlaceIsSeen) {
  (void)load();
  std::string file = dir / "site/plugin-1.0.dist-info/entry_points.txt";
  // Same size, so only the modification time tells them apart; make sure it moves.
  ::usleep(20000);
  write(file, "[chaos.roles]\nuno = p:one\n");
  EXPECT_EQ(load().names(Group::roles), std::vector<std::string>{"uno"});
}

TEST_F(PluginIndexCache, UnreadableCacheIsRebuiltWithAWarning) {
  (void)load();
  write(dir / "cache/plugin-index.cache", "{ this is not json");
  PluginIndex index = load();
  EXPECT_FALSE(index.from_cache);
  EXPECT_NE(warning.find("could not be read"), std::string::npos);
  EXPECT_EQ(index.names(Group::roles), std::vector<std::string>{"one"});
  EXPECT_TRUE(load().from_cache);  // and it was rewritten
}

TEST_F(PluginIndexCache, CacheWithWrongShapeIsRebuilt) {
  (void)load();
  write(dir / "cache/plugin-index.cache", R"({"format": 1, "path": [], "stamps": 3})");
  EXPECT_FALSE(load().from_cache);
  write(dir / "cache/plugin-index.cache", "[1, 2]");
  EXPECT_FALSE(load().from_cache);
}

TEST_F(PluginIndexCache, ADifferentImportPathIsADifferentIndex) {
  (void)load();
  install_dist(dir / "other-site", "other", "1.0", "[chaos.roles]\nelsewhere = o:e\n");
  env.sys_path = {dir / "other-site"};
  EXPECT_EQ(load().names(Group::roles), std::vector<std::string>{"elsewhere"});
}

}  // namespace
}  // namespace chaos
