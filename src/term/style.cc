#include "term/style.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace chaos {

bool stream_is_terminal(int fd) { return ::isatty(fd) == 1; }

bool colour_enabled_for(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour && *no_colour) return false;
  const char* force = std::getenv("CLICOLOR_FORCE");
  if (force && *force && std::strcmp(force, "0") != 0) return true;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return stream_is_terminal(fd);
}

namespace {

// One dimension of the terminal on fd, else the environment variable, else the fallback.
int terminal_size(int fd, unsigned short winsize::*dimension, const char* variable, int fallback) {
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.*dimension > 0) return ws.*dimension;
  if (const char* value = std::getenv(variable)) {
    int n = std::atoi(value);
    if (n > 0) return n;
  }
  return fallback;
}

}  // namespace

int terminal_width(int fd) { return terminal_size(fd, &winsize::ws_col, "COLUMNS", 80); }

int terminal_height(int fd) { return terminal_size(fd, &winsize::ws_row, "LINES", 24); }

std::string Painter::operator()(Tone tone, std::string_view text) const {
  if (!colour_ || tone == Tone::plain) return std::string(text);
  const char* code = "";
  switch (tone) {
    case Tone::plain:
      break;
    case Tone::bold:
      code = "1";
      break;
    case Tone::dim:
      code = "2";
      break;
    case Tone::red:
      code = "31";
      break;
    case Tone::green:
      code = "32";
      break;
    case Tone::yellow:
      code = "33";
      break;
    case Tone::blue:
      code = "34";
      break;
    case Tone::magenta:
      code = "35";
      break;
    case Tone::cyan:
      code = "36";
      break;
    case Tone::italic_cyan:
      code = "3;36";
      break;
  }
  std::string out = "\x1b[";
  out += code;
  out += 'm';
  out.append(text);
  out += "\x1b[0m";
  return out;
}

size_t display_width(std::string_view text) {
  size_t width = 0;
  bool in_escape = false;
  for (unsigned char c : text) {
    if (in_escape) {
      if (c == 'm') in_escape = false;
      continue;
    }
    if (c == 0x1b) {
      in_escape = true;
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

}  // namespace chaos
