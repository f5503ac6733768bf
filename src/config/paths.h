// config/: where chaos keeps things, and what the user's global configuration says.
#pragma once

#include <string>
#include <vector>

namespace chaos {

// Every directory chaos reads or writes, resolved once from the environment (XDG base
// directories, with the CHAOS_* overrides taking precedence).
struct Paths {
  std::string home;
  std::string config_dir;         // $CHAOS_CONFIG_DIR or $XDG_CONFIG_HOME/chaos
  std::string cache_dir;          // $CHAOS_CACHE_DIR or $XDG_CACHE_HOME/chaos
  std::string state_dir;          // $XDG_STATE_HOME/chaos
  std::string logbook_dir;        // $CHAOS_LOGBOOK_DIR or <state_dir>/logbook: run records
  std::string user_plugin_dir;    // $CHAOS_PLUGIN_DIR or $XDG_DATA_HOME/chaos/plugins
  std::string system_plugin_dir;  // /usr/share/chaos/plugins
  std::string dev_path;           // $CHAOS_DEV_PATH, empty when unset

  // Checked by from_environment (util/trusted_path.h): plugin directories and wheels that
  // someone other than root and the user could change are left off the import path; a cache
  // or state directory that others could change is not used (a private directory, removed at
  // exit, stands in, so commands still work, only slower and without history).
  std::vector<std::string> refused;   // plugin directories and wheels, as listed
  std::vector<std::string> warnings;  // one per refusal, with the fix, for the command to print

  std::string config_file() const;
  bool refuses(const std::string& path) const;

  static Paths from_environment();
};

}  // namespace chaos
