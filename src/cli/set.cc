// chaos set chobolo|secrets|sops PATH: arguments only; the work is set/'s.
#include "set/set.h"
#include "cli/commands.h"

namespace chaos {

void define_set_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<SetOptions>();
  cmd->add_option("what", opts->what, "chobolo (also c, ch), secrets (sec, se) or sops (sop)")->required();
  cmd->add_option("path", opts->path, "An existing file; stored as an absolute path")->required();
  cmd->footer(R"(Writes chobolo_file, secrets_file or sops_file in $CHAOS_CONFIG_DIR/config.yml (default
~/.config/chaos/config.yml), creating it if needed. Everything else in the file (comments, other
settings, their order) stays as it was.

Examples:
  chaos set chobolo ~/machines/desk.yml
  chaos set sec ~/machines/secrets.yml)");
  cmd->callback([&ctx, &exit_code, opts] { exit_code = run_set(ctx, *opts); });
}

}  // namespace chaos
