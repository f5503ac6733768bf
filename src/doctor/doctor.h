// doctor/: `chaos doctor`: what chaos found (the plugin environment, its import path, plugin
// directories) and what is missing, each with the command that fixes it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "context/context.h"

namespace chaos {

struct Requirement {
  std::string name;
  bool found = false;
  bool required = false;  // needed by `chaos apply`; the others only for some commands
  std::string version;
  std::string location;
  std::string fix;
  std::string purpose;
};

struct PluginDirFinding {
  std::string kind;   // in --json: CHAOS_PLUGIN_DIR, system, CHAOS_DEV_PATH
  std::string label;  // in the text: user, system, CHAOS_DEV_PATH
  std::string path;   // empty when not set
  bool exists = false;
  bool refused = false;  // others could change it (config/paths.h)
};

// Everything `chaos doctor` reports, gathered once and rendered as text or JSON.
struct DoctorReport {
  std::string config_file;
  bool config_present = false;
  std::string cache_dir;
  std::optional<PythonEnv> env;
  Error env_error;  // when env is empty
  std::vector<PluginDirFinding> plugin_dirs;
  std::vector<Requirement> requirements;
  std::optional<size_t> distributions, roles, problems;  // when the plugin index could be read
  bool ok = false;                                       // nothing `chaos apply` needs is missing
};

// Fails only when the global config cannot be read.
Result<DoctorReport> examine(Context& ctx);
nlohmann::ordered_json doctor_json(const DoctorReport& report);
std::string render_doctor(const DoctorReport& report, const Painter& paint);
int run_doctor(Context& ctx, bool as_json);

}  // namespace chaos
