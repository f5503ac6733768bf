#include "plugins/python_env.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "util/fs.h"
#include "util/process.h"
#include "util/text.h"

namespace chaos {
namespace {

using nlohmann::json;

// 2: asked with -I, so PYTHON* variables and HOME no longer decide the path.
constexpr int kCacheFormat = 2;

// Asked once per environment, run isolated (kPythonIsolatedFlag): sys.path holds no entry for
// the current directory, so every entry is reported as it is.
constexpr const char* kQueryScript = R"PY(
import json, os, site, sys
sites = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
if site.ENABLE_USER_SITE:
    sites.append(site.getusersitepackages())
print(json.dumps({
    "version": "%d.%d.%d" % sys.version_info[:3],
    "prefix": sys.prefix,
    "venv": sys.prefix != sys.base_prefix,
    "path": [os.path.abspath(p) for p in sys.path if p],
    "site_dirs": sites,
}))
)PY";

json stamp_json(const FileStamp& s) { return json::array({s.exists, s.is_dir, s.mtime_ns, s.size, s.inode}); }

// The cache is decoded field by field with its types checked: a file someone edited (or a
// format from another version) is a cache miss, never an exception or an assertion.
std::optional<FileStamp> stamp_from_json(const json& j) {
  if (!j.is_array() || j.size() != 5 || !j[0].is_boolean() || !j[1].is_boolean() || !j[2].is_number_integer() ||
      !j[3].is_number_integer() || !j[4].is_number_integer()) {
    return std::nullopt;
  }
  FileStamp s;
  s.exists = j[0].get<bool>();
  s.is_dir = j[1].get<bool>();
  s.mtime_ns = j[2].get<int64_t>();
  s.size = j[3].get<int64_t>();
  s.inode = j[4].get<uint64_t>();
  return s;
}

const json* member(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::vector<std::string>> string_list(const json* j) {
  if (!j || !j->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : *j) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

// Everything outside the .pth files that decides what sys.path will be. The environment
// does not: the interpreter runs isolated and ignores PYTHON* variables and the user site.
json identity_of(const std::string& interpreter) {
  std::string venv_cfg = join_path(parent_path(parent_path(interpreter)), "pyvenv.cfg");
  return json{{"interpreter", interpreter},
              {"interpreter_stamp", stamp_json(stamp_of(interpreter))},
              {"pyvenv_cfg", stamp_json(stamp_of(venv_cfg))}};
}

// The .pth files of every site directory with their stamps: adding, removing or editing one
// can change sys.path.
json pth_state(const std::vector<std::string>& site_dirs) {
  json state = json::array();
  for (const auto& dir : site_dirs) {
    json files = json::array();
    for (const auto& name : list_directory(dir)) {
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".pth") == 0) {
        files.push_back(json::array({name, stamp_json(stamp_of(join_path(dir, name)))}));
      }
    }
    std::sort(files.begin(), files.end());
    state.push_back(json::array({dir, std::move(files)}));
  }
  return state;
}

std::string cache_file(const Paths& paths) { return join_path(paths.cache_dir, "python-env.json"); }

}  // namespace

bool python_env_from_cache(std::string_view text, const json& identity, const std::string& cache_path, PythonEnv& env) {
  json cached = json::parse(text, nullptr, false);
  if (cached.is_discarded() || !cached.is_object()) return false;
  const json* format = member(cached, "format");
  const json* cached_identity = member(cached, "identity");
  if (!format || !format->is_number_integer() || format->get<int64_t>() != kCacheFormat || !cached_identity ||
      *cached_identity != identity) {
    return false;
  }
  auto site_dirs = string_list(member(cached, "site_dirs"));
  auto sys_path = string_list(member(cached, "path"));
  const json* version = member(cached, "version");
  const json* prefix = member(cached, "prefix");
  const json* venv = member(cached, "venv");
  const json* dir_stamps = member(cached, "site_dir_stamps");
  const json* pth = member(cached, "pth");
  if (!site_dirs || !sys_path || !version || !version->is_string() || !prefix || !prefix->is_string() || !venv ||
      !venv->is_boolean() || !dir_stamps || !dir_stamps->is_array() || !pth || !pth->is_array()) {
    return false;
  }
  // Cheap check first: site directories whose mtime did not move gained or lost no .pth.
  bool dirs_same = dir_stamps->size() == site_dirs->size();
  for (size_t i = 0; dirs_same && i < site_dirs->size(); ++i) {
    dirs_same = stamp_from_json((*dir_stamps)[i]) == stamp_of((*site_dirs)[i]);
  }
  if (dirs_same) {
    for (const auto& dir : *pth) {
      if (!dir.is_array() || dir.size() != 2 || !dir[0].is_string() || !dir[1].is_array()) return false;
      for (const auto& file : dir[1]) {
        if (!file.is_array() || file.size() != 2 || !file[0].is_string()) return false;
        auto stamp = stamp_from_json(file[1]);
        if (!stamp || *stamp != stamp_of(join_path(dir[0].get<std::string>(), file[0].get<std::string>()))) {
          return false;
        }
      }
    }
  } else if (pth_state(*site_dirs) != *pth) {
    return false;
  } else if (!cache_path.empty()) {
    // Something was installed or removed but no .pth file changed: the import path still
    // holds. Record the directories' new stamps so the next run takes the cheap check again.
    json refreshed = cached;
    json stamps = json::array();
    for (const auto& dir : *site_dirs) stamps.push_back(stamp_json(stamp_of(dir)));
    refreshed["site_dir_stamps"] = std::move(stamps);
    (void)write_file_atomic(cache_path, refreshed.dump());
  }
  env.version = version->get<std::string>();
  env.prefix = prefix->get<std::string>();
  env.is_virtualenv = venv->get<bool>();
  env.sys_path = std::move(*sys_path);
  env.site_dirs = std::move(*site_dirs);
  env.from_cache = true;
  return true;
}

