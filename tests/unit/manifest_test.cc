#include "plugins/manifest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "test_support.h"

namespace chaos {
namespace {

using testing::install_dist;
using testing::ScratchDir;

// A role host stand-in: answers manifest requests from canned entries and records them.
struct FakeHost {
  std::vector<ordered_json> requests;
  bool fail = false;

  static ordered_json explain_entry(const std::string& target, const std::string& main) {
    return {{"ok", true},
            {"entry_point", target},
            {"order", {"usage"}},
            {"main", main},
            {"subtopics", {"usage", "x_y"}},
            {"explanations",
             {{main, {{"basic", {{"what", main + " basic"}}}, {"advanced", {{"what", main + " advanced"}}}}},
              {"usage", {{"basic", {{"what", "usage"}}}}},
              {"x_y", {{"basic", {{"what", "xy"}}}}}}},
            {"errors",
             {{{"kind", "explain_method"},
               {"message", "RuntimeError: later"},
               {"method", "explain_usage"},
               {"complexity", "advanced"},
               {"traceback", "Traceback:\n  File \"/p/plug/explain.py\", line 7, in explain_usage\nRuntimeError"}}}}};
  }

  ManifestHostCall call() {
    return [this](const ordered_json& params) -> Result<ordered_json> {
      requests.push_back(params);
      if (fail) return Error("host died");
      ordered_json reply = {
          {"explain", ordered_json::object()}, {"keys", ordered_json::object()}, {"roles", ordered_json::object()}};
      for (const auto& [name, spec] : params["explain"].items()) {
        std::string main = name;
        std::replace(main.begin(), main.end(), '-', '_');
        reply["explain"][name] = explain_entry(spec["target"], main);
      }
      for (const auto& [name, spec] : params["keys"].items()) {
        if (name == "broken") {
          reply["keys"][name] = {{"ok", false}, {"error", {{"kind", "not_a_list"}, {"message", "is a dict"}}}};
        } else {
          reply["keys"][name] = {{"ok", true}, {"entry_point", spec["target"]}, {"value", {{{name, {1, 2}}}}}};
        }
      }
      for (const auto& [name, spec] : params["roles"].items()) {
        reply["roles"][name] = {{"ok", true},
                                {"tag", name},
                                {"kind", "class"},
                                {"name", "Nice " + name},
                                {"needs_secrets", true},
                                {"necessary_secret_dict_keys", {"users"}},
                                {"necessary_chobolo_keys", {"users"}}};
      }
      return reply;
    };
  }
};

struct Env {
  ScratchDir dir;
  std::string site = dir / "site";

  void install(const std::string& name, const std::string& version, const std::string& entry_points) {
    install_dist(site, name, version, entry_points);
  }
  PluginIndex index() const { return build_plugin_index({{site, "python"}}); }
  ManifestOptions options() const {
    ManifestOptions o;
    o.cache_dir = dir / "cache";
    o.environment = "python3.11";
    return o;
  }
};

TEST(Fingerprint, IsStableHexAndSensitive) {
  EXPECT_EQ(fingerprint_of("abc"), fingerprint_of("abc"));
  EXPECT_NE(fingerprint_of("abc"), fingerprint_of("abd"));
  EXPECT_EQ(fingerprint_of("").size(), 16u);
  EXPECT_EQ(fingerprint_of(""), "cbf29ce484222325");  // FNV-1a offset basis: the empty input
}

TEST(PlanManifest, GroupsWinningRegistrationsByDistribution) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\na = a:E\n[chaos.aliases]\nx = a\n[chaos.roles]\na = a:R\n");
  env.install("beta", "1.0", "[chaos.keys]\nb = b:K\n[chaos.explain]\na = b:E\n");
  PluginIndex index = env.index();
  ManifestPlan plan = plan_manifest(index, "env");
  ASSERT_EQ(plan.parts.size(), 2u);
  size_t alpha = index.distributions[static_cast<size_t>(plan.parts[0].distribution)].name == "alpha" ? 0 : 1;
  const auto& a = plan.parts[alpha];
  const auto& b = plan.parts[1 - alpha];
  EXPECT_EQ(a.roles.size(), 1u);
  EXPECT_EQ(b.keys.size(), 1u);
  // `a` is registered twice as a topic: only the first on the path is read.
  EXPECT_EQ(a.explain.size() + b.explain.size(), 1u);
  EXPECT_NE(a.key, b.key);
}

TEST(PlanManifest, KeyChangesWithVersionEnvironmentAndReinstall) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\na = a:E\n");
  std::string first = plan_manifest(env.index(), "env").parts.at(0).key;
  EXPECT_EQ(plan_manifest(env.index(), "env").parts.at(0).key, first);
  EXPECT_NE(plan_manifest(env.index(), "other-python").parts.at(0).key, first);
  // Same name and version, reinstalled: a new metadata directory (new inode).
  std::string dist_info = env.site + "/alpha-1.0.dist-info";
  ASSERT_EQ(::rename(dist_info.c_str(), (dist_info + ".old").c_str()), 0);
  env.install("alpha", "1.0", "[chaos.explain]\na = a:E\n");
  (void)run_capture({"rm", "-rf", dist_info + ".old"});
  EXPECT_NE(plan_manifest(env.index(), "env").parts.at(0).key, first);
}

