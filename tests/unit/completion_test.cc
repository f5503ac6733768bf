#include "completion/completion.h"

#include "cli/commands.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace chaos {
namespace {

// The real command table, as main() builds it: a test of completion is a test of chaos's own
// commands and options, not of a copy that could drift from them.
struct Cli {
  Context ctx;
  int exit_code = 0;
  std::unique_ptr<CLI::App> command_line = build_command_line(ctx, exit_code);
  CLI::App& app = *command_line;
};

CompletionSources sources() {
  CompletionSources s;
  s.tags = [] { return std::vector<Candidate>{{"my-role", "role"}, {"mr", "alias"}, {"other", "role"}}; };
  s.topics = [](std::string_view current) {
    std::vector<Candidate> out = {{"my-role", ""}};
    if (current.find('.') != std::string_view::npos) out = {{"my-role.usage", ""}, {"my-role.list", ""}};
    return out;
  };
  s.templates = [] { return std::vector<Candidate>{{"my-role", ""}, {"fleet", ""}}; };
  return s;
}

std::vector<std::string> values(Cli& cli, std::vector<std::string> words) {
  Completion c = complete_command_line(cli.app, words, sources());
  std::vector<std::string> out;
  for (const auto& k : c.candidates) out.push_back(k.value);
  std::sort(out.begin(), out.end());
  return out;
}

using V = std::vector<std::string>;

TEST(Completion, SubcommandsButNotHiddenOnes) {
  Cli cli;
  // Every command of the table but the hidden __complete.
  V expected;
  for (const auto& command : command_table()) {
    if (!command.hidden) expected.push_back(command.name);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(values(cli, {"chaos", ""}), expected);
  EXPECT_EQ(expected,
            (V{"apply", "check", "completion", "doctor", "edit", "explain", "init", "log", "secrets", "set"}));
  EXPECT_EQ(values(cli, {"chaos", "ap"}), V{"apply"});
  EXPECT_EQ(values(cli, {"chaos", "init", ""}), (V{"chobolo", "plugin", "secrets"}));
  EXPECT_EQ(values(cli, {"chaos", "secrets", ""}),
            (V{"cat", "edit", "export", "import", "list", "print", "rotate-add", "rotate-rm", "set-shamir"}));
}

TEST(Completion, ApplyPositionalsAreTagsAndAliases) {
  Cli cli;
  EXPECT_EQ(values(cli, {"chaos", "apply", "m"}), (V{"mr", "my-role"}));
  EXPECT_EQ(values(cli, {"chaos", "apply", "my-role", "-d", "o"}), V{"other"});
  // A global option before the command does not get in the way.
  EXPECT_EQ(values(cli, {"chaos", "-u", "apply", "-c", "x.yml", "m"}), (V{"mr", "my-role"}));
}

TEST(Completion, OptionsOfTheCommandAndItsParents) {
  Cli cli;
  V opts = values(cli, {"chaos", "apply", "--"});
  for (const char* expected : {"--chobolo", "--dry", "--json", "--keep-going", "--help", "--update-plugins"}) {
    EXPECT_NE(std::find(opts.begin(), opts.end(), expected), opts.end()) << expected;
  }
  EXPECT_EQ(std::find(opts.begin(), opts.end(), "--version"), opts.end());
  V all = values(cli, {"chaos", "apply", "-"});
  EXPECT_NE(std::find(all.begin(), all.end(), "-c"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "-u"), all.end());
  EXPECT_EQ(std::find(all.begin(), all.end(), "-V"), all.end());  // the parent's version flag is not inherited
  EXPECT_EQ(values(cli, {"chaos", "-"}), (V{"--help", "--update-plugins", "--version", "-V", "-h", "-u"}));
}

TEST(Completion, OptionValuesFromChoicesOrFiles) {
  Cli cli;
  EXPECT_EQ(values(cli, {"chaos", "explain", "-d", ""}), (V{"advanced", "basic", "intermediate"}));
  EXPECT_EQ(values(cli, {"chaos", "explain", "--complexity", "b"}), V{"basic"});
  EXPECT_EQ(values(cli, {"chaos", "explain", "--complexity=a"}), V{"--complexity=advanced"});
  // bash splits `--complexity=a` at `=` into three words.
  EXPECT_EQ(values(cli, {"chaos", "explain", "--complexity", "=", "a"}), V{"advanced"});
  EXPECT_EQ(values(cli, {"chaos", "explain", "--complexity", "="}), (V{"advanced", "basic", "intermediate"}));
  Completion files = complete_command_line(cli.app, {"chaos", "apply", "-c", ""}, sources());
  EXPECT_TRUE(files.candidates.empty());
  EXPECT_EQ(files.fallback, Completion::Fallback::files);
  EXPECT_EQ(complete_command_line(cli.app, {"chaos", "init", "chobolo", "-o", "x"}, sources()).fallback,
            Completion::Fallback::files);
  // A flag takes no value: the next word is a positional again.
  EXPECT_EQ(values(cli, {"chaos", "explain", "-j", "my"}), V{"my-role"});
}

TEST(Completion, PositionalChoicesTopicsAndTemplates) {
  Cli cli;
  EXPECT_EQ(values(cli, {"chaos", "check", "r"}), V{"roles"});
  EXPECT_EQ(values(cli, {"chaos", "explain", "my-role."}), (V{"my-role.list", "my-role.usage"}));
  EXPECT_EQ(values(cli, {"chaos", "init", "chobolo", "f"}), V{"fleet"});
  EXPECT_EQ(values(cli, {"chaos", "explain", "--", "-x"}), V{});  // after --, no options
}

TEST(Completion, FormatsForEachShell) {
  Completion c;
  c.candidates = {{"my-role", "role from plug"}, {"mr", ""}};
  EXPECT_EQ(format_completion(c, "bash"), "my-role\nmr\n");
  EXPECT_EQ(format_completion(c, "zsh"), "my-role\trole from plug\nmr\n");
  Completion f;
  f.fallback = Completion::Fallback::directories;
  EXPECT_EQ(format_completion(f, "fish"), ":dirs\n");
  for (const char* shell : {"bash", "zsh", "fish"}) {
    EXPECT_NE(completion_script(shell).find("__complete --shell " + std::string(shell)), std::string::npos);
  }
  EXPECT_EQ(completion_script("tcsh"), "");
}

}  // namespace
}  // namespace chaos
