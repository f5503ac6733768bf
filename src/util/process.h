// util/: the one process layer. Spawning (with an explicit map of the child's descriptors),
// waiting, exit-status decoding and killing live here, for run_capture and for the role host
// alike. Signal *policy* is not: main() sets it once (util/signals.h).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/error.h"
#include "util/fd.h"

namespace chaos {

// How a child ended.
struct ExitStatus {
  int code = -1;   // its exit status, or -1 when a signal ended it
  int signal = 0;  // the signal that ended it, or 0
  bool exited_with(int wanted) const { return signal == 0 && code == wanted; }
};
ExitStatus decode_wait_status(int wait_status);
// "exit status 3", "signal 9 (Killed)": for error messages.
std::string describe_exit(int exit_code, int signal);
inline std::string describe_exit(const ExitStatus& s) { return describe_exit(s.code, s.signal); }

// A descriptor of ours that the child gets at number `child` (0, 1, 2 or any other). Every
// other descriptor is close-on-exec (util/fd.h) and so never reaches it.
struct ChildFd {
  int parent;
  int child;
};

// Changes to our environment for one child: a value sets the variable, nullopt removes it.
// Only names and paths go here (SOPS_AGE_KEY_FILE=/dev/fd/3), never a secret itself.
using EnvChanges = std::vector<std::pair<std::string, std::optional<std::string>>>;

// One running child, reaped exactly once. Destroying it kills and reaps a child still running:
// nothing chaos starts outlives the object that started it by accident.
class ChildProcess {
 public:
  // Runs argv[0] (looked up on PATH when `search_path`) with `fds` mapped; the environment is
  // ours with `env` applied. Fails when it cannot be started.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv, const std::vector<ChildFd>& fds,
                                    bool search_path = false, const EnvChanges& env = {});
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }
  // How it ended, once it has been reaped.
  const std::optional<ExitStatus>& status() const { return status_; }
  // Reaps it if it has ended, without blocking.
  const std::optional<ExitStatus>& poll();
  // Blocks until it ends (EINTR is retried).
  ExitStatus wait();
  // Sends a signal while it runs (a reaped pid may already be someone else's).
  void signal(int sig) const;
  ExitStatus kill_and_wait();

 private:
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

struct ProcessOutput {
  ExitStatus status;
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
  // More descriptors for the child, at numbers 3 and up (0-2 are the captured pipes).
  std::vector<ChildFd> fds{};
  EnvChanges env{};
};

// Makes this process the reaper of its descendants' orphans (PR_SET_CHILD_SUBREAPER): what a
// child leaves running when it dies becomes our child, within reach of kill_every_child().
void become_subreaper();
// Kills (SIGKILL) and reaps every child of this process, round after round: their own children,
// re-parented to us, go in the next round. For the end of a run that was stopped: nothing it
// started may go on unattended.
void kill_every_child();

// Runs argv (no shell, looked up on PATH) and captures stdout and stderr. Fails only when the
// program cannot be started, times out or prints more than max_output; a non-zero exit is
// reported in the output.
Result<ProcessOutput> run_capture(const std::vector<std::string>& argv, const RunOptions& options = {});

}  // namespace chaos