TEST(ManifestRequest, NamesTargetsAndPlugins) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\nmy-topic = a.explain:E\n[chaos.keys]\nk = a:K\n");
  PluginIndex index = env.index();
  ManifestPlan plan = plan_manifest(index, "env");
  ordered_json params = manifest_request(index, {&plan.parts[0]});
  EXPECT_EQ(params["explain"]["my-topic"]["target"], "a.explain:E");
  EXPECT_EQ(params["explain"]["my-topic"]["plugin"], "alpha");
  EXPECT_EQ(params["keys"]["k"]["target"], "a:K");
  EXPECT_TRUE(params["roles"].empty());
}

TEST(LoadManifest, ReadsOnceThenServesFromTheCache) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\nmy-topic = a:E\n[chaos.keys]\nk = a:K\n[chaos.roles]\nr = a:R\n");
  FakeHost host;
  auto m = load_manifest(env.index(), env.options(), host.call());
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(host.requests.size(), 1u);
  EXPECT_EQ(m->parts_read_from_host, 1u);
  const ExplainTopic* t = m->topic("my-topic");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->main, "my_topic");
  EXPECT_EQ(t->listed_subtopics(), std::vector<std::string>{"usage"});
  ASSERT_NE(m->role("r"), nullptr);
  EXPECT_EQ(m->role("r")->name, "Nice r");
  EXPECT_TRUE(m->role("r")->needs_secrets);
  EXPECT_EQ(m->role("r")->necessary_secret_dict_keys, std::vector<std::string>{"users"});

  auto again = load_manifest(env.index(), env.options(), host.call());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(host.requests.size(), 1u);  // no second host run
  EXPECT_EQ(again->parts_read_from_host, 0u);
  EXPECT_TRUE(again->current);
  auto basic = read_explanation(*again, *again->topic("my-topic"), "my_topic", "basic");
  ASSERT_TRUE(basic.ok()) << basic.error().message;
  EXPECT_EQ((*basic)["what"], "my_topic basic");
  auto keys = read_keys_value(*again, *again->keys_entry("k"));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, ordered_json::parse(R"([{"k":[1,2]}])"));

  // A part whose explanation bodies were lost is read from the host again.
  const std::string parts = env.options().cache_dir + "/manifest/parts";
  for (const auto& name : list_directory(parts)) {
    if (name.find(".bodies.json") != std::string::npos) (void)::remove((parts + "/" + name).c_str());
  }
  auto third = load_manifest(env.index(), env.options(), host.call());
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(host.requests.size(), 2u);
  auto restored = read_explanation(*third, *third->topic("my-topic"), "my_topic", "basic");
  ASSERT_TRUE(restored.ok()) << restored.error().message;
}

TEST(LoadManifest, OnlyTheChangedPluginIsReadAgain) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\na = a:E\n");
  env.install("beta", "1.0", "[chaos.explain]\nb = b:E\n");
  FakeHost host;
  ASSERT_TRUE(load_manifest(env.index(), env.options(), host.call()).ok());
  (void)run_capture({"rm", "-rf", env.site + "/beta-1.0.dist-info"});
  env.install("beta", "2.0", "[chaos.explain]\nb = b2:E\n");
  auto m = load_manifest(env.index(), env.options(), host.call());
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(host.requests.size(), 2u);
  EXPECT_FALSE(host.requests[1]["explain"].contains("a"));
  EXPECT_EQ(host.requests[1]["explain"]["b"]["target"], "b2:E");
  EXPECT_EQ(m->topic("b")->entry_point, "b2:E");
  EXPECT_NE(m->topic("a"), nullptr);
  // The old part is gone: two files (entries, explanation bodies) per installed plugin.
  EXPECT_EQ(list_directory(env.options().cache_dir + "/manifest/parts").size(), 4u);
}

TEST(LoadManifest, OnlyNamedReadsJustTheirPartsWhenCurrent) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\na = a:E\n");
  env.install("beta", "1.0", "[chaos.explain]\nb = b:E\n[chaos.keys]\nk = b:K\n");
  FakeHost host;
  ManifestOptions named = env.options();
  named.only_named = true;
  named.topics = {"a"};
  // Nothing cached yet: every plugin is read, in one host run.
  auto first = load_manifest(env.index(), named, host.call());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->topics.size(), 2u);
  EXPECT_EQ(host.requests.size(), 1u);
  auto m = load_manifest(env.index(), named, host.call());
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->topics.size(), 1u);
  EXPECT_EQ(m->topics[0].name, "a");
  EXPECT_TRUE(m->keys.empty());
  named.topics.clear();
  named.templates = {"k"};
  m = load_manifest(env.index(), named, host.call());
  ASSERT_TRUE(m.ok());
  ASSERT_NE(m->keys_entry("k"), nullptr);
  EXPECT_TRUE(read_keys_value(*m, *m->keys_entry("k")).ok());
  EXPECT_EQ(host.requests.size(), 1u);
  // Another plugin changed: the summary is brought up to date first (one host run for it).
  env.install("gamma", "1.0", "[chaos.explain]\ng = g:E\n");
  m = load_manifest(env.index(), named, host.call());
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(host.requests.size(), 2u);
  EXPECT_TRUE(host.requests[1]["explain"].contains("g"));
  EXPECT_FALSE(host.requests[1]["explain"].contains("a"));
}

