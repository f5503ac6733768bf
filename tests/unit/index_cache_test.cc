#include "plugins/index_cache.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace chaos {
namespace {

PluginIndex sample_index(const std::vector<PathEntry>& path) {
  PluginIndex index;
  index.path = path;
  index.distributions.push_back(
      {"odd\tname", "1.0", "/site/odd.dist-info", "python", "/site/odd/entry_points.txt", -1});
  index.distributions.push_back({"copy", "0.9", "/other/copy.dist-info", "python", "", 0});
  index.registrations.push_back({Group::roles, "role\\with\nnewline", "mod:attr", 0, 3});
  index.registrations.push_back({Group::aliases, "a", "b c", 0, 7});
  index.problems.push_back({"duplicate", "chaos.roles:x", "message with\ttab\r\n"});
  return index;
}

TEST(IndexCache, RoundTripsEveryFieldIncludingEscapes) {
  testing::ScratchDir dir;
  std::vector<PathEntry> path = {{dir.path(), "python"}};
  PluginIndex index = sample_index(path);
  std::string text = serialize_index_cache(index, {{dir.path(), stamp_of(dir.path())}});
  PluginIndex loaded;
  ASSERT_EQ(parse_index_cache(text, path, loaded), CacheVerdict::current);
  EXPECT_TRUE(loaded.from_cache);
  ASSERT_EQ(loaded.distributions.size(), 2u);
  EXPECT_EQ(loaded.distributions[0].name, "odd\tname");
  EXPECT_EQ(loaded.distributions[1].shadowed_by, 0);
  ASSERT_EQ(loaded.registrations.size(), 2u);
  EXPECT_EQ(loaded.registrations[0].name, "role\\with\nnewline");
  EXPECT_EQ(loaded.registrations[0].line, 3);
  EXPECT_EQ(loaded.registrations[1].group, Group::aliases);
  EXPECT_EQ(loaded.registrations[1].value, "b c");
  ASSERT_EQ(loaded.problems.size(), 1u);
  EXPECT_EQ(loaded.problems[0].message, "message with\ttab\r\n");
}

TEST(IndexCache, ChangedStampMakesItStale) {
  testing::ScratchDir dir;
  std::vector<PathEntry> path = {{dir.path(), "python"}};
  FileStamp old = stamp_of(dir.path());
  old.mtime_ns -= 1;
  std::string text = serialize_index_cache(sample_index(path), {{dir.path(), old}});
  PluginIndex loaded;
  EXPECT_EQ(parse_index_cache(text, path, loaded), CacheVerdict::stale);
}

TEST(IndexCache, DifferentSearchPathIsStale) {
  std::vector<PathEntry> path = {{"/a", "python"}, {"/b", "python"}};
  std::string text = serialize_index_cache(sample_index(path), {});
  PluginIndex loaded;
  EXPECT_EQ(parse_index_cache(text, {{"/a", "python"}}, loaded), CacheVerdict::stale);
  EXPECT_EQ(parse_index_cache(text, {{"/a", "python"}, {"/b", "CHAOS_PLUGIN_DIR"}}, loaded), CacheVerdict::stale);
  EXPECT_EQ(parse_index_cache(text, path, loaded), CacheVerdict::current);
}

TEST(IndexCache, CutOrForeignFilesAreDamaged) {
  std::vector<PathEntry> path = {{"/a", "python"}};
  std::string text = serialize_index_cache(sample_index(path), {});
  PluginIndex loaded;
  EXPECT_EQ(parse_index_cache(text.substr(0, text.size() - 4), path, loaded), CacheVerdict::damaged);
  EXPECT_EQ(parse_index_cache("{\"format\": 1}\n", path, loaded), CacheVerdict::damaged);
  EXPECT_EQ(parse_index_cache("", path, loaded), CacheVerdict::damaged);
  std::string bad_reference = text;
  bad_reference.replace(bad_reference.find("R\t0\t0"), 5, "R\t0\t9");
  EXPECT_EQ(parse_index_cache(bad_reference, path, loaded), CacheVerdict::damaged);
  std::string bad_group = text;
  bad_group.replace(bad_group.find("R\t0\t0"), 5, "R\t42\t0");
  EXPECT_EQ(parse_index_cache(bad_group, path, loaded), CacheVerdict::damaged);
}

}  // namespace
}  // namespace chaos
