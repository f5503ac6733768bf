#include "apply/sudo_password.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "term/prompt.h"
#include "util/fd.h"
#include "util/fs.h"
#include "util/process.h"

namespace chaos {
namespace {

std::string strip_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

Result<std::string> prompt_hidden(const std::string& prompt) {
  Fd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC));
  if (!tty) return Error("no terminal to ask for the sudo password on");
  // Ctrl-C acts at once and echo comes back on (term/prompt.h).
  LineInput typed = ask(tty.get(), tty.get(), prompt, kMaxPasswordBytes, /*echo=*/false);
  tty.reset();
  if (typed.status == LineInput::Status::interrupted) return Error(ErrorKind::interrupted, "interrupted");
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
  if (!sources.stdin_is_terminal) return std::optional<std::string>();
  auto typed = prompt_hidden("[sudo] password for the target hosts: ");
  if (!typed) return typed.error();
  return std::optional<std::string>(*typed);
}

Result<std::optional<std::string>> read_password_line(int fd) {
  std::string line;
  // Byte by byte: nothing after the newline is consumed (it is not ours), and the bound holds
  // whatever the writer sends (`yes | chaos apply ...`).
  for (;;) {
    char c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(std::string("cannot read the sudo password from standard input: ") + errno_text());
    if (n == 0 || c == '\n') break;
    if (line.size() == kMaxPasswordBytes) {
      return Error("the sudo password on standard input is longer than " + std::to_string(kMaxPasswordBytes) + " bytes",
                   "standard input", "give the password alone on one line, or use -pf FILE");
    }
    line.push_back(c);
  }
  line = strip_newline(line);
  if (line.empty()) return std::optional<std::string>();
  return std::optional<std::string>(line);
}

SudoRoutes sudo_routes(const std::vector<std::string>& host_names) {
  SudoRoutes routes;
  for (const auto& name : host_names) {
    if (name == "@local")
      routes.local = true;
    else if (name.empty() || name.front() != '@' || name.rfind("@ssh/", 0) == 0)
      routes.ssh = true;
    else
      routes.none.push_back(name);
  }
  return routes;
}

bool sudo_requires_password() {
  // -n: never prompt; sudo fails instead, saying a password is required. Standard input is
  // an empty pipe, so nothing of ours is read.
  auto ran = run_capture({"sudo", "-n", "true"}, RunOptions{.input = "", .timeout_ms = 10000});
  if (!ran || ran->status.exited_with(0)) return false;
  return ran->err.find("password") != std::string::npos;
}

}  // namespace chaos
