// Text from outside chaos (plugins, the managed machine, files) made harmless for a terminal.
//
// A plugin's delta, an operation name, a file name on the target or a line of its stderr can
// hold escape sequences that move the cursor, erase lines or retitle the window: printed raw,
// a file named "x\e[1A\e[2K" erases the line above it, e.g. the `- keep.conf` a user is about
// to confirm. Every such string passes through one of these before it is printed.
#pragma once

#include <string>
#include <string_view>

namespace chaos {

// Control characters (C0, DEL, C1), bidirectional overrides and bytes that are not UTF-8
// shown as escapes: ESC as `\x1b`, CR as `\r`, a newline as `\n`, a C1 or bidi code point as
// `\u009b`, an invalid byte as `\xff`. A backslash stays as it is. Tab is kept.
std::string visible(std::string_view text);
// The same, but newlines are kept, for values that are legitimately several lines (a diff, a
// traceback, an error message with the host's stderr tail).
std::string visible_lines(std::string_view text);

}  // namespace chaos
