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

void show_paged(const std::string& text) {
  const char* env = std::getenv("PAGER");
  std::string pager = env ? env : "less -RFX";
  bool page = stream_is_terminal(STDOUT_FILENO) && !pager.empty() && pager != "cat" &&
              std::count(text.begin(), text.end(), '\n') >= terminal_height(STDOUT_FILENO);
  if (page) {
    std::fflush(stdout);
    // A bare `less` from $PAGER still needs -R for colours and -F to exit on short output.
    ::setenv("LESS", "FRX", 0);
    // Quitting the pager early closes the pipe: that must not kill chaos.
    auto previous = std::signal(SIGPIPE, SIG_IGN);
    // $PAGER is a shell command line ("less -R"), as for every program that honours it.
    auto pipe = make_pipe();
    auto child = pipe ? ChildProcess::spawn({"/bin/sh", "-c", pager}, {{pipe->read.get(), 0}}) : pipe.error();
    if (pipe) pipe->read.reset();
    if (child) {
      (void)write_all(pipe->write.get(), text, "the pager");  // a pager quit early stops reading
      pipe->write.reset();
      ExitStatus status = child->wait();
      std::signal(SIGPIPE, previous);
      // 127: the shell could not find the pager; show the text ourselves.
      if (!status.exited_with(127)) return;
    } else {
      std::signal(SIGPIPE, previous);
    }
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace chaos
