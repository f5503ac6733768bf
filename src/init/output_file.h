#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace chaos {

// Writes a file the user will edit (mode 0666 less the umask). Only a regular file is ever
// replaced, and only with `overwrite`: a symlink, FIFO, device or directory at `path` is an
// error either way (chaos may run as root, and `-o /dev/sda -f` must not replace a device
// node nor write through a link someone planted). The parent directory must exist: a typo in
// `-o` is an error, not a new directory tree. Without `overwrite` an existing file is never
// replaced, even by a race: the content is written beside it (created exclusively) and linked
// into place, which fails if the name is taken. The error for an existing file has
// `where` = path and an empty hint, for the caller to fill.
Status write_user_file(const std::string& path, std::string_view content, bool overwrite);

// An error unless the directory `path` is to be written in exists.
Status require_parent_directory(const std::string& path);

// True when an existing file stopped write_user_file.
bool is_exists_error(const Error& error);

}  // namespace chaos
