#include "explain/explain.h"
#include "util/text.h"

#include <algorithm>
#include <set>

namespace chaos {
namespace {

std::string subtopics_hint(const std::string& topic, const std::vector<std::string>& subtopics) {
  if (subtopics.empty()) return "`" + topic + "` has no sub-topics; run `chaos explain " + topic + "`";
  return "available sub-topics of `" + topic + "`: " + join(subtopics);
}

// Built-in sections are written with hyphens; users may type underscores as for plugins.
bool same_subtopic(std::string_view a, std::string_view b) { return method_suffix(a) == method_suffix(b); }

Result<Explanation> resolve_builtin(const TopicQuery& query, const std::string& complexity) {
  auto topic = builtin_topic(query.topic);
  if (!topic) return topic.error();
  Explanation out{query, "built-in", "", false, {}, ordered_json::object()};
  if (query.list) {
    out.is_list = true;
    out.subtopics = topic->order;
    return out;
  }
  const ordered_json* raw = nullptr;
  if (query.sub.empty()) {
    raw = topic->section("");
  } else {
    for (const auto& [name, section] : topic->sections) {
      if (name != topic->name && same_subtopic(name, query.sub)) raw = &section;
    }
  }
  if (!raw) {
    return Error("topic `" + query.topic + "` has no sub-topic `" + query.sub + "`", "built-in topic " + query.topic,
                 subtopics_hint(query.topic, topic->order));
  }
  out.content = BuiltinTopic::at_complexity(*raw, complexity);
  return out;
}

Error plugin_error(const ExplainTopic& t, const ManifestError& e, const std::string& what) {
  return Error(what + ": " + e.message, e.locate(t.entry_point, t.plugin),
               "fix the plugin, or reinstall it; `chaos check plugins` lists every problem found");
}

Result<Explanation> resolve_plugin(const TopicQuery& query, const TopicSources& sources,
                                   const std::string& complexity) {
  if (!sources.manifest) {
    Error e = sources.manifest_error.value_or(Error("plugin metadata is not available"));
    e.message = "cannot show topic `" + query.topic + "`: " + e.message;
    return e;
  }
  const ExplainTopic* t = sources.manifest->topic(query.topic);
  if (!t) {
    return Error("plugin metadata has no topic `" + query.topic + "`", "",
                 "run `chaos -u explain " + query.text + "` to re-read installed plugins");
  }
  if (t->error && t->error->error_kind() == ErrorKind::host_unavailable) {
    return Error("cannot show topic `" + t->name + "`: " + t->error->message,
                 t->error->where.empty() ? t->entry_point : t->error->where, t->error->hint);
  }
  if (t->error) return plugin_error(*t, *t->error, "the explanation class of topic `" + t->name + "` failed");
  Explanation out{query, t->plugin, t->entry_point, false, {}, ordered_json::object()};
  if (query.list) {
    out.is_list = true;
    out.subtopics = t->listed_subtopics();
    return out;
  }
  std::string method;
  if (query.sub.empty()) {
    if (!t->main) {
      return Error("topic `" + t->name + "` has no explanation of its own (its class has no method explain_" +
                       method_suffix(t->name) + ")",
                   t->entry_point + " (plugin " + t->plugin + ")", subtopics_hint(t->name, t->listed_subtopics()));
    }
    method = *t->main;
  } else {
    method = method_suffix(query.sub);
    bool known = std::find(t->subtopics.begin(), t->subtopics.end(), method) != t->subtopics.end() ||
                 (t->main && *t->main == method);
    if (!known) {
      return Error("topic `" + t->name + "` has no sub-topic `" + query.sub + "` (no method explain_" + method + ")",
                   t->entry_point + " (plugin " + t->plugin + ")", subtopics_hint(t->name, t->listed_subtopics()));
    }
  }
  auto content = read_explanation(*sources.manifest, *t, method, complexity);
  if (!content) return content.error();
  out.content = std::move(*content);
  return out;
}

}  // namespace

Result<TopicQuery> parse_topic_query(std::string_view text) {
  TopicQuery q;
  q.text = std::string(text);
  size_t dot = text.find('.');
  if (dot != std::string_view::npos && text.find('.', dot + 1) != std::string_view::npos) {
    return Error("`" + q.text + "` has more than one dot", "",
                 "write TOPIC, TOPIC.SUBTOPIC or TOPIC.list, e.g. `chaos explain " +
                     std::string(text.substr(0, text.find('.', dot + 1))) + "`");
  }
  q.topic = std::string(text.substr(0, dot));
  if (dot != std::string_view::npos) q.sub = std::string(text.substr(dot + 1));
  if (q.topic.empty() || (dot != std::string_view::npos && q.sub.empty())) {
    return Error("`" + q.text + "` is not a topic", "", "write TOPIC, TOPIC.SUBTOPIC or TOPIC.list");
  }
  if (q.sub == "list") {
    q.list = true;
    q.sub.clear();
  }
  return q;
}

bool needs_manifest(const TopicQuery& query, const PluginIndex& index) {
  return index.find(Group::explanations, query.topic) != nullptr;
}

std::vector<std::string> available_topics(const PluginIndex* index) {
  std::set<std::string> names(builtin_topic_names().begin(), builtin_topic_names().end());
  if (index) {
    for (auto& n : index->names(Group::explanations)) names.insert(std::move(n));
  }
  return {names.begin(), names.end()};
}

Result<Explanation> resolve_topic(const TopicQuery& query, const TopicSources& sources, const std::string& complexity) {
  if (sources.index && needs_manifest(query, *sources.index)) return resolve_plugin(query, sources, complexity);
  if (is_builtin_topic(query.topic)) return resolve_builtin(query, complexity);
  return Error("no explanation for topic `" + query.topic + "`", "",
               "available topics: " + join(available_topics(sources.index)));
}

}  // namespace chaos
