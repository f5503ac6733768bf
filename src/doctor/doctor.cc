#include "doctor/doctor.h"

#include <cstdio>

#include "util/fs.h"
#include "util/process.h"

namespace chaos {
namespace {

using ordered_json = nlohmann::ordered_json;

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

// `version_args` follow the program: sops needs --disable-version-check, or asking its version
// makes it call GitHub (doctor must work offline, and quickly).
Requirement tool_requirement(const std::string& name, const std::string& purpose, const std::string& fix,
                             std::vector<std::string> version_args = {"--version"}) {
  Requirement r{name, false, false, "", "", fix, purpose};
  r.location = find_on_path(name);
  if (r.location.empty()) return r;
  r.found = true;
  version_args.insert(version_args.begin(), r.location);
  if (auto run = run_capture(version_args, RunOptions{{}, 10000}); run && run->status.exited_with(0)) {
    r.version = first_line(run->out.empty() ? run->err : run->out);
  }
  return r;
}

// pyinfra, OmegaConf and the SDK, as the plugin environment's interpreter sees them.
std::vector<Requirement> python_requirements(const PythonEnv& env) {
  std::string pip = env.interpreter + " -m pip install";
  Requirement pyinfra{"pyinfra", false, true, "", "", pip + " 'pyinfra>=3.8,<4'", "runs every role's operations"};
  Requirement omegaconf{"omegaconf", false, true, "", "", pip + " omegaconf", "roles read Ch-obolos with it"};
  Requirement sdk{"chaos SDK (chaos.host)", false, true, "", "", "", "hosts plugin code"};
  auto run = run_capture({env.interpreter, kPythonIsolatedFlag, "-c", kModulesScript}, RunOptions{{}, 30000});
  nlohmann::json answer =
      run && run->status.exited_with(0) ? nlohmann::json::parse(run->out, nullptr, false) : nlohmann::json();
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
  return {pyinfra, omegaconf, sdk};
}

std::vector<PluginDirFinding> plugin_dirs(const Paths& paths) {
  std::vector<PluginDirFinding> out;
  for (const auto& [kind, label, dir] : {std::tuple{"CHAOS_PLUGIN_DIR", "user", paths.user_plugin_dir},
                                         std::tuple{"system", "system", paths.system_plugin_dir},
                                         std::tuple{"CHAOS_DEV_PATH", "CHAOS_DEV_PATH", paths.dev_path}}) {
    out.push_back({kind, label, dir, !dir.empty() && is_directory(dir), paths.refuses(dir)});
  }
  return out;
}

}  // namespace

Result<DoctorReport> examine(Context& ctx) {
  const auto& config = ctx.config();
  if (!config) return config.error();
  DoctorReport r;
  r.config_file = ctx.paths.config_file();
  r.config_present = !config->path.empty();
  r.cache_dir = ctx.paths.cache_dir;
  const auto& env = ctx.python_env();
  if (env) {
    r.env = *env;
    r.requirements = python_requirements(*env);
  } else {
    r.env_error = env.error();
  }
  r.requirements.push_back(tool_requirement(
      "sops", "encrypts and decrypts secrets (chaos secrets, apply -s)",
      "go install github.com/getsops/sops/v3/cmd/sops@v3.13.3 (scripts/install-sops.sh in the chaos source)",
      {"--version", "--disable-version-check"}));
  r.requirements.push_back(tool_requirement("age", "the default secrets key backend", "apt-get install age"));
  r.requirements.push_back(
      tool_requirement("age-keygen", "makes age keys (chaos init secrets)", "apt-get install age", {"-version"}));
  r.requirements.push_back(tool_requirement("gpg", "the gpg secrets key backend", "apt-get install gnupg"));
  r.plugin_dirs = plugin_dirs(ctx.paths);
  if (env) {
    if (const auto& index = ctx.plugin_index()) {
      r.distributions = index->distributions.size();
      r.roles = index->names(Group::roles).size();
      r.problems = index->problems.size();
    }
  }
  r.ok = r.env.has_value();
  for (const auto& q : r.requirements) r.ok = r.ok && !(q.required && !q.found);
  return r;
}

ordered_json doctor_json(const DoctorReport& r) {
  ordered_json out;
  out["chaos"] = CHAOS_VERSION;
  out["config_file"] = r.config_file;
  out["cache_dir"] = r.cache_dir;
  if (r.env) {
    out["python"] = {{"interpreter", r.env->interpreter},  {"source", r.env->source}, {"version", r.env->version},
                     {"virtualenv", r.env->is_virtualenv}, {"prefix", r.env->prefix}, {"import_path", r.env->sys_path}};
  } else {
    out["python"] = {{"error", r.env_error.message}, {"hint", r.env_error.hint}};
  }
  out["plugin_dirs"] = ordered_json::array();
  for (const auto& d : r.plugin_dirs) {
    out["plugin_dirs"].push_back({{"kind", d.kind}, {"path", d.path}, {"exists", d.exists}, {"refused", d.refused}});
  }
  out["requirements"] = ordered_json::array();
  for (const auto& q : r.requirements) {
    out["requirements"].push_back({{"name", q.name},
                                   {"found", q.found},
                                   {"required", q.required},
                                   {"version", q.version},
                                   {"location", q.location},
                                   {"fix", q.found ? "" : q.fix}});
  }
  if (r.distributions) out["plugins"] = {{"distributions", *r.distributions}, {"problems", *r.problems}};
  out["ok"] = r.ok;
  return out;
}

namespace {

// "  label         value" lines, the label dimmed.
struct Rows {
  const Painter& p;
  std::string& t;
  void operator()(const std::string& label, const std::string& value) const {
    t += "  " + p(Tone::dim, label) + std::string(label.size() < 14 ? 14 - label.size() : 1, ' ') + value + "\n";
  }
};

void render_environment(const DoctorReport& r, const Painter& p, std::string& t) {
  Rows row{p, t};
  t += "\n" + p(Tone::bold, "Plugin environment") + "\n";
  if (!r.env) {
    t += "  " + p(Tone::red, "✗ ") + r.env_error.message + "\n";
    if (!r.env_error.hint.empty()) t += "    fix: " + r.env_error.hint + "\n";
    return;
  }
  row("interpreter", r.env->interpreter);
  row("chosen from", r.env->source);
  row("version", "Python " + r.env->version + (r.env->is_virtualenv ? " (virtual environment)" : ""));
  row("prefix", r.env->prefix);
  bool first = true;
  for (const auto& entry : r.env->sys_path) {
    row(first ? "import path" : "",
        entry + (is_directory(entry) || is_regular_file(entry) ? "" : p(Tone::dim, " (missing)")));
    first = false;
  }
}

void render_requirements(const DoctorReport& r, const Painter& p, std::string& t) {
  t += "\n" + p(Tone::bold, "Requirements") + "\n";
  for (const auto& q : r.requirements) {
    if (q.found) {
      t += "  " + p(Tone::green, "✓") + " " + q.name + (q.version.empty() ? "" : " " + q.version) +
           p(Tone::dim, "  " + q.location) + "\n";
    } else {
      t += "  " + p(q.required ? Tone::red : Tone::yellow, q.required ? "✗" : "!") + " " + q.name + " is missing (" +
           q.purpose + ")" + (q.required ? "" : "; only needed for secrets") + "\n";
      t += "    fix: " + q.fix + "\n";
    }
  }
}

}  // namespace

std::string render_doctor(const DoctorReport& r, const Painter& p) {
  std::string t;
  Rows row{p, t};
  t += p(Tone::bold, "chaos " CHAOS_VERSION) + "\n";
  row("config", r.config_file + (r.config_present ? "" : p(Tone::dim, " (not present; defaults apply)")));
  row("cache", r.cache_dir);
  render_environment(r, p, t);
  t += "\n" + p(Tone::bold, "Plugin directories") + "\n";
  for (const auto& d : r.plugin_dirs) {
    if (d.path.empty()) {
      row(d.label, p(Tone::dim, "(not set)"));
    } else {
      std::string note = !d.exists   ? p(Tone::dim, " (does not exist)")
                         : d.refused ? p(Tone::red, " (not used: others can change it, see the warning)")
                                     : "";
      row(d.label, d.path + note);
    }
  }
  render_requirements(r, p, t);
  if (r.distributions) {
    t += "\n" + p(Tone::bold, "Plugins") + "\n";
    row("installed", std::to_string(*r.distributions) + " distributions, " + std::to_string(*r.roles) + " roles");
    if (*r.problems > 0) row("problems", p(Tone::yellow, std::to_string(*r.problems)) + " (see `chaos check plugins`)");
  }
  t +=
      "\n" +
      (r.ok ? p(Tone::green, "Ready.") : p(Tone::red, "chaos cannot apply roles until the items marked ✗ are fixed.")) +
      "\n";
  return t;
}

int run_doctor(Context& ctx, bool as_json) {
  auto report = examine(ctx);
  if (!report) {
    ctx.print_error(report.error());
    return kExitFailure;
  }
  std::string text = as_json ? doctor_json(*report).dump(2) + "\n" : render_doctor(*report, ctx.out);
  std::fputs(text.c_str(), stdout);
  return report->ok ? kExitOk : kExitFailure;
}

}  // namespace chaos
