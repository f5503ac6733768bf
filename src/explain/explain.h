#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "explain/builtin_topics.h"
#include "plugins/explain_method.h"
#include "plugins/manifest.h"
#include "plugins/plugin_index.h"
#include "util/error.h"

namespace chaos {

// What `chaos explain` was asked: `topic`, `topic.sub` or `topic.list`.
struct TopicQuery {
  std::string text;  // as written
  std::string topic;
  std::string sub;  // empty for the topic itself
  bool list = false;
};

// One dot at most, no empty parts.
Result<TopicQuery> parse_topic_query(std::string_view text);

struct Explanation {
  TopicQuery query;
  std::string origin;  // "built-in", or the plugin distribution's name
  std::string entry_point;
  bool is_list = false;
  std::vector<std::string> subtopics;  // for .list
  ordered_json content;                // the explanation dict
};

// Where topics come from. Plugin topics are named by the index (no Python needed); their
// content is in the manifest, which may have failed to load (then `manifest_error` says why).
struct TopicSources {
  const PluginIndex* index = nullptr;
  const Manifest* manifest = nullptr;
  std::optional<Error> manifest_error;
};

// True when answering `query` needs the plugin manifest (a plugin registers the topic; a
// plugin topic takes precedence over a built-in one of the same name).
bool needs_manifest(const TopicQuery& query, const PluginIndex& index);

// Built-in and plugin topic names, sorted, without repeats.
std::vector<std::string> available_topics(const PluginIndex* index);

Result<Explanation> resolve_topic(const TopicQuery& query, const TopicSources& sources, const std::string& complexity);

}  // namespace chaos
