// completion/: the engine behind `chaos __complete` (see completion.h).
#include "completion/completion.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "util/embedded.h"

namespace chaos {
namespace {

// CLI11 spells IsMember choices into the type name: "TEXT:{basic,intermediate,advanced}".
std::vector<std::string> choices_of(const CLI::Option* opt) {
  std::string type = opt->get_type_name();
  size_t open = type.find('{');
  size_t close = type.rfind('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string list = type.substr(open + 1, close - open - 1);
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Completion::Fallback path_kind(const CLI::Option* opt) {
  std::string type = opt->get_type_name();
  if (type.find("DIR") != std::string::npos) return Completion::Fallback::directories;
  if (type.find("PATH") != std::string::npos || type.find("FILE") != std::string::npos) {
    return Completion::Fallback::files;
  }
  static const std::set<std::string> kPathOptions = {"chobolo", "output", "sudo_password_file", "secrets-file",
                                                     "sops-file"};
  for (const auto& name : opt->get_lnames()) {
    if (kPathOptions.count(name)) return Completion::Fallback::files;
  }
  return Completion::Fallback::none;
}

// Flags expect no items; everything else takes the next word (or `=value`).
bool takes_value(const CLI::Option* opt) { return opt->get_items_expected_max() > 0; }

// Options are accepted on the command they belong to and, through fallthrough, on its
// subcommands: look in the app and then its parents.
const CLI::Option* find_option(const CLI::App* app, const std::string& word) {
  for (; app; app = app->get_parent()) {
    for (const auto* opt : app->get_options()) {
      if (opt->nonpositional() && opt->check_name(word)) return opt;
    }
  }
  return nullptr;
}

CLI::App* find_subcommand(CLI::App* app, const std::string& word) {
  for (auto* sub : app->get_subcommands([](CLI::App*) { return true; })) {
    if (sub->check_name(word)) return sub;
  }
  return nullptr;
}

// The positional option that the `index`-th positional word fills.
const CLI::Option* positional_at(const CLI::App* app, int index) {
  int seen = 0;
  for (const auto* opt : app->get_options([](const CLI::Option* o) { return o->get_positional(); })) {
    int count = opt->get_items_expected_max();
    if (index < seen + count || count <= 0) return opt;
    seen += count;
  }
  return nullptr;
}

std::string path_of(const CLI::App* app) {
  std::string path;
  for (; app && app->get_parent(); app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " ") + path;
  return path;
}

void add_option_names(const CLI::App* app, std::string_view current, std::vector<Candidate>& out) {
  bool long_only = current.starts_with("--");
  std::set<std::string> seen;
  for (const CLI::App* a = app; a; a = a->get_parent()) {
    for (const auto* opt : a->get_options()) {
      if (!opt->nonpositional()) continue;
      // The parents' own help and version flags are not options of a subcommand.
      if (a != app && (opt == a->get_help_ptr() || opt->check_name("--version"))) continue;
      std::string description = opt->get_description();
      for (const auto& l : opt->get_lnames()) {
        if (seen.insert("--" + l).second) out.push_back({"--" + l, description});
      }
      if (long_only && !opt->get_lnames().empty()) continue;
      for (const auto& s : opt->get_snames()) {
        if (seen.insert("-" + s).second) out.push_back({"-" + s, description});
      }
    }
  }
}

Completion values_of(const CLI::Option* opt) {
  Completion c;
  for (auto& choice : choices_of(opt)) c.candidates.push_back({choice, ""});
  if (c.candidates.empty()) c.fallback = path_kind(opt);
  return c;
}

}  // namespace

Completion complete_command_line(CLI::App& root, const std::vector<std::string>& words,
                                 const CompletionSources& sources) {
  Completion result;
  if (words.empty()) return result;
  const std::string current = words.back();
  CLI::App* app = &root;
  int positional = 0;
  bool only_positionals = false;
  const CLI::Option* pending = nullptr;  // an option whose value comes next
  for (size_t i = 1; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (pending) {
      // bash splits `--opt=value` into three words at COMP_WORDBREAKS' `=`.
      if (w != "=") pending = nullptr;
      continue;
    }
    if (!only_positionals && w == "--") {
      only_positionals = true;
      continue;
    }
    if (!only_positionals && w.size() > 1 && w[0] == '-') {
      std::string name = w.substr(0, w.find('='));
      const CLI::Option* opt = find_option(app, name);
      if (opt && takes_value(opt) && w.find('=') == std::string::npos) pending = opt;
      continue;
    }
    if (!only_positionals && positional == 0) {
      if (CLI::App* sub = find_subcommand(app, w)) {
        app = sub;
        continue;
      }
    }
    ++positional;
  }

  auto filtered = [&](Completion c, std::string_view prefix) {
    c.candidates.erase(std::remove_if(c.candidates.begin(), c.candidates.end(),
                                      [&](const Candidate& k) { return !k.value.starts_with(prefix); }),
                       c.candidates.end());
    return c;
  };
  if (pending) return filtered(values_of(pending), current == "=" ? "" : current);
  if (!only_positionals && current.starts_with("--") && current.find('=') != std::string::npos) {
    std::string name = current.substr(0, current.find('='));
    if (const CLI::Option* opt = find_option(app, name); opt && takes_value(opt)) {
      Completion c = values_of(opt);
      for (auto& k : c.candidates) k.value = name + "=" + k.value;
      return filtered(c, current);
    }
    return result;
  }
  if (!only_positionals && current.starts_with("-")) {
    add_option_names(app, current, result.candidates);
    return filtered(result, current);
  }

  if (positional == 0 && !only_positionals) {
    for (auto* sub : app->get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_group().empty()) continue;  // hidden
      result.candidates.push_back({sub->get_name(), sub->get_description()});
    }
  }
  if (const CLI::Option* opt = positional_at(app, positional)) {
    const std::string path = path_of(app);
    if (path == "apply" && sources.tags) {
      for (auto& c : sources.tags()) result.candidates.push_back(std::move(c));
    } else if (path == "explain" && sources.topics) {
      for (auto& c : sources.topics(current)) result.candidates.push_back(std::move(c));
    } else if (path == "init chobolo" && sources.templates) {
      for (auto& c : sources.templates()) result.candidates.push_back(std::move(c));
    } else {
      Completion values = values_of(opt);
      for (auto& c : values.candidates) result.candidates.push_back(std::move(c));
      if (result.candidates.empty()) result.fallback = values.fallback;
    }
  }
  return filtered(result, current);
}

std::string format_completion(const Completion& completion, std::string_view shell) {
  if (completion.candidates.empty() && completion.fallback != Completion::Fallback::none) {
    return completion.fallback == Completion::Fallback::files ? ":files\n" : ":dirs\n";
  }
  std::string out;
  bool described = shell == "zsh" || shell == "fish";
  for (const auto& c : completion.candidates) {
    out += c.value;
    if (described && !c.description.empty()) {
      std::string d = c.description.substr(0, c.description.find('\n'));
      std::replace(d.begin(), d.end(), '\t', ' ');
      out += "\t" + d;
    }
    out += "\n";
  }
  return out;
}

std::string completion_script(std::string_view shell) {
  // The scripts are files in src/completion/scripts/, compiled in (util/embedded.h), so they
  // are edited, linted and read as the shell code they are.
  const std::string wanted = "chaos." + std::string(shell);
  for (const auto& file : embedded_completion_scripts()) {
    if (file.path == wanted) return std::string(file.data);
  }
  return "";
}

}  // namespace chaos
