// term/: everything about how output looks: colour, layout, tables.
#pragma once

#include <string>
#include <string_view>

namespace chaos {

// Colour is used only on a terminal, never when NO_COLOR is set (https://no-color.org),
// always when CLICOLOR_FORCE is set. Decided once per stream at start-up.
bool stream_is_terminal(int fd);
bool colour_enabled_for(int fd);
// Columns of the terminal on fd, else $COLUMNS, else 80.
int terminal_width(int fd);
// Lines of the terminal on fd, else $LINES, else 24.
int terminal_height(int fd);

enum class Tone { plain, bold, dim, red, green, yellow, blue, magenta, cyan, italic_cyan };

// Renders text in a tone, or returns it unchanged when colour is off.
class Painter {
 public:
  explicit Painter(bool colour) : colour_(colour) {}
  std::string operator()(Tone tone, std::string_view text) const;
  bool colour() const { return colour_; }

 private:
  bool colour_;
};

// Display width of UTF-8 text: code points, not bytes (no East Asian width tables; chaos
// output is names and paths).
size_t display_width(std::string_view text);

}  // namespace chaos
