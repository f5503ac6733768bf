#include "cli/parse_errors.h"

#include "apply/tags.h"

namespace chaos {
namespace {

std::vector<CLI::App*> visible_subcommands(CLI::App& app) {
  return app.get_subcommands([](CLI::App* sub) { return !sub->get_name().empty() && sub->get_name()[0] != '_'; });
}

bool has_positionals(CLI::App& app) {
  return !app.get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
}

std::string suggestion(const std::string& word, const std::vector<std::string>& candidates,
                       const std::string& prefix = "") {
  auto near = closest_names(word, candidates, 1);
  return near.empty() ? "" : ", did you mean `" + prefix + near.front() + "`?";
}

// Whether `name` (-n, --limit) is an option of `app` or its parents that is given a value.
bool takes_value(const CLI::App& app, const std::string& name) {
  for (const CLI::App* level = &app; level; level = level->get_parent()) {
    for (const CLI::Option* o : level->get_options()) {
      if (o->check_name(name) && o->get_type_size_max() > 0 && o->get_expected_max() > 0) return true;
    }
  }
  return false;
}

}  // namespace

Status check_command_word(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* current = &app;
  std::string path = "chaos";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (!arg.empty() && arg[0] == '-') {
      // An option's value (`log -n 2`) is not a command word.
      if (arg.find('=') == std::string::npos && takes_value(*current, arg)) ++i;
      continue;
    }
    auto subs = visible_subcommands(*current);
    if (subs.empty()) break;
    CLI::App* next = nullptr;
    for (auto* sub : current->get_subcommands([](CLI::App*) { return true; })) {
      if (sub->check_name(arg)) next = sub;
    }
    if (next) {
      current = next;
      path += " " + arg;
      continue;
    }
    if (has_positionals(*current)) break;
    std::vector<std::string> names;
    for (auto* sub : subs) names.push_back(sub->get_name());
    bool top = current == &app;
    return Error(std::string(top ? "unknown command `" : "unknown subcommand `") + arg + "`" +
                     (top ? "" : " of `" + path + "`") + suggestion(arg, names),
                 "", "`" + path + " --help` lists the " + (top ? "commands" : "subcommands"));
  }
  return std::nullopt;
}

Error describe_extra_arguments(CLI::App& app, const CLI::ExtrasError& error) {
  CLI::App* current = &app;
  std::string path = "chaos";
  while (!current->get_subcommands().empty()) {
    current = current->get_subcommands().front();
    path += " " + current->get_name();
  }
  std::vector<std::string> extra = app.remaining(true);
  if (extra.empty()) return Error(error.what(), "", "`" + path + " --help` lists what is accepted");
  std::string word = extra.front();
  std::string hint = "`" + path + " --help` lists its options and arguments";
  if (word.size() > 1 && word[0] == '-') {
    std::string name = word.substr(0, word.find('='));
    bool is_long = name.rfind("--", 0) == 0;
    std::string bare = name.substr(is_long ? 2 : 1);
    std::vector<std::string> longs, shorts;
    for (CLI::App* level = current; level; level = level->get_parent()) {
      for (const CLI::Option* o : level->get_options()) {
        for (const auto& l : o->get_lnames()) longs.push_back(l);
        for (const auto& s : o->get_snames()) shorts.push_back(s);
      }
    }
    std::string near = suggestion(bare, longs, "--");
    if (near.empty() && !is_long) near = suggestion(bare, shorts, "-");
    return Error("unknown option `" + name + "` for `" + path + "`" + near, "", hint);
  }
  return Error("unexpected argument `" + word + "` for `" + path + "`", "", hint);
}

}  // namespace chaos
