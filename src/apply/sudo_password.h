#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace chaos {

struct PasswordSources {
  std::string file;                    // -pf/--sudo_password_file
  std::optional<std::string> literal;  // -ps PW (leaks into the process list; warned about)
  bool stdin_is_terminal = false;
};

// The longest sudo password read from a file or standard input: a line longer than this is an
// error, not a reason to read (and keep in memory) whatever the other end keeps sending.
inline constexpr size_t kMaxPasswordBytes = 4096;

// The sudo password chaos can have before anything runs: from -pf, else -ps, else (when
// `needed`) a no-echo prompt on the terminal. Standard input that is not a terminal is never
// read here: read_password_line() reads it later, once an operation turns out to need sudo.
// Empty optional: no password.
Result<std::optional<std::string>> obtain_sudo_password(const PasswordSources& sources, bool needed);

// One line from fd (the newline and a carriage return before it dropped), at most
// kMaxPasswordBytes; a longer line is an error. End of input with nothing read: no password.
Result<std::optional<std::string>> read_password_line(int fd);

// Whether sudo would ask this user for a password: `sudo -n true` fails saying one is required.
// False when sudo is missing or lets the user in without one (NOPASSWD, a cached ticket).
bool sudo_requires_password();

// Where the sudo password may go, by the hosts a run works on. The role host hands it to sudo
// privately on @local (a named pipe) and on SSH hosts (the SSH channel's standard input);
// other connectors would get it pyinfra's way, in a command line, so none is sent to them.
struct SudoRoutes {
  bool local = false;             // @local is among the hosts
  bool ssh = false;               // an SSH host is (a plain name, or @ssh/NAME)
  std::vector<std::string> none;  // hosts on other connectors (@docker/..., @chroot/...)
};
SudoRoutes sudo_routes(const std::vector<std::string>& host_names);

// Reads one line from /dev/tty without echo.
Result<std::string> prompt_hidden(const std::string& prompt);

}  // namespace chaos
