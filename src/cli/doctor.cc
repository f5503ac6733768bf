// chaos doctor: what chaos found (the plugin environment, its import path, plugin
// directories) and what is missing, each with the command that fixes it.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "host/launch.h"
#include "plugins/python_env.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace chaos {
namespace {

using ordered_json = nlohmann::ordered_json;

struct Requirement {
  std::string name;
  bool found = false;
  bool required = false;  // needed by `chaos apply`; the others only for some commands
  std::string version;
  std::string location;
  std::string fix;
  std::string purpose;
};

// One interpreter run answers every Python question at once; isolated like every Python chaos
// starts (kPythonIsolatedFlag), so a module in the working directory is not what it finds.
constexpr const char* kModulesScript = R"PY(
import importlib.util, json, sys
out = {}
for module, dist in (("pyinfra", "pyinfra"), ("omegaconf", "omegaconf"), ("chaos.host", None)):
    try:
        spec = importlib.util.find_spec(module)
    except Exception:
        spec = None
    version = None
    if spec is not None and dist:
        try:
            from importlib.metadata import version as v
            version = v(dist)
        except Exception:
            pass
    out[module] = {"found": spec is not None, "version": version,
                   "location": getattr(spec, "origin", None) if spec else None}
print(json.dumps(out))
)PY";

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

Requirement tool_requirement(const std::string& name, const std::string& purpose, const std::string& fix) {
  Requirement r{name, false, false, "", "", fix, purpose};
  r.location = find_on_path(name);
  if (r.location.empty()) return r;
  r.found = true;
  if (auto run = run_capture({r.location, "--version"}, RunOptions{{}, 10000}); run && run->exit_code == 0) {
    r.version = first_line(run->out.empty() ? run->err : run->out);
  }
  return r;
}

