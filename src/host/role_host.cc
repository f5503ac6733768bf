#include "host/role_host.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "host/output_lines.h"
#include "util/subprocess.h"

extern char** environ;

namespace chaos {
namespace {

using nlohmann::json;

constexpr size_t kStderrTailLines = 20;
// How long the host may take to say hello: Python start-up on a loaded machine.
constexpr int kHelloTimeoutMs = 60000;

std::atomic<bool> g_interrupt_pending{false};
std::atomic<bool> g_interrupt_from_terminal{false};
int g_wake_pipe[2] = {-1, -1};

void on_interrupt(int, siginfo_t* info, void*) {
  // A terminal's Ctrl-C reaches the whole foreground process group, host included; a `kill`
  // aimed at chaos alone must be passed on.
  g_interrupt_from_terminal = info && info->si_code == SI_KERNEL;
  g_interrupt_pending = true;
  if (g_wake_pipe[1] >= 0) {
    char c = 1;
    ssize_t ignored = ::write(g_wake_pipe[1], &c, 1);
    (void)ignored;
  }
}

// The bootstrap drops the `-c` entry from sys.path (the host drops the current directory
// for `-m` the same way) and appends the SDK directory, then runs `chaos.host`.
std::string bootstrap_script(const std::string& sdk_dir) {
  std::string script =
      "import sys\n"
      "if sys.path and sys.path[0] in ('', '.'):\n"
      "    del sys.path[0]\n";
  if (!sdk_dir.empty()) script += "sys.path.append(" + json(sdk_dir).dump() + ")\n";
  script += "import runpy\nrunpy.run_module('chaos.host', run_name='__main__')\n";
  return script;
}

}  // namespace

void RoleHost::install_interrupt_handler() {
  if (g_wake_pipe[0] < 0 && ::pipe2(g_wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_wake_pipe[0] = g_wake_pipe[1] = -1;
  struct sigaction sa {};
  sa.sa_sigaction = on_interrupt;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

Result<std::unique_ptr<RoleHost>> RoleHost::start(const HostLaunch& launch) {
  int requests[2], replies[2], errors[2];
  if (::pipe2(requests, O_CLOEXEC) != 0) return Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  if (::pipe2(replies, O_CLOEXEC) != 0) {
    ::close(requests[0]);
    ::close(requests[1]);
    return Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  if (::pipe2(errors, O_CLOEXEC) != 0) {
    for (int fd : {requests[0], requests[1], replies[0], replies[1]}) ::close(fd);
    return Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // Fixed numbers in the child: 3 reads requests, 4 writes replies; stderr is tee'd by us.
  posix_spawn_file_actions_adddup2(&actions, requests[0], 3);
  posix_spawn_file_actions_adddup2(&actions, replies[1], 4);
  posix_spawn_file_actions_adddup2(&actions, errors[1], 2);

  std::vector<std::string> argv = {launch.interpreter, "-c", bootstrap_script(launch.sdk_dir), "--request-fd", "3",
                                   "--reply-fd",       "4"};
  if (!launch.warm_pyinfra) argv.emplace_back("--no-warm");
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, launch.interpreter.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(requests[0]);
  ::close(replies[1]);
  ::close(errors[1]);
  if (rc != 0) {
    for (int fd : {requests[1], replies[0], errors[0]}) ::close(fd);
    return Error("cannot start the role host: " + std::string(std::strerror(rc)), launch.interpreter,
                 "check the plugin environment with `chaos doctor`");
  }
  // A host that died must not kill us with SIGPIPE while we write a request.
  ::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<RoleHost> host(new RoleHost());
  host->pid_ = pid;
  host->request_fd_ = requests[1];
  host->reply_fd_ = replies[0];
  host->stderr_fd_ = errors[0];
  host->prepend_ = launch.sys_path_prepend;
  ::fcntl(host->stderr_fd_, F_SETFL, O_NONBLOCK);
  return host;
}

RoleHost::~RoleHost() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  for (int fd : {request_fd_, reply_fd_, stderr_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void RoleHost::pump_stderr(bool flush_all) {
  if (stderr_fd_ < 0) return;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(stderr_fd_, buf, sizeof buf);
    if (n > 0) {
      // Pass it on as it comes, so plugin output and tracebacks are seen live.
      ssize_t ignored = ::write(STDERR_FILENO, buf, static_cast<size_t>(n));
      (void)ignored;
      // Linear in the output however it is chunked; a line without end stays bounded.
      add_output_lines(std::string_view(buf, static_cast<size_t>(n)), stderr_partial_, stderr_tail_, kStderrTailLines);
      continue;
    }
    if (n == 0) {
      ::close(stderr_fd_);
      stderr_fd_ = -1;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (flush_all && !stderr_partial_.empty()) {
    stderr_tail_.push_back(stderr_partial_);
    stderr_partial_.clear();
  }
}

Status RoleHost::send(const json& message) {
  std::string line = message.dump() + "\n";
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(request_fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return death_error("receiving a request");
    }
    done += static_cast<size_t>(n);
  }
  return std::nullopt;
}

Result<json> RoleHost::read_message(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto nl = reply_buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = reply_buffer_.substr(0, nl);
      reply_buffer_.erase(0, nl + 1);
      json message = json::parse(line, nullptr, false);
      if (message.is_discarded() || !message.is_object()) {
        return Error("the role host sent something that is not a protocol message: " + line.substr(0, 200));
      }
      last_message_text_ = std::move(line);
      return message;
    }
    if (g_interrupt_pending.exchange(false)) {
      interrupted_ = true;
      if (!g_interrupt_from_terminal) interrupt();
    }
    pollfd fds[3] = {{reply_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}, {g_wake_pipe[0], POLLIN, 0}};
    int wait_ms = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return Error("the role host did not answer within " + std::to_string(timeout_ms / 1000) + " s");
      wait_ms = static_cast<int>(left.count());
    }
    int ready = ::poll(fds, 3, wait_ms);
    if (ready < 0 && errno != EINTR) return Error(std::string("poll: ") + std::strerror(errno));
    if (ready <= 0) continue;
    if (fds[2].revents & POLLIN) {
      char drain[16];
      while (::read(g_wake_pipe[0], drain, sizeof drain) > 0) {
      }
    }
    if (fds[1].revents) pump_stderr(false);
    if (fds[0].revents) {
      char buf[65536];
      ssize_t n = ::read(reply_fd_, buf, sizeof buf);
      if (n > 0) {
        reply_buffer_.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        return death_error("running");
      } else if (errno != EINTR) {
        return Error(std::string("reading from the role host: ") + std::strerror(errno));
      }
    }
  }
}

Error RoleHost::death_error(const std::string& while_doing) {
  if (!exited_) {
    int status = 0;
    // The reply pipe closed; give the process a moment to finish exiting.
    for (int i = 0; i < 200 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) ::usleep(10000);
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    exited_ = true;
    exit_status_ = status;
  }
  pump_stderr(true);
  int code = WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : -1;
  int sig = WIFSIGNALED(exit_status_) ? WTERMSIG(exit_status_) : 0;
  std::string message =
      "the role host (pid " + std::to_string(pid_) + ") died while " + while_doing + ": " + describe_exit(code, sig);
  if (!stderr_tail_.empty()) {
    message += "\nlast lines it wrote to stderr:";
    for (const auto& line : stderr_tail_) message += "\n  | " + line;
  }
  Error e(message, "", "run `chaos doctor` to check the plugin environment; -vvv shows the host's logs");
  if (interrupted_ || (sig == SIGINT) || code == 130) e.message = "interrupted";
  return e;
}

Result<json> RoleHost::handshake() {
  if (handshaken_) return hello_;
  auto hello = read_message(kHelloTimeoutMs);
  if (!hello) return hello.error();
  if (hello->value("type", "") != "hello") return Error("the role host did not start with a hello: " + hello->dump());
  int protocol = hello->value("protocol", 0);
  if (protocol != kHostProtocol) {
    return Error("the role host speaks protocol " + std::to_string(protocol) + ", this chaos speaks " +
                     std::to_string(kHostProtocol),
                 "", "install the chaos Python package of the same version as the binary into the plugin environment");
  }
  hello_ = *hello;
  handshaken_ = true;
  auto result = call("handshake", {{"protocol", kHostProtocol}, {"sys_path_prepend", prepend_}});
  if (!result) return result.error();
  handshake_reply_ = *result;
  return hello_;
}

Result<json> RoleHost::call(const std::string& method, const json& params, const EventHandler& on_event) {
  if (!handshaken_ && method != "handshake") {
    auto hs = handshake();
    if (!hs) return hs.error();
  }
  int id = next_id_++;
  if (auto err = send({{"type", "request"}, {"id", id}, {"method", method}, {"params", params}})) return *err;
  for (;;) {
    auto message = read_message(-1);
    if (!message) return message.error();
    std::string type = message->value("type", "");
    if (type == "event") {
      if (on_event) on_event(*message);
      continue;
    }
    if (type != "reply" || message->value("id", -1) != id) continue;
    if (message->value("ok", false)) return message->contains("result") ? (*message)["result"] : json::object();
    const json& err = (*message)["error"];
    last_error_.kind = err.value("kind", "error");
    last_error_.message = err.value("message", "the role host reported an error");
    last_error_.details = err;
    return Error(last_error_.message);
  }
}

nlohmann::ordered_json RoleHost::last_result_in_order() const {
  auto message = nlohmann::ordered_json::parse(last_message_text_, nullptr, false);
  if (!message.is_object() || !message.contains("result")) return nlohmann::ordered_json::object();
  return message["result"];
}

void RoleHost::interrupt() {
  if (!exited_ && pid_ > 0) ::kill(pid_, SIGINT);
}

void RoleHost::shutdown(int grace_ms) {
  if (exited_) return;
  if (handshaken_) {
    json request = {{"type", "request"}, {"id", next_id_++}, {"method", "shutdown"}, {"params", json::object()}};
    (void)send(request);
  }
  ::close(request_fd_);  // EOF also tells the host to stop
  request_fd_ = -1;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    pump_stderr(false);
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    ::usleep(5000);
  }
  pump_stderr(true);
  exited_ = true;
  exit_status_ = status;
}

}  // namespace chaos
