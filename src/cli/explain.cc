// chaos explain TOPIC...: explanations of roles (from plugins, through the cached manifest)
// and of chaos itself (built in). Each topic is answered on its own: the ones that resolve are
// shown even when others fail, and the exit status is 1 if any failed.
#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "context/plugin_manifest.h"
#include "explain/explain.h"
#include "explain/pager.h"
#include "explain/render.h"
#include "util/text.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

struct ExplainOptions {
  std::vector<std::string> topics;
  std::string details = "basic";
  std::string complexity = "basic";
  bool no_pretty = false;
  bool json = false;
};

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

  // A plugin may replace a built-in topic, so plugins are always looked up (natively: Python
  // starts only for a plugin topic whose manifest is not cached). Built-in topics still need no
  // plugin environment: a discovery error only stops the topics that are not built in.
  TopicSources sources;
  std::optional<Error> index_error;
  std::optional<Manifest> manifest;
  const auto* index = &ctx.plugin_index();
  if (index && *index) {
    sources.index = &**index;
  } else if (index) {
    index_error = index->error();
  }
  if (sources.index && std::any_of(queries.begin(), queries.end(),
                                   [&](const TopicQuery& q) { return needs_manifest(q, *sources.index); })) {
    ManifestOptions request;
    request.only_named = true;
    for (const auto& q : queries) request.topics.push_back(q.topic);
    auto loaded = load_plugin_manifest(ctx, request);
    if (loaded) {
      manifest = std::move(*loaded);
      sources.manifest = &*manifest;
    } else {
      sources.manifest_error = loaded.error();
    }
  }

  std::vector<Explanation> results;
  for (const auto& q : queries) {
    if (index_error && !is_builtin_topic(q.topic)) {
      Error e = *index_error;
      e.message = "cannot look up topic `" + q.topic + "` in plugins: " + e.message;
      ctx.print_error(e);
      ++failures;
      continue;
    }
    auto r = resolve_topic(q, sources, opts.complexity);
    if (r) {
      results.push_back(std::move(*r));
    } else {
      ctx.print_error(r.error());
      ++failures;
    }
  }

  if (opts.no_pretty || opts.json) {
    ordered_json data;
    if (opts.topics.size() == 1) {
      if (!results.empty()) data = data_of(results.front());
    } else {
      data = ordered_json::object();
      for (const auto& r : results) data[r.query.text] = data_of(r);
    }
    if (!results.empty() || opts.topics.size() > 1) {
      std::string text =
          opts.json ? data.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n" : to_yaml(data);
      std::fputs(text.c_str(), stdout);
    }
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

}  // namespace

void add_explain_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<ExplainOptions>();
  const std::vector<std::string> levels = {"basic", "intermediate", "advanced"};
  CLI::App* cmd = app.add_subcommand("explain", "Explain a role, a plugin topic or a chaos concept");
  cmd->add_option("topics", opts->topics,
                  "TOPIC, TOPIC.SUBTOPIC or TOPIC.list; several may be given (none: list the topics)");
  cmd->add_option("-d,--details", opts->details, "Which parts to show (default: basic)")->check(CLI::IsMember(levels));
  cmd->add_option("-c,--complexity", opts->complexity, "Complexity asked of the explanation (default: basic)")
      ->check(CLI::IsMember(levels));
  cmd->add_flag("-n,--no-pretty", opts->no_pretty, "Print the explanation as YAML, unfiltered");
  cmd->add_flag("-j,--json", opts->json, "Print JSON instead (implies -n)");
  const std::string builtins = join(builtin_topic_names());
  cmd->footer(R"(Topics:
  built in      )" +
              builtins + R"(
  from plugins  one per `chaos.explain` entry point: `chaos check explanations`

Examples:
  chaos explain                         the topics there are
  chaos explain my-role                 what a role is, does, and why
  chaos explain my-role.list            its sub-topics
  chaos explain my-role.usage -d advanced
  chaos explain apply fleet.hosts       several topics at once
  chaos explain my-role.usage -n -j     the raw explanation as JSON

-d filters what is shown: basic = concept, what, why, how, examples, security;
intermediate adds commands and equivalent scripts; advanced shows everything (technical,
validation, files, learn_more). -c is passed to the explanation method, which may write a
simpler or a more thorough text. In `topic.sub`, a hyphen stands for an underscore in the
method name (`demo.layout-rules` reads explain_layout_rules). On a terminal, long output goes
through $PAGER (default `less -RFX`).

Exit status: 0 when every topic was shown, 1 when one could not be (each is reported).)");
  cmd->callback([&ctx, &exit_code, opts] { exit_code = run_explain(ctx, *opts); });
}

}  // namespace chaos