int run_doctor(Context& ctx, bool as_json) {
  const auto& config = ctx.config();
  if (!config) {
    ctx.print_error(config.error());
    return kExitFailure;
  }
  const auto& env = ctx.python_env();
  std::vector<Requirement> reqs;
  if (env) {
    std::string pip = env->interpreter + " -m pip install";
    Requirement pyinfra{"pyinfra", false, true, "", "", pip + " 'pyinfra>=3.8,<4'", "runs every role's operations"};
    Requirement omegaconf{"omegaconf", false, true, "", "", pip + " omegaconf", "roles read Ch-obolos with it"};
    Requirement sdk{"chaos SDK (chaos.host)", false, true, "", "", "", "hosts plugin code"};
    auto run = run_capture({env->interpreter, kPythonIsolatedFlag, "-c", kModulesScript}, RunOptions{{}, 30000});
    nlohmann::json answer =
        run && run->exit_code == 0 ? nlohmann::json::parse(run->out, nullptr, false) : nlohmann::json();
    auto fill = [&](Requirement& r, const char* module) {
      if (!answer.is_object() || !answer.contains(module)) return;
      const auto& m = answer[module];
      r.found = m.value("found", false);
      if (m["version"].is_string()) r.version = m["version"].get<std::string>();
      if (m["location"].is_string()) r.location = m["location"].get<std::string>();
    };
    fill(pyinfra, "pyinfra");
    fill(omegaconf, "omegaconf");
    fill(sdk, "chaos.host");
    if (!sdk.found) {
      // The binary can still host roles with the SDK it was built or installed with.
      const BundledSdk& bundled = bundled_sdk();
      if (!bundled.dir.empty()) {
        sdk.found = true;
        sdk.location = bundled.dir + " (added to the import path by chaos)";
      }
      sdk.fix = pip + " chaos-cli   (or reinstall chaos into this environment)";
      if (bundled.refused) sdk.fix += "; " + bundled.refused->message + ": " + bundled.refused->hint;
    }
    reqs.push_back(pyinfra);
    reqs.push_back(omegaconf);
    reqs.push_back(sdk);
  }
  reqs.push_back(
      tool_requirement("sops", "encrypts and decrypts secrets",
                       "go install github.com/getsops/sops/v3/cmd/sops@latest (or your distribution's package)"));
  reqs.push_back(tool_requirement("age", "the default secrets key backend", "apt-get install age"));

  const PluginIndex* index = nullptr;
  if (env) {
    const auto& idx = ctx.plugin_index();
    if (idx) index = &*idx;
  }
  bool missing_required = !env;
  for (const auto& r : reqs) missing_required = missing_required || (r.required && !r.found);

  if (as_json) {
    ordered_json out;
    out["chaos"] = CHAOS_VERSION;
    out["config_file"] = ctx.paths.config_file();
    out["cache_dir"] = ctx.paths.cache_dir;
    if (env) {
      out["python"] = {{"interpreter", env->interpreter},  {"source", env->source}, {"version", env->version},
                       {"virtualenv", env->is_virtualenv}, {"prefix", env->prefix}, {"import_path", env->sys_path}};
    } else {
      out["python"] = {{"error", env.error().message}, {"hint", env.error().hint}};
    }
    out["plugin_dirs"] = ordered_json::array();
    for (const auto& [label, dir] :
         {std::pair{"CHAOS_PLUGIN_DIR", ctx.paths.user_plugin_dir}, std::pair{"system", ctx.paths.system_plugin_dir},
          std::pair{"CHAOS_DEV_PATH", ctx.paths.dev_path}}) {
      out["plugin_dirs"].push_back({{"kind", label},
                                    {"path", dir},
                                    {"exists", !dir.empty() && is_directory(dir)},
                                    {"refused", ctx.paths.refuses(dir)}});
    }
    out["requirements"] = ordered_json::array();
    for (const auto& r : reqs) {
      out["requirements"].push_back({{"name", r.name},
                                     {"found", r.found},
                                     {"required", r.required},
                                     {"version", r.version},
                                     {"location", r.location},
                                     {"fix", r.found ? "" : r.fix}});
    }
    if (index) {
      out["plugins"] = {{"distributions", index->distributions.size()}, {"problems", index->problems.size()}};
    }
    out["ok"] = !missing_required;
    std::printf("%s\n", out.dump(2).c_str());
    return missing_required ? kExitFailure : kExitOk;
  }

  const Painter& p = ctx.out;
  std::string t;
  auto row = [&](const std::string& label, const std::string& value) {
    t += "  " + p(Tone::dim, label) + std::string(label.size() < 14 ? 14 - label.size() : 1, ' ') + value + "\n";
  };
  t += p(Tone::bold, "chaos " CHAOS_VERSION) + "\n";
  row("config", ctx.paths.config_file() + (config->path.empty() ? p(Tone::dim, " (not present; defaults apply)") : ""));
  row("cache", ctx.paths.cache_dir);
  t += "\n" + p(Tone::bold, "Plugin environment") + "\n";
  if (env) {
    row("interpreter", env->interpreter);
    row("chosen from", env->source);
    row("version", "Python " + env->version + (env->is_virtualenv ? " (virtual environment)" : ""));
    row("prefix", env->prefix);
    bool first = true;
    for (const auto& entry : env->sys_path) {
      row(first ? "import path" : "",
          entry + (is_directory(entry) || is_regular_file(entry) ? "" : p(Tone::dim, " (missing)")));
      first = false;
    }
  } else {
    t += "  " + p(Tone::red, "✗ ") + env.error().message + "\n";
    if (!env.error().hint.empty()) t += "    fix: " + env.error().hint + "\n";
  }
  t += "\n" + p(Tone::bold, "Plugin directories") + "\n";
  for (const auto& [label, dir] :
       {std::pair{"user", ctx.paths.user_plugin_dir}, std::pair{"system", ctx.paths.system_plugin_dir},
        std::pair{"CHAOS_DEV_PATH", ctx.paths.dev_path}}) {
    if (dir.empty()) {
      row(label, p(Tone::dim, "(not set)"));
    } else {
      std::string note = !is_directory(dir)       ? p(Tone::dim, " (does not exist)")
                         : ctx.paths.refuses(dir) ? p(Tone::red, " (not used: others can change it, see the warning)")
                                                  : "";
      row(label, dir + note);
    }
  }
  t += "\n" + p(Tone::bold, "Requirements") + "\n";
  for (const auto& r : reqs) {
    if (r.found) {
      t += "  " + p(Tone::green, "✓") + " " + r.name + (r.version.empty() ? "" : " " + r.version) +
           p(Tone::dim, "  " + r.location) + "\n";
    } else {
      t += "  " + p(r.required ? Tone::red : Tone::yellow, r.required ? "✗" : "!") + " " + r.name + " is missing (" +
           r.purpose + ")" + (r.required ? "" : "; only needed for secrets") + "\n";
      t += "    fix: " + r.fix + "\n";
    }
  }
  if (index) {
    t += "\n" + p(Tone::bold, "Plugins") + "\n";
    row("installed", std::to_string(index->distributions.size()) + " distributions, " +
                         std::to_string(index->names(Group::roles).size()) + " roles");
    if (!index->problems.empty()) {
      row("problems", p(Tone::yellow, std::to_string(index->problems.size())) + " (see `chaos check plugins`)");
    }
  }
  t += "\n" +
       (missing_required ? p(Tone::red, "chaos cannot apply roles until the items marked ✗ are fixed.")
                         : p(Tone::green, "Ready.")) +
       "\n";
  std::fputs(t.c_str(), stdout);
  return missing_required ? kExitFailure : kExitOk;
}

}  // namespace

void add_doctor_command(CLI::App& app, Context& ctx, int& exit_code) {
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("doctor", "Show the plugin environment chaos uses and what is missing");
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
