// The YAML text editor (util/yaml_edit) on any document and any edit: an error, or a document
// that yaml-cpp reads back holding what was asked at the path, never a crash.
//
// Input: the document, a line `--file--`, then the edit: a first line naming the operation
// (`set`, `plain`, `list`, `add`, `rm`, `del`), a second line with the path (steps separated by
// `/`, a step of digits is a list index), and the value: the rest of the input (for `list`, one
// item per line).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>

#include "fuzz_support.h"
#include "util/yaml_edit.h"

namespace {

using namespace chaos;

YamlPath parse_path(std::string_view text) {
  YamlPath path;
  size_t start = 0;
  while (start <= text.size() && path.size() < 8) {
    size_t slash = text.find('/', start);
    std::string step(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    bool digits = !step.empty() && step.size() < 4 && std::all_of(step.begin(), step.end(), ::isdigit);
    if (digits) {
      path.emplace_back(static_cast<size_t>(std::stoul(step)));
    } else {
      path.emplace_back(step);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return path;
}

// The node at `path`, or an undefined node; never throws for a missing step.
YAML::Node at(const YAML::Node& root, const YamlPath& path) {
  YAML::Node cur = root;
  for (const auto& step : path) {
    if (step.is_index) {
      if (!cur.IsSequence() || step.index >= cur.size()) return YAML::Node(YAML::NodeType::Undefined);
      cur = cur[step.index];
    } else {
      if (!cur.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
      YAML::Node next;
      bool found = false;
      for (const auto& kv : cur) {
        if (kv.first.IsScalar() && kv.first.Scalar() == step.key) {
          next = kv.second;
          found = true;
          break;
        }
      }
      if (!found) return YAML::Node(YAML::NodeType::Undefined);
      cur = next;
    }
  }
  return cur;
}

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    out.emplace_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

std::vector<std::string> csv(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t b = item.find_first_not_of(" \t\n");
    if (b != std::string::npos) out.push_back(item.substr(b, item.find_last_not_of(" \t\n") - b + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool list_holds(const YAML::Node& node, const std::string& item) {
  if (node.IsScalar()) {
    auto items = csv(node.Scalar());
    return std::find(items.begin(), items.end(), item) != items.end();
  }
  if (!node.IsSequence()) return false;
  for (const auto& n : node) {
    if (n.IsScalar() && n.Scalar() == item) return true;
  }
  return false;
}

void check_value(const std::string& op, const YAML::Node& node, const std::string& value) {
  if (op == "set") {
    if (!node.IsScalar() || node.Scalar() != value) std::abort();
  } else if (op == "plain") {
    if (!(node.IsNull() || (node.IsScalar() && node.Scalar() == value))) std::abort();
  } else if (op == "list") {
    auto items = lines(value);
    if (!node.IsSequence() || node.size() != items.size()) std::abort();
    for (size_t i = 0; i < items.size(); ++i) {
      if (!node[i].IsScalar() || node[i].Scalar() != items[i]) std::abort();
    }
  } else if (op == "add") {
    if (!list_holds(node, value)) std::abort();
  } else if (op == "rm") {
    if (list_holds(node, value)) std::abort();
  } else if (op == "del") {
    if (node.IsDefined()) std::abort();
  }
}

Result<YamlEdited> run(const std::string& op, const std::string& doc, const YamlPath& path, const std::string& value) {
  if (op == "set") return yaml_set_scalar(doc, "fuzz.yml", path, YamlScalar::string(value));
  if (op == "plain") return yaml_set_scalar(doc, "fuzz.yml", path, YamlScalar::plain_value(value));
  if (op == "list") return yaml_set_list(doc, "fuzz.yml", path, lines(value));
  if (op == "add") return yaml_list_add(doc, "fuzz.yml", path, value);
  if (op == "rm") return yaml_list_remove(doc, "fuzz.yml", path, value);
  return yaml_remove_key(doc, "fuzz.yml", path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto pieces = fuzz::split_files(fuzz::as_text(data, size), 2);
  const std::string& doc = pieces[0];
  std::string_view edit = pieces[1];
  size_t first = edit.find('\n');
  std::string op(edit.substr(0, first));
  if (op != "set" && op != "plain" && op != "list" && op != "add" && op != "rm" && op != "del") return 0;
  std::string_view rest = first == std::string_view::npos ? std::string_view() : edit.substr(first + 1);
  size_t second = rest.find('\n');
  YamlPath path = parse_path(rest.substr(0, second));
  std::string value(second == std::string_view::npos ? std::string_view() : rest.substr(second + 1));

  auto result = run(op, doc, path, value);
  if (!result) {
    if (result.error().message.empty()) std::abort();
    return 0;
  }
  if (!result->changed && result->text != doc) std::abort();
  try {
    YAML::Node root = YAML::Load(result->text);
    if (result->changed || op == "del" || op == "rm") check_value(op, at(root, path), value);
  } catch (const YAML::Exception&) {
    std::abort();  // an edit that succeeded must read back
  }
  return 0;
}
