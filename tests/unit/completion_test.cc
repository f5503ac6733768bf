#include "cli/completion.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace chaos {
namespace {

// A command table shaped like chaos's own.
struct Cli {
  CLI::App app{"test", "chaos"};
  bool refresh = false, dry = false, json = false;
  std::string chobolo, details, what, shell;
  std::vector<std::string> tags, topics, words;

  Cli() {
    app.add_flag("-u,--update-plugins", refresh, "Rebuild the index");
    app.set_version_flag("-V,--version", "1");
    app.fallthrough();
    auto* apply = app.add_subcommand("apply", "Apply roles");
    apply->add_option("tags", tags, "Tags")->required();
    apply->add_option("-c,--chobolo", chobolo, "The Ch-obolo");
    apply->add_flag("-d,--dry", dry, "Dry run");
    auto* explain = app.add_subcommand("explain", "Explain");
    explain->add_option("topics", topics, "Topics");
    explain->add_option("-d,--details", details, "Details")->check(CLI::IsMember({"basic", "advanced"}));
    explain->add_flag("-j,--json", json, "JSON");
    auto* check = app.add_subcommand("check", "Check");
    check->add_option("what", what, "What")->check(CLI::IsMember({"plugins", "roles"}));
    auto* init = app.add_subcommand("init", "Init");
    auto* chobolo_cmd = init->add_subcommand("chobolo", "Template");
    chobolo_cmd->add_option("targets", topics, "Templates");
    chobolo_cmd->add_option("-o,--output", chobolo, "Out")->type_name("PATH");
    auto* hidden = app.add_subcommand("__complete", "hidden");
    hidden->group("");
  }
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
  EXPECT_EQ(values(cli, {"chaos", ""}), (V{"apply", "check", "explain", "init"}));
  EXPECT_EQ(values(cli, {"chaos", "ap"}), V{"apply"});
  EXPECT_EQ(values(cli, {"chaos", "init", ""}), V{"chobolo"});
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
  EXPECT_EQ(opts, (V{"--chobolo", "--dry", "--help", "--update-plugins"}));
  V all = values(cli, {"chaos", "apply", "-"});
  EXPECT_NE(std::find(all.begin(), all.end(), "-c"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "-u"), all.end());
  EXPECT_EQ(std::find(all.begin(), all.end(), "-V"), all.end());  // the parent's version flag is not inherited
  EXPECT_EQ(values(cli, {"chaos", "-"}), (V{"--help", "--update-plugins", "--version", "-V", "-h", "-u"}));
}

TEST(Completion, OptionValuesFromChoicesOrFiles) {
  Cli cli;
  EXPECT_EQ(values(cli, {"chaos", "explain", "-d", ""}), (V{"advanced", "basic"}));
  EXPECT_EQ(values(cli, {"chaos", "explain", "--details", "b"}), V{"basic"});
  EXPECT_EQ(values(cli, {"chaos", "explain", "--details=a"}), V{"--details=advanced"});
  // bash splits `--details=a` at `=` into three words.
  EXPECT_EQ(values(cli, {"chaos", "explain", "--details", "=", "a"}), V{"advanced"});
  EXPECT_EQ(values(cli, {"chaos", "explain", "--details", "="}), (V{"advanced", "basic"}));
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
