#include "sops/document.h"

#include "util/utf8.h"

namespace chaos {
namespace {

void walk_paths(const ordered_json& node, const std::string& prefix, std::vector<std::string>& out) {
  if (node.is_object() && !node.empty()) {
    for (const auto& [key, value] : node.items()) walk_paths(value, prefix.empty() ? key : prefix + "." + key, out);
    return;
  }
  if (!prefix.empty()) out.push_back(prefix);
}

void walk_values(const ordered_json& node, std::vector<std::string>& out) {
  if (node.is_structured()) {
    for (const auto& child : node) walk_values(child, out);
  } else if (!node.is_null()) {
    out.push_back(scalar_text(node));
  }
}

}  // namespace

std::string scalar_text(const ordered_json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

Result<SecretsDocument> parse_secrets(std::string text, const std::string& source) {
  // Everything downstream is JSON (the role host's pipe, --json), which holds only UTF-8.
  if (!is_valid_utf8(text)) {
    return Error("the decrypted secrets are not valid UTF-8 text", source,
                 "store binary values base64-encoded in the secrets file");
  }
  auto data = parse_yaml(text, source);
  if (!data) return data.error();
  if (data->is_null()) *data = ordered_json::object();
  if (!data->is_object()) return Error("the decrypted secrets are not a mapping of names to values", source);
  return SecretsDocument{std::move(text), std::move(*data)};
}

const ordered_json* lookup_dot_path(const ordered_json& data, std::string_view path) {
  if (path == ".") return &data;
  const ordered_json* node = &data;
  while (true) {
    auto dot = path.find('.');
    std::string key(path.substr(0, dot));
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string_view::npos) return node;
    path.remove_prefix(dot + 1);
  }
}

std::vector<std::string> secret_key_paths(const ordered_json& data) {
  std::vector<std::string> out;
  walk_paths(data, "", out);
  return out;
}

std::vector<std::string> secret_values(const ordered_json& data) {
  std::vector<std::string> out;
  walk_values(data, out);
  return out;
}

}  // namespace chaos
