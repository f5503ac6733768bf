#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/global_config.h"
#include "config/paths.h"
#include "util/error.h"

namespace chaos {

// Every Python process chaos starts (the import-path probe, `chaos doctor`'s module check, the
// role host) runs with -I, isolated mode: no working directory or script directory on
// sys.path (-P), no user site-packages (-s), and no PYTHON* environment variables (-E). chaos
// runs as root, and each of those is a place where someone other than root can put code:
// a `json.py` in the directory root happens to be in, a usercustomize.py in a HOME that sudo
// kept, a PYTHONPATH (or PYTHONHOME, PYTHONSTARTUP, PYTHONINSPECT, PYTHONBREAKPOINT) passed
// through `sudo -E`. -E for the role host too: the probe and the host must agree on the
// import path (discovery scans what the probe reported), and a PYTHONPATH directory would be
// on it unchecked, while every directory chaos adds itself is checked for owner and mode.
// Plugin directories are given with CHAOS_PLUGIN_DIR or CHAOS_DEV_PATH instead. The flag
// exists since Python 3.4; the venv's own site-packages (pyvenv.cfg) and its .pth files are
// still used, as they are root's (or the environment owner's) choice.
inline constexpr const char* kPythonIsolatedFlag = "-I";

// The Python environment that holds the plugins, and its import path.
struct PythonEnv {
  std::string interpreter;  // as chosen (a venv's bin/python, not its symlink target)
  std::string source;       // why this interpreter: CHAOS_PYTHON, config, beside chaos, PATH
  std::string version;      // e.g. 3.11.7
  std::string prefix;
  bool is_virtualenv = false;
  std::vector<std::string> sys_path;   // the interpreter's import path, .pth entries included
  std::vector<std::string> site_dirs;  // where .pth files are read from
  bool from_cache = false;
};

// Which interpreter: CHAOS_PYTHON, else the config's `python`, else the interpreter beside
// the chaos binary when that lives in a virtual environment, else python3 on PATH.
Result<std::pair<std::string, std::string>> choose_interpreter(const GlobalConfig& config);

// Chooses the interpreter and learns its import path, from the cache when nothing it was
// derived from changed (the interpreter, pyvenv.cfg, the .pth files), else
// by asking the interpreter once.
Result<PythonEnv> resolve_python_env(const Paths& paths, const GlobalConfig& config, bool refresh);

// Decodes the python-env cache `text` (python-env.json) written for `identity`. True, with
// `env` filled, only when it is well formed, every field has its type and nothing it was derived
// from changed; anything else is a miss. When only the site directories' stamps moved, the
// refreshed cache is written to `cache_path` (unless it is empty). Exposed for the fuzzer.
bool python_env_from_cache(std::string_view text, const nlohmann::json& identity, const std::string& cache_path,
                           PythonEnv& env);

}  // namespace chaos
