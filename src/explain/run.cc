// explain/: `chaos explain TOPIC...`: explanations of roles (from plugins, through the cached manifest)
// and of chaos itself (built in). Each topic is answered on its own: the ones that resolve are
// shown even when others fail, and the exit status is 1 if any failed.
#include <algorithm>
#include <cstdio>

#include "context/plugin_manifest.h"
#include "explain/explain.h"
#include "explain/render.h"
#include "explain/run.h"
#include "term/pager.h"
#include "util/text.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

ordered_json data_of(const Explanation& e) { return e.is_list ? ordered_json(e.subtopics) : e.content; }

// `chaos explain` alone: what there is to explain. Plugin topics come from the index, so this
// starts no Python process either.
int list_topics(Context& ctx, const ExplainOptions& opts) {
  const auto& builtins = builtin_topic_names();
  std::vector<std::string> from_plugins;
  const auto& index = ctx.plugin_index();
  if (index) {
    from_plugins = index->names(Group::explanations);
  } else {
    ctx.print_warning("plugin topics cannot be listed: " + index.error().message);
  }
  if (opts.json || opts.no_pretty) {
    ordered_json data = {{"builtin", builtins}, {"plugins", from_plugins}};
    std::fputs((opts.json ? data.dump(2) + "\n" : to_yaml(data)).c_str(), stdout);
    return kExitOk;
  }
  auto names = [](const std::vector<std::string>& list) {
    return list.empty() ? std::string("(none installed)") : join(list);
  };
  std::string text = ctx.out(Tone::bold, "Topics") + "\n" + "  built in      " + names(builtins) + "\n" +
                     "  from plugins  " + (index ? names(from_plugins) : "(cannot be listed: see the warning)") +
                     "\n\n" +
                     "chaos explain TOPIC shows one; TOPIC.list its sub-topics. Start with `chaos explain chaos`.\n";
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

// Where topics are looked up. A plugin may replace a built-in topic, so plugins are always
// looked up (natively: Python starts only for a plugin topic whose manifest is not cached).
// Built-in topics still need no plugin environment: a discovery error only stops the topics that
// are not built in.
struct LoadedSources {
  TopicSources sources;
  std::optional<Error> index_error;
  std::optional<Manifest> manifest;
};

void load_sources(Context& ctx, const std::vector<TopicQuery>& queries, LoadedSources& out) {
  const auto& index = ctx.plugin_index();
  if (!index) {
    out.index_error = index.error();
    return;
  }
  out.sources.index = &*index;
  if (std::none_of(queries.begin(), queries.end(), [&](const TopicQuery& q) { return needs_manifest(q, *index); })) {
    return;
  }
  ManifestOptions request;
  request.only_named = true;
  for (const auto& q : queries) request.topics.push_back(q.topic);
  auto loaded = load_plugin_manifest(ctx, request);
  if (loaded) {
    out.manifest = std::move(*loaded);
    out.sources.manifest = &*out.manifest;
  } else {
    out.sources.manifest_error = loaded.error();
  }
}

// --json and -n: one topic's data alone, several under their names.
void print_data(const ExplainOptions& opts, const std::vector<Explanation>& results) {
  ordered_json data;
  if (opts.topics.size() == 1) {
    if (!results.empty()) data = data_of(results.front());
  } else {
    data = ordered_json::object();
    for (const auto& r : results) data[r.query.text] = data_of(r);
  }
  if (results.empty() && opts.topics.size() <= 1) return;
  std::string text =
      opts.json ? data.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n" : to_yaml(data);
  std::fputs(text.c_str(), stdout);
}

}  // namespace

int run_explain(Context& ctx, const ExplainOptions& opts) {
  if (opts.topics.empty()) return list_topics(ctx, opts);
  int failures = 0;
  std::vector<TopicQuery> queries;
  for (const auto& text : opts.topics) {
    auto q = parse_topic_query(text);
    if (q) {
      queries.push_back(std::move(*q));
    } else {
      ctx.print_error(q.error());
      ++failures;
    }
  }
  LoadedSources loaded;
  load_sources(ctx, queries, loaded);
  std::vector<Explanation> results;
  for (const auto& q : queries) {
    if (loaded.index_error && !is_builtin_topic(q.topic)) {
      Error e = *loaded.index_error;
      e.message = "cannot look up topic `" + q.topic + "` in plugins: " + e.message;
      ctx.print_error(e);
      ++failures;
      continue;
    }
    auto r = resolve_topic(q, loaded.sources, opts.complexity);
    if (r) {
      results.push_back(std::move(*r));
    } else {
      ctx.print_error(r.error());
      ++failures;
    }
  }
  if (opts.no_pretty || opts.json) {
    print_data(opts, results);
  } else if (!results.empty()) {
    RenderOptions render{opts.details, opts.complexity, ctx.width};
    std::string text;
    for (const auto& r : results) {
      if (!text.empty()) text += "\n";
      text += r.is_list ? render_subtopic_list(r, ctx.out) : render_explanation(r, render, ctx.out);
    }
    show_paged(text);
  }
  return failures ? kExitFailure : kExitOk;
}

}  // namespace chaos
