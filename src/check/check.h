// check/: `chaos check WHAT`: what installed plugins register, and (`check plugins`) the
// problems found in them.
#pragma once

#include <string>

#include "context/context.h"

namespace chaos {

struct CheckOptions {
  std::string what;  // plugins, or a group's check name (roles, aliases, explanations, ...)
  bool json = false;
};

int run_check(Context& ctx, const CheckOptions& opts);

}  // namespace chaos
