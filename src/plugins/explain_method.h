// How a plugin's explanation class names its methods: topic `x.layout-rules` is answered by
// `explain_layout_rules`. Both `chaos explain` (to look a method up) and `chaos init plugin`
// (to write one) need the same name.
#pragma once

#include <string>
#include <string_view>

namespace chaos {

// The method suffix a sub-topic name stands for: `layout-rules` -> `layout_rules`.
std::string method_suffix(std::string_view sub);

}  // namespace chaos
