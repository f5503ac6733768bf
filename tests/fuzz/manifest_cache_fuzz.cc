// The plugin manifest cache readers (manifest/summary.json, fingerprint, parts/KEY.json,
// parts/KEY.bodies.json) and the decoding of a manifest reply, on any bytes.
//
// One input is a cache directory: up to five pieces separated by `--file--` lines, namely
// summary.json, part, bodies, the role host's reply (JSON) and one byte of options. `@KEY@`
// and `@FP@` stand for the part key and fingerprint the fixed index below has, so the corpus
// gets past the key checks.
#include "fuzz_support.h"
#include "plugins/manifest.h"

namespace {

std::string substitute(std::string text, const std::string& key, const std::string& fingerprint) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"@KEY@", key}, {"@FP@", fingerprint}}) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  }
  return text;
}

const chaos::PluginIndex& fixed_index() {
  using namespace chaos;
  static const PluginIndex index = [] {
    PluginIndex i;
    i.distributions.push_back({"fuzzplug", "1.0", "/nonexistent/fuzzplug-1.0.dist-info", "python",
                               "/nonexistent/fuzzplug-1.0.dist-info/entry_points.txt", -1});
    i.registrations.push_back({Group::explanations, "topic", "fuzzplug.explain:Topic", 0, 1});
    i.registrations.push_back({Group::templates, "tmpl", "fuzzplug.keys:TEMPLATE", 0, 2});
    i.registrations.push_back({Group::roles, "role", "fuzzplug.roles:Role", 0, 3});
    return i;
  }();
  return index;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  const PluginIndex& index = fixed_index();
  const std::string environment = "fuzz";
  ManifestPlan plan = plan_manifest(index, environment);
  const std::string& key = plan.parts.at(0).key;
  auto pieces = fuzz::split_files(fuzz::as_text(data, size), 5);
  for (auto& piece : pieces) piece = substitute(piece, key, plan.fingerprint);
  const std::string cache_dir = join_path(fuzz::scratch_dir(), "cache");
  const std::string dir = join_path(cache_dir, "manifest");
  fuzz::put_file("cache/manifest/summary.json", pieces[0]);
  fuzz::put_file("cache/manifest/fingerprint", plan.fingerprint);
  fuzz::put_file("cache/manifest/parts/" + key + ".json", pieces[1]);
  fuzz::put_file("cache/manifest/parts/" + key + ".bodies.json", pieces[2]);
  const std::string& reply_text = pieces[3];
  unsigned options = pieces[4].empty() ? 0 : static_cast<unsigned char>(pieces[4][0]);

  ManifestOptions opts;
  opts.cache_dir = cache_dir;
  opts.environment = environment;
  opts.cached_only = options & 1;
  opts.only_named = options & 2;
  opts.topics = {"topic"};
  opts.templates = {"tmpl"};
  ManifestHostCall host = [&](const ordered_json&) -> Result<ordered_json> {
    ordered_json reply = ordered_json::parse(reply_text, nullptr, false);
    if (reply.is_discarded()) return Error("the fuzzed host said no");
    return reply;
  };
  auto manifest = load_manifest(index, opts, host);
  if (!manifest) return 0;
  for (const auto& topic : manifest->topics) {
    for (const char* method : {"topic", "other"}) {
      for (const char* complexity : {"basic", "advanced"}) (void)read_explanation(*manifest, topic, method, complexity);
    }
  }
  for (const auto& keys : manifest->keys) (void)read_keys_value(*manifest, keys);
  (void)manifest_problems(*manifest);
  return 0;
}
