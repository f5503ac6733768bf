#include "init/plugin_scaffold.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "plugins/explain_method.h"
#include "util/embedded.h"

namespace chaos {
namespace {

// Replaces every placeholder (__NAME__) in `text`. The template tree is src/init/scaffold/,
// compiled in (util/embedded.h); its placeholders are valid Python names so ruff lints the
// templates as the Python they are.
std::string fill(std::string text, const ScaffoldNames& n) {
  // The explain method for the role's topic, named the way `chaos explain` looks it up.
  const std::string method = method_suffix(n.role);
  const std::pair<const char*, const std::string*> fields[] = {
      {"__DIST__", &n.distribution},
      {"__PKG__", &n.package},
      {"__ROLE__", &n.role},
      {"__ALIAS__", &n.alias},
      {"__KEY__", &n.chobolo_key},
      {"__ROLE_CLASS__", &n.role_class},
      {"__EXPLAIN_CLASS__", &n.explain_class},
      {"__KEYS_OBJECT__", &n.keys_object},
      {"__METHOD__", &method},
  };
  for (const auto& [marker, value] : fields) {
    std::string m(marker);
    for (size_t at = text.find(m); at != std::string::npos; at = text.find(m, at + value->size())) {
      text.replace(at, m.size(), *value);
    }
  }
  return text;
}

std::string camel_case(const std::string& tag) {
  std::string out;
  bool upper = true;
  for (char c : tag) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "Role" + out;
  return out;
}

bool is_python_keyword(const std::string& word) {
  static const std::set<std::string> kKeywords = {
      "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
      "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
      "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
  return kKeywords.count(word) > 0;
}

}  // namespace

Result<ScaffoldNames> scaffold_names(const std::string& distribution, const std::string& role,
                                     const std::string& alias) {
  static const std::regex kDistribution("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
  static const std::regex kTag("[a-z0-9]([a-z0-9_-]*[a-z0-9])?");
  ScaffoldNames n;
  n.distribution = distribution;
  if (!std::regex_match(distribution, kDistribution)) {
    return Error("`" + distribution + "` is not a valid Python distribution name", "",
                 "use letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
  }
  n.package = std::regex_replace(distribution, std::regex("[-_.]+"), "_");
  std::transform(n.package.begin(), n.package.end(), n.package.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (std::isdigit(static_cast<unsigned char>(n.package[0])) || is_python_keyword(n.package)) {
    return Error("`" + distribution + "` gives the package name `" + n.package + "`, which Python cannot import", "",
                 "choose a name that starts with a letter and is not a Python keyword");
  }
  if (n.package == "chaos" || n.package == "pyinfra" || n.package == "omegaconf") {
    return Error("`" + distribution + "` would shadow the `" + n.package + "` package that chaos needs", "",
                 "choose another name, e.g. chaos-" + n.package + "-plugin");
  }
  if (role.empty()) {
    std::string tag = distribution;
    std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char c) { return std::tolower(c); });
    tag = std::regex_replace(tag, std::regex("[._]+"), "-");
    if (tag.rfind("chaos-", 0) == 0 && tag.size() > 6) tag.erase(0, 6);
    if (tag.size() > 7 && tag.compare(tag.size() - 7, 7, "-plugin") == 0) tag.erase(tag.size() - 7);
    n.role = tag;
  } else {
    n.role = role;
  }
  if (!std::regex_match(n.role, kTag)) {
    return Error("`" + n.role + "` is not a usable role tag", "",
                 "a tag is lower-case letters, digits, '-' and '_' (no dots: `chaos explain` reads "
                 "TOPIC.SUB); choose one with --role");
  }
  if (alias.empty()) {
    std::string initials;
    bool next = true;
    for (char c : n.role) {
      if (c == '-' || c == '_') {
        next = true;
      } else if (next) {
        initials += c;
        next = false;
      }
    }
    n.alias = initials.size() >= 2 ? initials : n.role.substr(0, std::min<size_t>(2, n.role.size()));
    if (n.alias == n.role) n.alias = n.role + "-alias";
  } else {
    n.alias = alias;
  }
  if (!std::regex_match(n.alias, kTag)) {
    return Error("`" + n.alias + "` is not a usable alias", "", "lower-case letters, digits, '-' and '_'");
  }
  if (n.alias == n.role) {
    return Error("the alias `" + n.alias + "` is the role tag itself, which would be an alias cycle", "",
                 "choose another alias with --alias");
  }
  std::string snake = n.role;
  std::replace(snake.begin(), snake.end(), '-', '_');
  if (std::isdigit(static_cast<unsigned char>(snake[0]))) snake = "role_" + snake;
  n.chobolo_key = snake + "_dirs";
  n.keys_object = snake + "_keys";
  n.role_class = camel_case(n.role);
  n.explain_class = n.role_class + "Explain";
  return n;
}

std::vector<ScaffoldFile> plugin_scaffold(const ScaffoldNames& names) {
  std::vector<ScaffoldFile> files;
  for (const auto& file : embedded_plugin_scaffold()) {
    // A dot file in the source tree would act on it (a .gitignore ignores files there), so the
    // template holds it without its dot.
    std::string path = file.path == "gitignore" ? ".gitignore" : fill(std::string(file.path), names);
    files.push_back({std::move(path), fill(std::string(file.data), names)});
  }
  return files;
}

}  // namespace chaos
