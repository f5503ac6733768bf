// Checked text from outside: argv, the environment, paths and config values reach JSON
// (caches, history, role-host messages), whose encoder refuses invalid UTF-8, and the terminal.
#pragma once

#include <string>
#include <string_view>

namespace chaos {

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` with every byte that is not part of a valid UTF-8 sequence, and every control
// character, written as \xNN: safe to show in an error message and to put in JSON.
std::string escape_invalid_utf8(std::string_view text);

}  // namespace chaos
