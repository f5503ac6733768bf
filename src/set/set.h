// set/: `chaos set chobolo|secrets|sops PATH`: one default file written into config.yml.
#pragma once

#include <string>

#include "context/context.h"

namespace chaos {

struct SetOptions {
  std::string what;  // chobolo (c, ch), secrets (sec, se) or sops (sop)
  std::string path;
};

int run_set(Context& ctx, const SetOptions& opts);

}  // namespace chaos
