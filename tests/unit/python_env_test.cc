#include "plugins/python_env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>

#include "test_support.h"

namespace chaos {
namespace {

// A real virtual environment (without pip: fast) whose import path the cache must track.
class PythonEnvCache : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = run_capture({"python3", "-m", "venv", "--without-pip", dir / "venv"});
    ASSERT_TRUE(made.ok() && made->status.exited_with(0)) << (made.ok() ? made->err : made.error().message);
    ::setenv("CHAOS_PYTHON", (dir / "venv/bin/python").c_str(), 1);
    paths.cache_dir = dir / "cache";
  }
  void TearDown() override { ::unsetenv("CHAOS_PYTHON"); }

  PythonEnv resolve() {
    auto env = resolve_python_env(paths, GlobalConfig{}, false);
    EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().message);
    return env.ok() ? *env : PythonEnv{};
  }
  std::string site_packages() {
    for (const auto& s : resolve().site_dirs) {
      if (s.find(dir.path()) == 0) return s;
    }
    return "";
  }

  testing::ScratchDir dir;
  Paths paths;
};

TEST_F(PythonEnvCache, AsksTheInterpreterOnceThenUsesTheCache) {
  PythonEnv first = resolve();
  EXPECT_FALSE(first.from_cache);
  EXPECT_EQ(first.source, "CHAOS_PYTHON");
  EXPECT_TRUE(first.is_virtualenv);
  PythonEnv second = resolve();
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(second.sys_path, first.sys_path);
}

TEST_F(PythonEnvCache, ANewPthFileChangesTheImportPath) {
  std::string site = site_packages();
  ASSERT_FALSE(site.empty());
  testing::write(dir / "extra/marker", "");
  testing::write(join_path(site, "extra.pth"), dir / "extra" + "\n");
  PythonEnv env = resolve();
  EXPECT_FALSE(env.from_cache);
  EXPECT_NE(std::find(env.sys_path.begin(), env.sys_path.end(), dir / "extra"), env.sys_path.end());
}

TEST_F(PythonEnvCache, InstallingAPackageKeepsTheCachedPath) {
  std::string site = site_packages();
  testing::install_dist(site, "plugin", "1.0", "[chaos.roles]\nr = p:r\n");
  EXPECT_TRUE(resolve().from_cache);  // the directory changed, its .pth files did not
  EXPECT_TRUE(resolve().from_cache);
}

}  // namespace
}  // namespace chaos
