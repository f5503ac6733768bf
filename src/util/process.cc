#include "util/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

#include "util/fs.h"

extern char** environ;

namespace chaos {

ExitStatus decode_wait_status(int wait_status) {
  ExitStatus s;
  if (WIFEXITED(wait_status)) s.code = WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) s.signal = WTERMSIG(wait_status);
  return s;
}

std::string describe_exit(int exit_code, int signal) {
  if (signal > 0) {
    const char* name = ::strsignal(signal);
    return "signal " + std::to_string(signal) + (name ? std::string(" (") + name + ")" : "");
  }
  return "exit status " + std::to_string(exit_code);
}

namespace {

// Our environment with `changes` applied, as execve wants it.
std::vector<std::string> environment_with(const EnvChanges& changes) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    bool changed = false;
    for (const auto& change : changes) changed = changed || change.first == name;
    if (!changed) out.emplace_back(entry);
  }
  for (const auto& [name, value] : changes)
    if (value) out.push_back(name + "=" + *value);
  return out;
}

}  // namespace

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv, const std::vector<ChildFd>& fds,
                                         bool search_path, const EnvChanges& env) {
  if (argv.empty()) return Error("internal: empty command line");
  // Each source is copied above every child number first, so that no mapping overwrites the
  // source of a later one and none is mapped onto its own number (dup2 onto the same number
  // would leave the descriptor close-on-exec, and the child would never see it).
  int floor = 3;
  for (const auto& fd : fds) floor = std::max(floor, fd.child + 1);
  std::vector<Fd> sources;
  for (const auto& fd : fds) {
    sources.emplace_back(::fcntl(fd.parent, F_DUPFD_CLOEXEC, floor));
    if (!sources.back()) return Error("cannot pass a descriptor to " + argv[0] + ": " + errno_text(), argv[0]);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (size_t i = 0; i < fds.size(); ++i) posix_spawn_file_actions_adddup2(&actions, sources[i].get(), fds[i].child);
  // chaos ignores SIGPIPE (util/signals.h) and an ignored signal stays ignored across exec:
  // children (sops, an editor, a plugin's `yes | head`) get the default back.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  if (!env.empty()) {
    env_strings = environment_with(env);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
  char** child_env = env.empty() ? environ : envp.data();
  pid_t pid = -1;
  int rc = search_path ? ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), child_env)
                       : ::posix_spawn(&pid, args[0], &actions, &attributes, args.data(), child_env);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) return Error("cannot run " + argv[0] + ": " + std::strerror(rc), argv[0]);
  ChildProcess child;
  child.pid_ = pid;
  return child;
}

ChildProcess::~ChildProcess() {
  if (running()) kill_and_wait();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (running()) kill_and_wait();
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

const std::optional<ExitStatus>& ChildProcess::poll() {
  if (running()) {
    int status = 0;
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) status_ = decode_wait_status(status);
  }
  return status_;
}

