// chaos completion SHELL, and the hidden chaos __complete -- WORDS... that its scripts call.
// The engine is completion/'s; what lives here is where each dynamic value comes from, which
// joins the plugin index, aliases, the manifest and the built-in topics of several command
// folders: cli/ is the one folder that may see them all.
#include <algorithm>
#include <cstdio>

#include "cli/commands.h"
#include "completion/completion.h"
#include "context/plugin_manifest.h"
#include "explain/builtin_topics.h"
#include "explain/explain.h"
#include "plugins/aliases.h"

namespace chaos {
namespace {

struct CompleteOptions {
  std::string shell = "bash";
  std::vector<std::string> words;
};

CompletionSources sources_for(Context& ctx) {
  CompletionSources s;
  s.tags = [&ctx] {
    std::vector<Candidate> out;
    const auto& index = ctx.plugin_index();
    if (!index) return out;
    for (const auto* r : index->in_group(Group::roles)) {
      if (std::none_of(out.begin(), out.end(), [&](const Candidate& c) { return c.value == r->name; })) {
        out.push_back({r->name, "role from " + index->owner(*r).name});
      }
    }
    const auto& config = ctx.config();
    if (!config) return out;
    for (const auto& a : merge_aliases(*index, *config).aliases) {
      out.push_back({a.name, "alias for " + a.text});
    }
    return out;
  };
  s.topics = [&ctx](std::string_view current) {
    std::vector<Candidate> out;
    const auto& index = ctx.plugin_index();
    const PluginIndex* idx = index ? &*index : nullptr;
    size_t dot = current.find('.');
    std::string topic(current.substr(0, dot));
    // Sub-topics are wanted once the topic is written out in full.
    bool want_subtopics = dot != std::string_view::npos;
    if (!want_subtopics) {
      for (const auto& name : available_topics(idx)) {
        bool from_plugin = idx && idx->find(Group::explanations, name);
        out.push_back({name, from_plugin ? "topic from " + idx->owner(*idx->find(Group::explanations, name)).name
                                         : "about chaos itself"});
        if (name == current) want_subtopics = true;
      }
    }
    if (!want_subtopics) return out;
    std::vector<std::string> subs;
    if (idx && idx->find(Group::explanations, topic)) {
      ManifestOptions request;
      request.cached_only = true;
      request.only_named = true;
      request.topics = {topic};
      auto manifest = load_plugin_manifest(ctx, request);
      if (manifest) {
        if (const ExplainTopic* t = manifest->topic(topic)) subs = t->listed_subtopics();
      }
    } else if (is_builtin_topic(topic)) {
      if (auto b = builtin_topic(topic)) subs = b->order;
    } else {
      return out;
    }
    subs.push_back("list");
    for (const auto& sub : subs) out.push_back({topic + "." + sub, sub == "list" ? "the sub-topics" : ""});
    return out;
  };
  s.templates = [&ctx] {
    std::vector<Candidate> out;
    const auto& index = ctx.plugin_index();
    if (index) {
      for (const auto& name : index->names(Group::templates)) {
        out.push_back({name, "keys from " + index->owner(*index->find(Group::templates, name)).name});
      }
    }
    if (std::none_of(out.begin(), out.end(), [](const Candidate& c) { return c.value == "fleet"; })) {
      out.push_back({"fleet", "a commented fleet block"});
    }
    return out;
  };
  return s;
}

}  // namespace

void define_completion_command(CLI::App* cmd, Context&, int& exit_code) {
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "The shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer(R"(Completes commands, options, role tags and aliases, explanation topics and sub-topics,
and template names, from the cached plugin index and manifest (no Python is started).

Install:
  bash  echo 'source <(chaos completion bash)' >> ~/.bashrc
  zsh   echo 'source <(chaos completion zsh)' >> ~/.zshrc      (after compinit)
  fish  chaos completion fish > ~/.config/fish/completions/chaos.fish)");
  cmd->callback([shell, &exit_code] {
    std::fputs(completion_script(*shell).c_str(), stdout);
    exit_code = kExitOk;
  });
}

void define_complete_command(CLI::App* complete, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<CompleteOptions>();
  complete->add_option("--shell", opts->shell, "bash, zsh or fish");
  complete->add_option("words", opts->words, "The command line up to the cursor, the program first");
  // The whole command line is completed against the root of the table this command is in.
  CLI::App* root = complete->get_parent();
  complete->callback([root, &ctx, &exit_code, opts] {
    Completion c = complete_command_line(*root, opts->words, sources_for(ctx));
    std::fputs(format_completion(c, opts->shell).c_str(), stdout);
    exit_code = kExitOk;
  });
}

}  // namespace chaos
