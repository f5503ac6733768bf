// util/signals: chaos's one signal policy, installed by main() before anything else runs.
//
// SIGPIPE is ignored, once, here: a write to a pipe whose reader is gone is an error where it
// happens, never the end of chaos. SIGINT, SIGTERM and SIGHUP are caught. Until a command takes charge of them
// (ScopedSignalHandling), the first one ends chaos the way the default action would (nothing
// is half-done that needs reporting). A command that does take charge (apply: it must stop the
// role host and every process it started, and write the run's record) sees the signal as
// pending_signal() and the readable signal_wake_fd(), and stops at its next step; blocking
// waits poll that descriptor (term/prompt.h, the role host's reply loop).
#pragma once

namespace chaos {

void install_signal_policy();

// The first signal caught while a command handled them (SIGINT, SIGTERM, SIGHUP), else 0.
int pending_signal();
// Whether that signal came from the terminal (Ctrl-C, a hang-up), which delivers it to the
// whole foreground process group: the role host got it too and needs no copy.
bool pending_signal_from_terminal();
// Readable once a signal is pending; never drained, so every waiter sees it.
int signal_wake_fd();
// The exit status for a run stopped by `signal`: 128 + N (130 for SIGINT).
inline int exit_status_for_signal(int signal) { return 128 + signal; }

// While one exists, signals are pending instead of fatal. A third signal still ends chaos at
// once (with 128 + N), should the orderly stop itself hang.
class ScopedSignalHandling {
 public:
  ScopedSignalHandling();
  ~ScopedSignalHandling();
  ScopedSignalHandling(const ScopedSignalHandling&) = delete;
  ScopedSignalHandling& operator=(const ScopedSignalHandling&) = delete;
};

}  // namespace chaos
