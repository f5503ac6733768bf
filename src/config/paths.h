// config/: where chaos keeps things, and what the user's global configuration says.
#pragma once

#include <string>

namespace chaos {

// Every directory chaos reads or writes, resolved once from the environment (XDG base
// directories, with the CHAOS_* overrides taking precedence).
struct Paths {
  std::string home;
  std::string config_dir;         // $CHAOS_CONFIG_DIR or $XDG_CONFIG_HOME/chaos
  std::string cache_dir;          // $CHAOS_CACHE_DIR or $XDG_CACHE_HOME/chaos
  std::string state_dir;          // $XDG_STATE_HOME/chaos
  std::string user_plugin_dir;    // $CHAOS_PLUGIN_DIR or $XDG_DATA_HOME/chaos/plugins
  std::string system_plugin_dir;  // /usr/share/chaos/plugins
  std::string dev_path;           // $CHAOS_DEV_PATH, empty when unset

  std::string config_file() const;

  static Paths from_environment();
};

}  // namespace chaos
