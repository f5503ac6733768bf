#include "cli/argv_rewrite.h"

#include <cstddef>
#include <string_view>
#include <utility>

namespace chaos {
namespace {

constexpr std::pair<std::string_view, std::string_view> kLegacy[] = {
    {"-cr", "--create"},       {"-ikwid", "--i-know-what-im-doing"},
    {"-nw", "--no-wait"},      {"-pf", "--sudo_password_file"},
    {"-ps", "--password"},     {"-sf", "--secrets-file"},
    {"-ss", "--sops-file"},    {"-rb", "--from-rbw"},
    {"-dp", "--from-doppler"},
};

}  // namespace

std::vector<std::string> rewrite_legacy_options(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  bool literal = false;
  for (const auto& arg : args) {
    if (literal) {
      out.push_back(arg);
      continue;
    }
    if (arg == "--") literal = true;
    std::string rewritten = arg;
    for (const auto& [legacy, modern] : kLegacy) {
      if (arg == legacy) {
        rewritten = std::string(modern);
      } else if (arg.size() > legacy.size() && arg.compare(0, legacy.size(), legacy) == 0 &&
                 arg[legacy.size()] == '=') {
        rewritten = std::string(modern) + arg.substr(legacy.size());
      }
    }
    out.push_back(std::move(rewritten));
  }
  return out;
}

std::vector<std::string> rewrite_edit_option(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "-e" && args[0] != "--edit-chobolo")) return args;
  std::vector<std::string> out = args;
  out[0] = "edit";
  return out;
}

std::vector<std::string> rewrite_help_command(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (!args[i].empty() && args[i][0] == '-') continue;  // a global flag (none takes a value)
    if (args[i] != "help") break;
    std::vector<std::string> out(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(i));
    out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
    out.push_back("--help");
    return out;
  }
  return args;
}

}  // namespace chaos
