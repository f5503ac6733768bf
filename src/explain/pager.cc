#include "explain/pager.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "term/style.h"

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
    FILE* pipe = ::popen(pager.c_str(), "w");
    if (pipe) {
      std::fwrite(text.data(), 1, text.size(), pipe);
      int status = ::pclose(pipe);
      std::signal(SIGPIPE, previous);
      // 127: the shell could not find the pager; show the text ourselves.
      if (!(WIFEXITED(status) && WEXITSTATUS(status) == 127)) return;
    } else {
      std::signal(SIGPIPE, previous);
    }
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace chaos