namespace {

bool load_cached(const Paths& paths, const json& identity, PythonEnv& env) {
  auto text = read_regular_file(cache_file(paths));
  return text && python_env_from_cache(*text, identity, cache_file(paths), env);
}

Result<std::string> executable_from(const std::string& value, const char* what) {
  std::string found = find_on_path(value);
  if (found.empty()) {
    return Error(std::string(what) + " names `" + value + "`, which is not an executable Python interpreter", "",
                 "point it at the `python` of the environment your plugins are installed in");
  }
  return absolute_path(found);
}

}  // namespace

Result<std::pair<std::string, std::string>> choose_interpreter(const GlobalConfig& config) {
  if (std::string v = env_or_empty("CHAOS_PYTHON"); !v.empty()) {
    auto exe = executable_from(v, "CHAOS_PYTHON");
    if (!exe) return exe.error();
    return std::pair{*exe, std::string("CHAOS_PYTHON")};
  }
  if (config.python && !config.python->empty()) {
    auto exe = executable_from(*config.python, "the `python` key of the global configuration");
    if (!exe) return Error(exe.error().message, config.path, exe.error().hint);
    return std::pair{*exe, "`python` in " + config.path};
  }
  std::string here = executable_directory();
  if (!here.empty() && is_regular_file(join_path(parent_path(here), "pyvenv.cfg"))) {
    for (const char* name : {"python", "python3"}) {
      std::string candidate = join_path(here, name);
      if (is_executable_file(candidate))
        return std::pair{candidate, std::string("the virtual environment chaos is installed in")};
    }
  }
  std::string on_path = find_on_path("python3");
  if (!on_path.empty()) return std::pair{on_path, std::string("python3 on PATH")};
  return Error("no Python interpreter found for the plugin environment", "",
               "install python3, or set CHAOS_PYTHON (or `python:` in the global configuration) to the "
               "interpreter of the environment your plugins are installed in");
}

Result<PythonEnv> resolve_python_env(const Paths& paths, const GlobalConfig& config, bool refresh) {
  auto chosen = choose_interpreter(config);
  if (!chosen) return chosen.error();
  PythonEnv env;
  env.interpreter = chosen->first;
  env.source = chosen->second;
  json identity = identity_of(env.interpreter);
  if (!refresh && load_cached(paths, identity, env)) return env;

  auto run = run_capture({env.interpreter, kPythonIsolatedFlag, "-c", kQueryScript}, RunOptions{{}, 30000});
  if (!run)
    return Error(run.error().message, env.interpreter, "check that this interpreter runs: " + env.interpreter + " -V");
  if (!run->status.exited_with(0)) {
    return Error("the plugin environment's interpreter failed (" + describe_exit(run->status) + "): " + run->err,
                 env.interpreter);
  }
  json answer = json::parse(run->out, nullptr, false);
  if (answer.is_discarded())
    return Error("unexpected answer from " + env.interpreter + ": " + run->out, env.interpreter);
  try {
    env.version = answer.at("version").get<std::string>();
    env.prefix = answer.at("prefix").get<std::string>();
    env.is_virtualenv = answer.at("venv").get<bool>();
    env.sys_path = answer.at("path").get<std::vector<std::string>>();
    env.site_dirs = answer.at("site_dirs").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    return Error(std::string("unexpected answer from the plugin interpreter: ") + e.what(), env.interpreter);
  }
  json site_dir_stamps = json::array();
  for (const auto& dir : env.site_dirs) site_dir_stamps.push_back(stamp_json(stamp_of(dir)));
  json cached = {{"format", kCacheFormat},         {"identity", identity},
                 {"version", env.version},         {"prefix", env.prefix},
                 {"venv", env.is_virtualenv},      {"path", env.sys_path},
                 {"site_dirs", env.site_dirs},     {"site_dir_stamps", site_dir_stamps},
                 {"pth", pth_state(env.site_dirs)}};
  // A cache that cannot be written only costs speed; say nothing.
  (void)write_file_atomic(cache_file(paths), cached.dump());
  return env;
}

}  // namespace chaos
