#include "term/pager.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "term/style.h"
#include "util/fs.h"
#include "util/process.h"

namespace chaos {

namespace {

// Writes `text` to $PAGER's standard input; false when the pager could not be run, so the
// caller shows the text itself.
bool through_pager(const std::string& pager, const std::string& text) {
  auto pipe = make_pipe();
  if (!pipe) return false;
  // $PAGER is a shell command line ("less -R"), as for every program that honours it.
  auto child = ChildProcess::spawn({"/bin/sh", "-c", pager}, {{pipe->read.get(), 0}});
  pipe->read.reset();
  if (!child) return false;
  (void)write_all(pipe->write.get(), text, "the pager");  // a pager quit early stops reading
  pipe->write.reset();
  // 127: the shell could not find the pager.
  return !child->wait().exited_with(127);
}

}  // namespace

void show_paged(const std::string& text) {
  const char* env = std::getenv("PAGER");
  std::string pager = env ? env : "less -RFX";
  bool page = stream_is_terminal(STDOUT_FILENO) && !pager.empty() && pager != "cat" &&
              std::count(text.begin(), text.end(), '\n') >= terminal_height(STDOUT_FILENO);
  if (page) {
    std::fflush(stdout);
    // A bare `less` from $PAGER still needs -R for colours and -F to exit on short output.
    ::setenv("LESS", "FRX", 0);
    // Quitting the pager early closes the pipe: an EPIPE, not a SIGPIPE (main's signal policy).
    if (through_pager(pager, text)) return;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace chaos