TEST(LoadManifest, CachedOnlyNeverCallsTheHost) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\na = a:E\n");
  FakeHost host;
  ManifestOptions cached = env.options();
  cached.cached_only = true;
  auto none = load_manifest(env.index(), cached, host.call());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->topics.empty());
  EXPECT_FALSE(none->current);
  ASSERT_TRUE(load_manifest(env.index(), env.options(), host.call()).ok());
  env.install("beta", "1.0", "[chaos.explain]\nb = b:E\n");
  auto stale = load_manifest(env.index(), cached, host.call());
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->current);
  EXPECT_NE(stale->topic("a"), nullptr);
  EXPECT_EQ(host.requests.size(), 1u);
}

TEST(LoadManifest, HostFailureMarksUncachedPluginsAndCachesNothing) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\na = a:E\n");
  FakeHost host;
  ASSERT_TRUE(load_manifest(env.index(), env.options(), host.call()).ok());
  env.install("beta", "1.0", "[chaos.explain]\nb = b:E\n[chaos.keys]\nk = b:K\n");
  host.fail = true;
  auto m = load_manifest(env.index(), env.options(), host.call());
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->host_error.has_value());
  EXPECT_EQ(m->host_error->message, "host died");
  // The plugin read before is still served from the cache.
  EXPECT_FALSE(m->topic("a")->error.has_value());
  EXPECT_TRUE(read_explanation(*m, *m->topic("a"), "a", "basic").ok());
  ASSERT_TRUE(m->topic("b")->error.has_value());
  EXPECT_EQ(m->topic("b")->error->kind, "host_unavailable");
  EXPECT_EQ(m->keys_entry("k")->error->message, "host died");
  EXPECT_EQ(m->keys_entry("k")->error->entry_point, "b:K");
  // Nothing about beta was cached: the next run asks the host again.
  host.fail = false;
  auto again = load_manifest(env.index(), env.options(), host.call());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->host_error.has_value());
  EXPECT_FALSE(again->topic("b")->error.has_value());
  EXPECT_EQ(host.requests.size(), 3u);
}

TEST(LoadManifest, NoPluginsNeedsNoHost) {
  Env env;
  FakeHost host;
  auto m = load_manifest(env.index(), env.options(), host.call());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(host.requests.empty());
}

TEST(LoadManifest, EntryErrorsAreKeptAndReported) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\nt = a:E\n[chaos.keys]\nbroken = a:K\n");
  FakeHost host;
  auto m = load_manifest(env.index(), env.options(), host.call());
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->keys_entry("broken")->error.has_value());
  EXPECT_EQ(m->keys_entry("broken")->error->kind, "not_a_list");
  auto failed = read_explanation(*m, *m->topic("t"), "usage", "advanced");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("explain_usage(\"advanced\") failed: RuntimeError: later"), std::string::npos);
  EXPECT_EQ(failed.error().where, "/p/plug/explain.py:7, entry point a:E (plugin alpha)");
  auto problems = manifest_problems(*m);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].kind, "explain-method");
  EXPECT_EQ(problems[1].kind, "keys-broken");
  EXPECT_NE(problems[1].message.find("alpha: template `broken` cannot be used: is a dict"), std::string::npos);
}

TEST(LoadManifest, MissingReplyEntriesBecomeErrors) {
  Env env;
  env.install("alpha", "1.0", "[chaos.explain]\nt = a:E\n[chaos.roles]\nr = a:R\n");
  auto empty_host = [](const ordered_json&) -> Result<ordered_json> { return ordered_json::object(); };
  auto m = load_manifest(env.index(), env.options(), empty_host);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->topic("t")->error.has_value());
  EXPECT_EQ(m->topic("t")->error->kind, "missing");
  EXPECT_EQ(m->role("r")->error->entry_point, "a:R");
}

TEST(ManifestError, SourceLocationIsTheInnermostFrame) {
  ManifestError e;
  e.traceback =
      "Traceback (most recent call last):\n  File \"/a/host.py\", line 3, in run\n"
      "  File \"/site/plug/explain.py\", line 12, in __init__\nValueError: boom";
  EXPECT_EQ(e.source_location(), "/site/plug/explain.py:12");
  e.traceback = "no frames";
  EXPECT_EQ(e.source_location(), "");
}

}  // namespace
}  // namespace chaos
