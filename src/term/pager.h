// term/: long output through $PAGER.
#pragma once

#include <string>

namespace chaos {

// Writes `text` to stdout, through $PAGER (default `less -RFX`) when stdout is a terminal and
// the text is taller than it. An empty $PAGER or `cat` means no pager; a pager that cannot be
// started is skipped.
void show_paged(const std::string& text);

}  // namespace chaos
