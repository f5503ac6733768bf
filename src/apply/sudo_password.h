#pragma once

#include <optional>
#include <string>

#include "util/error.h"

namespace chaos {

struct PasswordSources {
  std::string file;                    // -pf/--sudo_password_file
  std::optional<std::string> literal;  // -ps PW (leaks into the process list; warned about)
  bool stdin_is_terminal = false;
};

// The sudo password, when one is needed: from -pf, else -ps, else a no-echo prompt on the
// terminal, else standard input when it is not a terminal. Empty optional: no password.
Result<std::optional<std::string>> obtain_sudo_password(const PasswordSources& sources, bool needed);

// Reads one line from /dev/tty without echo.
Result<std::string> prompt_hidden(const std::string& prompt);

}  // namespace chaos
