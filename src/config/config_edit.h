// config/config_edit: changes settings of config.yml and keeps every other byte (comments, key
// order, blank lines, quoting) as the user wrote it, through util/yaml_edit. `chaos set` and
// `secrets export --save-to-config` write with it; a tool that rewrote the file from data would
// drop the user's comments.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace chaos {

// The text with top-level `key` set to the string `value` (replaced where it is, appended at the
// end when absent). The result is parsed again and checked: `key` reads back as `value` and every
// other setting is unchanged, or nothing is returned but an error naming `source`. A top level
// that is not a block mapping (a list, `{...}`) is refused rather than rewritten.
Result<std::string> set_top_level_string(std::string_view text, const std::string& key, const std::string& value,
                                         const std::string& source);

// Sets top-level strings in the file at `path` (config.yml) that way, all or none: the file is
// read (a missing one is empty), edited and written back atomically.
Status set_config_strings(const std::string& path, const std::vector<std::pair<std::string, std::string>>& settings);

// Sets strings at nested keys ({"secret_providers", "bw", "age_id"}) of the file at `path`,
// creating the mappings on the way, all or none, keeping every other byte (util/yaml_edit.h).
using ConfigSetting = std::pair<std::vector<std::string>, std::string>;
Status set_config_paths(const std::string& path, const std::vector<ConfigSetting>& settings);

}  // namespace chaos
