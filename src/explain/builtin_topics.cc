#include "explain/builtin_topics.h"

#include <algorithm>

#include "util/embedded.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

// Each topic is one YAML file in src/explain/topics/, compiled in (util/embedded.h): `order`
// lists the sub-topics, `sections` holds the topic's
// own explanation (under its name) and one per sub-topic. Keys follow the explanation schema
// (concept, what, why, how, technical, validation, examples, equivalent, files, commands,
// learn_more, security); `intermediate:` and `advanced:` replace keys at those complexities.

// "apply.yaml" -> "apply".
std::string_view topic_name(const EmbeddedFile& file) {
  std::string_view name = file.path;
  return name.substr(0, name.rfind('.'));
}

const EmbeddedFile* find_topic(std::string_view name) {
  for (const auto& file : embedded_explain_topics()) {
    if (topic_name(file) == name) return &file;
  }
  return nullptr;
}

}  // namespace

const ordered_json* BuiltinTopic::section(const std::string& sub) const {
  auto it = sections.find(sub.empty() ? name : sub);
  return it == sections.end() ? nullptr : &it->second;
}

ordered_json BuiltinTopic::at_complexity(const ordered_json& raw, std::string_view complexity) {
  ordered_json out = ordered_json::object();
  for (const auto& [key, value] : raw.items()) {
    if (key != "intermediate" && key != "advanced") out[key] = value;
  }
  auto overlay = [&](const char* level) {
    if (raw.contains(level) && raw[level].is_object()) {
      for (const auto& [key, value] : raw[level].items()) out[key] = value;
    }
  };
  if (complexity == "intermediate" || complexity == "advanced") overlay("intermediate");
  if (complexity == "advanced") overlay("advanced");
  return out;
}

const std::vector<std::string>& builtin_topic_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& file : embedded_explain_topics()) out.emplace_back(topic_name(file));
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

bool is_builtin_topic(std::string_view name) { return find_topic(name) != nullptr; }

Result<BuiltinTopic> builtin_topic(std::string_view name) {
  const EmbeddedFile* file = find_topic(name);
  if (!file) return Error("no built-in topic `" + std::string(name) + "`");
  auto data = parse_yaml(std::string(file->data), "built-in topic " + std::string(name));
  if (!data) return data.error();
  BuiltinTopic topic;
  topic.name = std::string(name);
  for (const auto& sub : data->value("order", ordered_json::array())) topic.order.push_back(sub.get<std::string>());
  const ordered_json sections = data->value("sections", ordered_json::object());
  for (const auto& [key, value] : sections.items()) topic.sections[key] = value;
  return topic;
}

}  // namespace chaos
