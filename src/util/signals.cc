#include "util/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace chaos {
namespace {

std::atomic<int> g_pending{0};
std::atomic<bool> g_from_terminal{false};
std::atomic<int> g_caught{0};
std::atomic<bool> g_handled{false};
int g_wake[2] = {-1, -1};

void on_signal(int sig, siginfo_t* info, void*) {
  if (!g_handled.load()) {
    // Nobody reports on this command: end it as the default action would.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return;
  }
  if (g_caught.fetch_add(1) >= 2) ::_exit(exit_status_for_signal(sig));
  int expected = 0;
  if (g_pending.compare_exchange_strong(expected, sig)) {
    // The kernel sends the terminal's Ctrl-C and hang-up (SI_KERNEL); `kill` is SI_USER.
    g_from_terminal = info && info->si_code == SI_KERNEL;
  }
  if (g_wake[1] >= 0) {
    char c = 1;
    ssize_t ignored = ::write(g_wake[1], &c, 1);
    (void)ignored;
  }
}

}  // namespace

void install_signal_policy() {
  if (g_wake[0] < 0 && ::pipe2(g_wake, O_CLOEXEC | O_NONBLOCK) != 0) g_wake[0] = g_wake[1] = -1;
  struct sigaction sa {};
  sa.sa_sigaction = on_signal;
  // SA_RESTART: code that is not waiting for a signal never sees EINTR; the waits that must
  // end on a signal poll signal_wake_fd(), and poll() is never restarted.
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  // chaos writes to pipes whose reader may be gone: a role host that died, a pager quit early,
  // `| head`. Each write handles its EPIPE; no write may kill chaos halfway through a run
  // (before its record is written). Children get the default back (util/process.cc).
  ::signal(SIGPIPE, SIG_IGN);
}

int pending_signal() { return g_pending.load(); }
bool pending_signal_from_terminal() { return g_from_terminal.load(); }
int signal_wake_fd() { return g_wake[0]; }

ScopedSignalHandling::ScopedSignalHandling() { g_handled = true; }
ScopedSignalHandling::~ScopedSignalHandling() { g_handled = false; }

}  // namespace chaos
