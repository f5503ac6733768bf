// init/: `chaos init chobolo` (a Ch-obolo from the key templates plugins register) and `chaos
// init plugin` (a plugin skeleton that installs and applies as it is).
#pragma once

#include <string>
#include <vector>

#include "context/context.h"

namespace chaos {

struct ChoboloOptions {
  std::vector<std::string> targets;  // template names; empty: all of them
  std::string output;                // default ch-obolo.yml
  bool print = false;                // -t: print the YAML instead of writing it
  bool json = false;
  bool force = false;
};

struct PluginOptions {
  std::string name;
  std::string role;
  std::string alias;
  std::string directory;
  bool force = false;
};

int run_init_chobolo(Context& ctx, const ChoboloOptions& opts);
int run_init_plugin(Context& ctx, const PluginOptions& opts);

}  // namespace chaos
