#include "apply/chobolo.h"

#include <yaml-cpp/yaml.h>

#include "util/fs.h"
#include "util/position.h"
#include "util/utf8.h"

namespace chaos {

Result<std::string> validate_chobolo(const std::string& given) {
  std::string path = absolute_path(given);
  FileStamp stamp = stamp_of(path);
  if (!stamp.exists) {
    return Error("the Ch-obolo " + given + " does not exist", path,
                 "pass an existing file with -c, or set `chobolo_file` in the global config.yml");
  }
  if (stamp.is_dir) return Error("the Ch-obolo " + given + " is a directory, not a YAML file", path);
  auto text = read_file(path);
  if (!text) return text.error();
  try {
    YAML::Node root = YAML::Load(*text);
    if (root && !root.IsNull() && !root.IsMap()) {
      return Error("a Ch-obolo must be a mapping of keys to values at its top level",
                   format_position(path, root.Mark()));
    }
  } catch (const YAML::Exception& e) {
    return Error("the Ch-obolo is not valid YAML: " + escape_invalid_utf8(e.msg), format_position(path, e.mark));
  }
  // The path travels in JSON (to the role host, into the history), which holds UTF-8 only.
  std::string resolved = real_path(path);
  if (!is_valid_utf8(resolved)) {
    return Error("the Ch-obolo's path is not valid UTF-8: `" + escape_invalid_utf8(resolved) + "`", "",
                 "rename the file or a directory above it to a UTF-8 name");
  }
  return resolved;
}

}  // namespace chaos
