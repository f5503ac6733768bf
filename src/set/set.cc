#include "set/set.h"

#include <limits.h>
#include <stdlib.h>

#include <cstdio>

#include "config/config_edit.h"
#include "util/fs.h"

namespace chaos {
namespace {

struct Setting {
  const char* key;
  const char* label;
};

// The original's short forms are kept: scripts use them.
std::optional<Setting> setting_for(const std::string& what) {
  if (what == "chobolo" || what == "c" || what == "ch") return Setting{"chobolo_file", "Default Ch-obolo"};
  if (what == "secrets" || what == "sec" || what == "se") return Setting{"secrets_file", "Default secrets file"};
  if (what == "sops" || what == "sop") return Setting{"sops_file", "Default sops config"};
  return std::nullopt;
}

}  // namespace

int run_set(Context& ctx, const SetOptions& opts) {
  auto setting = setting_for(opts.what);
  if (!setting) {
    ctx.print_error(
        Error("cannot set `" + opts.what + "`", {}, "use chobolo (c, ch), secrets (sec, se) or sops (sop)"));
    return kExitUsage;
  }
  char resolved[PATH_MAX];
  if (::realpath(opts.path.c_str(), resolved) == nullptr) {
    ctx.print_error(Error("cannot use " + opts.path + ": " + errno_text(), {}, "give the path of an existing file"));
    return kExitFailure;
  }
  if (!is_regular_file(resolved)) {
    ctx.print_error(Error(std::string(resolved) + " is not a regular file"));
    return kExitFailure;
  }
  const std::string file = ctx.paths.config_file();
  if (auto err = set_config_strings(file, {{setting->key, resolved}})) return ctx.print_error(*err), kExitFailure;
  std::printf("%s set to %s (%s in %s)\n", setting->label, resolved, setting->key, file.c_str());
  return kExitOk;
}

}  // namespace chaos
