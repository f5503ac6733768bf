#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace chaos {

// chaos runs as root with what it finds on disk, so a file or directory it imports code from,
// or keeps caches and state in, must not be changeable by anyone but root and the user running
// chaos. The path is trusted when it and every directory above it (both as written and with
// symlinks resolved) are owned by root or the effective user, the path itself is writable by
// neither group nor others, and every directory above it is either not writable by group and
// others or sticky (like /tmp: others cannot rename what is not theirs).
//
// Returns an error naming the offending path, its owner and mode, with the command that fixes
// it in the hint. `what` says what the path is for ("the plugin directory", ...).
// A path that does not exist is checked through its nearest existing ancestor: that is what
// decides who could create it.
Status check_trusted_path(const std::string& path, std::string_view what);

}  // namespace chaos
