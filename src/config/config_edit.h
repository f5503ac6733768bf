// config/config_edit: changes one top-level setting of a YAML file and keeps every other byte
// (comments, key order, blank lines, quoting) as the user wrote it. `chaos set` writes
// config.yml with it; a tool that rewrote the file from data would drop the user's comments.
#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace chaos {

// The text with top-level `key` set to the string `value` (replaced where it is, appended at the
// end when absent). The result is parsed again and checked: `key` reads back as `value` and every
// other setting is unchanged, or nothing is returned but an error naming `source`. A top level
// that is not a block mapping (a list, `{...}`) is refused rather than rewritten.
Result<std::string> set_top_level_string(std::string_view text, const std::string& key, const std::string& value,
                                         const std::string& source);

}  // namespace chaos
