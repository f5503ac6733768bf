#include "plugins/explain_method.h"

#include <algorithm>

namespace chaos {

std::string method_suffix(std::string_view sub) {
  std::string out(sub);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

}  // namespace chaos
