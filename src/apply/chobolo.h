// apply/: the `chaos apply` pipeline on the core's side: which Ch-obolo, which roles, the
// sudo password, talking to the role host, showing progress, and remembering the run.
#pragma once

#include <string>

#include "util/error.h"

namespace chaos {

// Checks that the Ch-obolo exists, is a readable regular file and is valid YAML whose top
// level is a mapping, and returns its absolute, symlink-resolved path. Errors name the file
// and, for YAML mistakes, line:column.
Result<std::string> validate_chobolo(const std::string& path);

}  // namespace chaos