ExitStatus ChildProcess::wait() {
  if (running()) {
    int status = 0;
    pid_t got;
    while ((got = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    status_ = got == pid_ ? decode_wait_status(status) : ExitStatus{};
  }
  return status_.value_or(ExitStatus{});
}

void ChildProcess::signal(int sig) const {
  if (running()) ::kill(pid_, sig);
}

ExitStatus ChildProcess::kill_and_wait() {
  signal(SIGKILL);
  return wait();
}

namespace {

// Feeds stdin and drains stdout and stderr together, so a chatty child never blocks on a full
// pipe; stops at the deadline or when an output passes its cap.
class Capture {
 public:
  Capture(Pipe& in, Pipe& out, Pipe& err, const RunOptions& options)
      : in_(in.write), out_(out.read), err_(err.read), options_(options) {
    if (options_.input.empty()) {
      in_.reset();
    } else {
      ::fcntl(in_.get(), F_SETFL, O_NONBLOCK);
    }
  }
  bool timed_out = false;
  bool too_much = false;

  void run(ProcessOutput& result) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
    while ((out_ || err_) && !too_much) {
      pollfd fds[3] = {{out_.get(), POLLIN, 0}, {err_.get(), POLLIN, 0}, {in_.get(), POLLOUT, 0}};
      int wait_ms = -1;
      if (options_.timeout_ms > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          timed_out = true;
          return;
        }
        wait_ms = static_cast<int>(left.count());
      }
      int ready = ::poll(fds, 3, wait_ms);  // a negative descriptor is skipped by poll
      if (ready < 0) {
        if (errno == EINTR) continue;
        return;
      }
      drain(fds[0], out_, result.out);
      drain(fds[1], err_, result.err);
      if (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) feed();
    }
  }

 private:
  void drain(const pollfd& p, Fd& fd, std::string& sink) {
    if (!fd || !(p.revents & (POLLIN | POLLHUP | POLLERR))) return;
    char buf[65536];
    ssize_t got = ::read(fd.get(), buf, sizeof buf);
    if (got > 0) {
      if (sink.size() + static_cast<size_t>(got) > options_.max_output) {
        too_much = true;
        return;
      }
      sink.append(buf, static_cast<size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      fd.reset();
    }
  }

  void feed() {
    ssize_t put = ::write(in_.get(), options_.input.data() + written_, options_.input.size() - written_);
    if (put > 0) written_ += static_cast<size_t>(put);
    if (put < 0 && errno != EAGAIN && errno != EINTR) written_ = options_.input.size();
    if (written_ >= options_.input.size()) in_.reset();
  }

  Fd& in_;
  Fd& out_;
  Fd& err_;
  const RunOptions& options_;
  size_t written_ = 0;
};

}  // namespace

Result<ProcessOutput> run_capture(const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty()) return Error("internal: empty command line");
  auto in = make_pipe();
  if (!in) return in.error();
  auto out = make_pipe();
  if (!out) return out.error();
  auto err = make_pipe();
  if (!err) return err.error();
  std::vector<ChildFd> fds = {{in->read.get(), 0}, {out->write.get(), 1}, {err->write.get(), 2}};
  fds.insert(fds.end(), options.fds.begin(), options.fds.end());
  auto child = ChildProcess::spawn(argv, fds, true, options.env);
  // The child's ends are the child's now: holding them would keep its output open forever.
  in->read.reset();
  out->write.reset();
  err->write.reset();
  if (!child) return child.error();
  ProcessOutput result;
  Capture capture(*in, *out, *err, options);
  capture.run(result);
  if (capture.timed_out || capture.too_much) child->signal(SIGKILL);
  in->write.reset();
  out->read.reset();
  err->read.reset();
  ExitStatus status = child->wait();
  if (capture.timed_out) {
    return Error(argv[0] + " did not finish within " + std::to_string(options.timeout_ms / 1000) + " s", argv[0]);
  }
  if (capture.too_much) {
    return Error(argv[0] + " printed more than " + std::to_string(options.max_output) + " bytes; it was stopped",
                 argv[0]);
  }
  result.status = status;
  return result;
}

namespace {

// Our children, read from /proc.
std::vector<pid_t> children_of_this_process() {
  std::vector<pid_t> out;
  pid_t self = ::getpid();
  DirStream proc("/proc");
  while (const dirent* entry = proc.next()) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::string stat;
    if (auto text = read_file("/proc/" + std::string(entry->d_name) + "/stat")) stat = *text;
    // The command name may hold spaces and parentheses: the fields resume after the last ')'.
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    int ppid = 0;
    char state = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
      out.push_back(static_cast<pid_t>(pid));
  }
  return out;
}

}  // namespace

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

void kill_every_child() {
  for (int round = 0; round < 100; ++round) {  // bounded, in case something forks faster than we kill
    auto children = children_of_this_process();
    if (children.empty()) break;
    for (pid_t child : children) ::kill(child, SIGKILL);
    for (pid_t child : children) ::waitpid(child, nullptr, 0);
  }
}

}  // namespace chaos
