#include "apply/sudo_password.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fs.h"

namespace chaos {
namespace {

std::string strip_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

Result<std::string> prompt_hidden(const std::string& prompt) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return Error("no terminal to ask for the sudo password on");
  ssize_t ignored = ::write(tty, prompt.data(), prompt.size());
  (void)ignored;
  termios old{};
  bool restore = ::tcgetattr(tty, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  std::string line;
  char c;
  while (::read(tty, &c, 1) == 1 && c != '\n') line.push_back(c);
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &old);
  ignored = ::write(tty, "\n", 1);
  ::close(tty);
  return line;
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
