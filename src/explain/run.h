// explain/: `chaos explain TOPIC...`, each topic answered on its own.
#pragma once

#include <string>
#include <vector>

#include "context/context.h"

namespace chaos {

struct ExplainOptions {
  std::vector<std::string> topics;  // empty: list what there is to explain
  std::string details = "basic";
  std::string complexity = "basic";
  bool no_pretty = false;  // -n: the raw data as YAML
  bool json = false;
};

int run_explain(Context& ctx, const ExplainOptions& opts);

}  // namespace chaos
