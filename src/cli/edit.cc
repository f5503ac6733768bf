// chaos edit [-c FILE] (also the original's `chaos -e`): arguments only; the work is edit/'s.
#include "edit/edit.h"
#include "cli/commands.h"

namespace chaos {

void define_edit_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<EditOptions>();
  cmd->add_option("-c,--chobolo", opts->chobolo, "The Ch-obolo to edit (default: chobolo_file in config.yml)");
  cmd->footer(R"(Opens a copy of the Ch-obolo in $VISUAL or $EDITOR (default vi). The file is replaced only
when the edited text is valid YAML; otherwise you are asked to edit again (on a terminal), or the
file stays as it was and your edit is kept beside it. `chaos -e` is the same command.)");
  cmd->callback([&ctx, &exit_code, opts] { exit_code = run_edit(ctx, *opts); });
}

}  // namespace chaos
