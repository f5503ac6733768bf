#include "util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace chaos {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
  void close_all() {
    for (int& f : fd) {
      if (f >= 0) ::close(f);
      f = -1;
    }
  }
};

}  // namespace

std::string describe_exit(int exit_code, int signal) {
  if (signal > 0) {
    const char* name = ::strsignal(signal);
    return "signal " + std::to_string(signal) + (name ? std::string(" (") + name + ")" : "");
  }
  return "exit status " + std::to_string(exit_code);
}

Result<ProcessOutput> run_capture(const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty()) return Error("internal: empty command line");
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open()) {
    in.close_all();
    out.close_all();
    err.close_all();
    return Error(std::string("cannot create pipes: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in.fd[0]);
  ::close(out.fd[1]);
  ::close(err.fd[1]);
  in.fd[0] = out.fd[1] = err.fd[1] = -1;
  if (rc != 0) {
    in.close_all();
    out.close_all();
    err.close_all();
    return Error("cannot run " + argv[0] + ": " + std::strerror(rc), argv[0]);
  }

  // Feed stdin and drain both outputs together so a chatty child never blocks on a full pipe.
  size_t written = 0;
  if (options.input.empty()) {
    ::close(in.fd[1]);
    in.fd[1] = -1;
  } else {
    ::fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
  }
  ProcessOutput result;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
  bool timed_out = false;
  bool too_much = false;
  char buf[65536];
  while ((out.fd[0] >= 0 || err.fd[0] >= 0) && !too_much) {
    pollfd fds[3];
    int n = 0;
    int idx_out = -1, idx_err = -1, idx_in = -1;
    if (out.fd[0] >= 0) fds[idx_out = n++] = {out.fd[0], POLLIN, 0};
    if (err.fd[0] >= 0) fds[idx_err = n++] = {err.fd[0], POLLIN, 0};
    if (in.fd[1] >= 0) fds[idx_in = n++] = {in.fd[1], POLLOUT, 0};
    int wait_ms = -1;
    if (options.timeout_ms > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    int ready = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto drain = [&](int idx, Pipe& p, std::string& sink) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t got = ::read(p.fd[0], buf, sizeof buf);
      if (got > 0) {
        if (sink.size() + static_cast<size_t>(got) > options.max_output) {
          too_much = true;
          return;
        }
        sink.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(p.fd[0]);
        p.fd[0] = -1;
      }
    };
    drain(idx_out, out, result.out);
    drain(idx_err, err, result.err);
    if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t put = ::write(in.fd[1], options.input.data() + written, options.input.size() - written);
      if (put > 0) written += static_cast<size_t>(put);
      if (put < 0 && errno != EAGAIN && errno != EINTR) written = options.input.size();
      if (written >= options.input.size()) {
        ::close(in.fd[1]);
        in.fd[1] = -1;
      }
    }
  }
  if (timed_out || too_much) ::kill(pid, SIGKILL);
  in.close_all();
  out.close_all();
  err.close_all();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Error(argv[0] + " did not finish within " + std::to_string(options.timeout_ms / 1000) + " s", argv[0]);
  }
  if (too_much) {
    return Error(argv[0] + " printed more than " + std::to_string(options.max_output) + " bytes; it was stopped",
                 argv[0]);
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace chaos
