#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace chaos {

// Writes a file the user will edit (mode 0666 less the umask, parent directories 0755).
// Without `overwrite` an existing file is never replaced, even by a race: the content is
// written beside it and linked into place, which fails if the name is taken. The error for an
// existing file has `where` = path and an empty hint, for the caller to fill.
Status write_user_file(const std::string& path, std::string_view content, bool overwrite);

// True when an existing file stopped write_user_file.
bool is_exists_error(const Error& error);

}  // namespace chaos
