// edit/: `chaos edit` (the original's `chaos -e`): the Ch-obolo in $EDITOR, accepted only when
// it is still valid YAML.
#pragma once

#include <string>

#include "context/context.h"

namespace chaos {

struct EditOptions {
  std::string chobolo;  // -c; default: chobolo_file in config.yml
};

int run_edit(Context& ctx, const EditOptions& opts);

}  // namespace chaos
