#pragma once

#include <string>
#include <vector>

#include "util/error.h"

namespace chaos {

struct ProcessOutput {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended it, or 0
  std::string out;
  std::string err;
};

struct RunOptions {
  // Written to the child's stdin, then stdin is closed. Secrets travel this way, never in
  // argv or the environment.
  std::string input;
  // Kill the child after this long; 0 means wait forever.
  int timeout_ms = 0;
  // Kill the child when its stdout or stderr passes this many bytes (an error then): output is
  // held in memory, and what runs may be hostile (a .pth line runs in every interpreter probe).
  size_t max_output = size_t{16} << 20;
};

// Runs argv (no shell) and captures stdout and stderr. Fails only when the program cannot
// be started, times out or prints more than max_output; a non-zero exit is reported in the output.
Result<ProcessOutput> run_capture(const std::vector<std::string>& argv, const RunOptions& options = {});

// "exit status 3", "signal 9 (Killed)": for error messages.
std::string describe_exit(int exit_code, int signal);

}  // namespace chaos
