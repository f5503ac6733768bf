#include "apply/sudo_password.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "term/prompt.h"
#include "util/fs.h"

namespace chaos {
namespace {

// Longer than any password; what is typed beyond it is read and dropped.
constexpr size_t kMaxPasswordBytes = 4096;

std::string strip_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

Result<std::string> prompt_hidden(const std::string& prompt) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return Error("no terminal to ask for the sudo password on");
  // Ctrl-C acts at once and echo comes back on (term/prompt.h).
  LineInput typed = ask(tty, tty, prompt, kMaxPasswordBytes, /*echo=*/false);
  ::close(tty);
  if (typed.status == LineInput::Status::interrupted) return Error("interrupted");
  if (typed.status == LineInput::Status::error) return Error("cannot read the sudo password from the terminal");
  return strip_newline(typed.text);
}

Result<std::optional<std::string>> obtain_sudo_password(const PasswordSources& sources, bool needed) {
  if (!sources.file.empty()) {
    auto text = read_file(sources.file);
    if (!text) return Error("cannot read the sudo password file: " + text.error().message, sources.file);
    return std::optional<std::string>(strip_newline(*text));
  }
  if (sources.literal) return std::optional<std::string>(*sources.literal);
  if (!needed) return std::optional<std::string>();
  if (sources.stdin_is_terminal) {
    auto typed = prompt_hidden("[sudo] password for the target hosts: ");
    if (!typed) return typed.error();
    return std::optional<std::string>(*typed);
  }
  std::string piped;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n > 0) {
      piped.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  piped = strip_newline(piped);
  if (piped.empty()) return std::optional<std::string>();
  return std::optional<std::string>(piped);
}

}  // namespace chaos
