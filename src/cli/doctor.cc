// chaos doctor: arguments only; the findings are doctor/'s.
#include "doctor/doctor.h"
#include "cli/commands.h"

namespace chaos {

void define_doctor_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto as_json = std::make_shared<bool>(false);
  cmd->add_flag("-j,--json", *as_json, "Print the findings as JSON");
  cmd->footer(R"(The plugin environment is chosen in this order:
  1. $CHAOS_PYTHON
  2. `python:` in the global config.yml
  3. the interpreter of the virtual environment chaos is installed in
  4. python3 on PATH
Exit status 1 when something `chaos apply` needs is missing.)");
  cmd->callback([&ctx, &exit_code, as_json] { exit_code = run_doctor(ctx, *as_json); });
}

}  // namespace chaos
