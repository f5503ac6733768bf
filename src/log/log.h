// log/: `chaos log`: the most recent `chaos apply` runs, from the run history (records/).
#pragma once

#include <cstddef>

#include "context/context.h"

namespace chaos {

struct LogOptions {
  size_t limit = 20;
  bool json = false;
};

int run_log(Context& ctx, const LogOptions& opts);

}  // namespace chaos
