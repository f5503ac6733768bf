#include "host/role_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

#include "host/output_lines.h"
#include "plugins/python_env.h"
#include "util/fs.h"
#include "util/process.h"
#include "util/signals.h"

extern char** environ;

namespace chaos {
namespace {

using nlohmann::json;

constexpr size_t kStderrTailLines = 20;
// How long the host may take to say hello: Python start-up on a loaded machine.
constexpr int kHelloTimeoutMs = 60000;

// Where the pipes land in the host: numbers plugin code cannot guess (the host moves them
// again, and closes these, before it imports any plugin; docs/protocol.md §1).
std::pair<int, int> unpredictable_fds(std::initializer_list<int> taken) {
  rlimit limit{};
  int top = 1024;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 1024) top = static_cast<int>(limit.rlim_cur);
  if (top < 64) return {3, 4};
  unsigned seed = 0;
  if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof seed))
    seed = static_cast<unsigned>(::getpid()) * 2654435761u ^ static_cast<unsigned>(::time(nullptr));
  auto is_taken = [&](int fd, int other) {
    if (fd == other) return true;
    for (int t : taken) {
      if (fd == t) return true;
    }
    return false;
  };
  int first = -1, second = -1;
  for (int attempt = 0; attempt < 64 && (first < 0 || second < 0); ++attempt) {
    seed = seed * 1103515245u + 12345u;
    int fd = 10 + static_cast<int>((seed >> 8) % static_cast<unsigned>(top - 10));
    if (first < 0 && !is_taken(fd, -1)) {
      first = fd;
    } else if (first >= 0 && !is_taken(fd, first)) {
      second = fd;
    }
  }
  if (first < 0 || second < 0) return {3, 4};
  return {first, second};
}

// The bootstrap drops the `-c` entry from sys.path should an interpreter without -I add one
// (the host drops the current directory for `-m` the same way) and appends the SDK directory
// (checked by host_launch_for), then runs `chaos.host`.
std::string bootstrap_script(const std::string& sdk_dir) {
  std::string script =
      "import sys\n"
      "if sys.path and sys.path[0] in ('', '.'):\n"
      "    del sys.path[0]\n";
  if (!sdk_dir.empty()) script += "sys.path.append(" + json(sdk_dir).dump() + ")\n";
  // An environment without the SDK is a set-up mistake with a one-line fix, not a traceback.
  script +=
      "import importlib.util\n"
      "try:\n"
      "    found = importlib.util.find_spec('chaos.host') is not None\n"
      "except ImportError:\n"
      "    found = False\n"
      "if not found:\n"
      "    sys.exit(" +
      std::to_string(kHostExitNoSdk) +
      ")\n"
      "import runpy\nrunpy.run_module('chaos.host', run_name='__main__')\n";
  return script;
}

}  // namespace

Result<std::unique_ptr<RoleHost>> RoleHost::start(const HostLaunch& launch) {
  auto requests = make_pipe();
  if (!requests) return requests.error();
  auto replies = make_pipe();
  if (!replies) return replies.error();
  auto errors = make_pipe();
  if (!errors) return errors.error();
  // Orphans of the host's commands become our children, so an interrupted run can stop them
  // all (stop_everything); without this they would be re-parented to init, out of reach.
  become_subreaper();
  auto [request_fd, reply_fd] =
      unpredictable_fds({0, 1, 2, requests->read.get(), replies->write.get(), errors->write.get()});
  // Isolated (-I) like every Python chaos starts: see kPythonIsolatedFlag for why.
  std::vector<std::string> argv = {
      launch.interpreter, kPythonIsolatedFlag,        "-c",         bootstrap_script(launch.sdk_dir),
      "--request-fd",     std::to_string(request_fd), "--reply-fd", std::to_string(reply_fd)};
  if (!launch.warm_pyinfra) argv.emplace_back("--no-warm");
  auto child = ChildProcess::spawn(argv, {{requests->read.get(), request_fd},
                                          {replies->write.get(), reply_fd},
                                          {errors->write.get(), 2}});  // stderr is tee'd by us
  if (!child) {
    return Error("cannot start the role host: " + child.error().message, launch.interpreter,
                 "check the plugin environment with `chaos doctor`");
  }
  std::unique_ptr<RoleHost> host(new RoleHost());
  host->child_ = std::move(*child);
  host->request_fd_ = std::move(requests->write);
  host->reply_fd_ = std::move(replies->read);
  host->stderr_fd_ = std::move(errors->read);
  host->prepend_ = launch.sys_path_prepend;
  host->interpreter_ = launch.interpreter;
  ::fcntl(host->stderr_fd_.get(), F_SETFL, O_NONBLOCK);
  return host;
}

// The child's own ends of the pipes (requests->read, ...) close when start() returns, so a host
// that exits is seen as end of file on the reply pipe. ChildProcess kills and reaps a host still
// running when the RoleHost goes away.
RoleHost::~RoleHost() = default;

void RoleHost::pump_stderr(bool flush_all) {
  if (!stderr_fd_) return;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(stderr_fd_.get(), buf, sizeof buf);
    if (n > 0) {
      // Pass it on as it comes, so plugin output and tracebacks are seen live.
      ssize_t ignored = ::write(STDERR_FILENO, buf, static_cast<size_t>(n));
      (void)ignored;
      // Linear in the output however it is chunked; a line without end stays bounded.
      add_output_lines(std::string_view(buf, static_cast<size_t>(n)), stderr_partial_, stderr_tail_, kStderrTailLines);
      continue;
    }
    if (n == 0) stderr_fd_.reset();
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
    ssize_t n = ::write(request_fd_.get(), line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return death_error("receiving a request");
    }
    done += static_cast<size_t>(n);
  }
  return std::nullopt;
}

Result<HostMessage> RoleHost::read_message(int timeout_ms, std::string_view during) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto nl = reply_buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = reply_buffer_.substr(0, nl);
      reply_buffer_.erase(0, nl + 1);
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // empty lines are ignored (§2)
      if (line_filter_) line = line_filter_(line);
      auto message = decode_host_message(line, kHostProtocol);
      if (!message) return protocol_failure(message.error());
      last_message_text_ = std::move(line);
      return message;
    }
    if (pending_signal() && !signal_forwarded_) {
      // Once: the host stops on its own (SIGINT, §8.3) and replies with what completed.
      signal_forwarded_ = true;
      interrupted_ = true;
      if (!pending_signal_from_terminal()) interrupt();
    }
    // The wake descriptor stays readable once a signal is pending: poll it only until then.
    pollfd fds[3] = {{reply_fd_.get(), POLLIN, 0},
                     {stderr_fd_.get(), POLLIN, 0},
                     {signal_forwarded_ ? -1 : signal_wake_fd(), POLLIN, 0}};
    int wait_ms = -1;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return Error("the role host did not answer within " + std::to_string(timeout_ms / 1000) + " s while " +
                     std::string(during));
      wait_ms = static_cast<int>(left.count());
    }
    int ready = ::poll(fds, 3, wait_ms);
    if (ready < 0 && errno != EINTR) return Error(std::string("poll: ") + errno_text());
    if (ready <= 0) continue;
    if (fds[1].revents) pump_stderr(false);
    if (fds[0].revents) {
      char buf[65536];
      ssize_t n = ::read(reply_fd_.get(), buf, sizeof buf);
      if (n > 0) {
        reply_buffer_.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        return death_error(std::string(during));
      } else if (errno != EINTR) {
        return Error(std::string("reading from the role host: ") + errno_text());
      }
    }
  }
}

Error RoleHost::protocol_failure(Error error) {
  last_error_ = {ErrorKind::protocol, "protocol", error.message, {{"kind", "protocol"}, {"message", error.message}}};
  stop_everything();
  return error;
}

Error RoleHost::death_error(const std::string& while_doing) {
  // The reply pipe closed; give the process a moment to finish exiting.
  for (int i = 0; i < 200 && !child_.poll(); ++i) ::usleep(10000);
  ExitStatus status = child_.poll() ? *child_.status() : child_.kill_and_wait();
  pump_stderr(true);
  int code = status.code;
  int sig = status.signal;
  std::string message = "the role host (pid " + std::to_string(child_.pid()) + ") died while " + while_doing + ": " +
                        describe_exit(status);
  if (!stderr_tail_.empty()) {
    message += "\nlast lines it wrote to stderr:";
    for (const auto& line : stderr_tail_) message += "\n  | " + line;
  }
  if (code == kHostExitNoSdk && !handshaken_) {
    return Error(ErrorKind::host_unavailable,
                 "the plugin environment has no chaos SDK: `import chaos.host` fails in " + interpreter_, "",
                 "install chaos into that environment (" + interpreter_ +
                     " -m pip install chaos-cli, or `pip install .` from the chaos source), or point CHAOS_PYTHON "
                     "at the environment chaos is installed in; `chaos doctor` shows which one is used");
  }
  Error e(ErrorKind::host_died, message, "",
          "run `chaos doctor` to check the plugin environment; -vvv shows the host's logs");
  if (interrupted_ || (sig == SIGINT) || code == 130) e.message = "interrupted", e.kind = ErrorKind::interrupted;
  return e;
}

Result<json> RoleHost::handshake() {
  if (handshaken_) return hello_;
  auto hello = read_message(kHelloTimeoutMs, "starting");
  if (!hello) return hello.error();
  if (hello->type != HostMessage::Type::hello)
    return protocol_failure(host_protocol_error("something else than its hello first", last_message_text_));
  if (hello->hello.protocol != kHostProtocol) {
    return Error("the role host speaks protocol " + std::to_string(hello->hello.protocol) + ", this chaos speaks " +
                     std::to_string(kHostProtocol),
                 "", "install the chaos Python package of the same version as the binary into the plugin environment");
  }
  hello_ = std::move(hello->hello.document);
  handshaken_ = true;
  auto result = call("handshake", {{"protocol", kHostProtocol}, {"sys_path_prepend", prepend_}});
  if (!result) return result.error();
  handshake_reply_ = *result;
  return hello_;
}

Result<json> RoleHost::call(const std::string& method, const json& params, const EventHandler& on_event) {
  auto result = call_in_order(method, params, on_event);
  if (!result) return result.error();
  return json(std::move(*result));
}

Result<nlohmann::ordered_json> RoleHost::call_in_order(const std::string& method, const json& params,
                                                       const EventHandler& on_event) {
  if (!handshaken_ && method != "handshake") {
    auto hs = handshake();
    if (!hs) return hs.error();
  }
  last_error_ = HostError{};
  if (!child_.running()) return Error("the role host is not running any more");
  int id = next_id_++;
  if (auto err = send({{"type", "request"}, {"id", id}, {"method", method}, {"params", params}})) return *err;
  std::string during = "running " + method;
  for (;;) {
    auto message = read_message(-1, during);
    if (!message) return message.error();
    if (message->type == HostMessage::Type::event) {
      if (!event_expected_during(method, message->event.kind))
        return protocol_failure(host_protocol_error("an event not expected during " + method, last_message_text_));
      if (on_event) on_event(message->event);
      continue;
    }
    if (message->type != HostMessage::Type::reply || message->reply.id != id)
      return protocol_failure(host_protocol_error("a message not expected during " + method, last_message_text_));
    HostReply& reply = message->reply;
    if (reply.ok) {
      if (auto bad = check_host_result(method, reply.result, last_message_text_)) return protocol_failure(*bad);
      return std::move(reply.result);
    }
    last_error_ = std::move(reply.error);
    return Error(last_error_.kind, last_error_.message);
  }
}

void RoleHost::stop_everything() {
  if (child_.running()) child_.kill_and_wait();
  pump_stderr(true);
  kill_every_child();
}

void RoleHost::interrupt() { child_.signal(SIGINT); }

void RoleHost::shutdown(int grace_ms) {
  if (child_.running()) {
    if (handshaken_) {
      json request = {{"type", "request"}, {"id", next_id_++}, {"method", "shutdown"}, {"params", json::object()}};
      (void)send(request);  // a host that cannot take it any more is killed below
    }
    request_fd_.reset();  // EOF also tells the host to stop
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    while (!child_.poll()) {
      pump_stderr(false);
      if (std::chrono::steady_clock::now() > deadline) {
        child_.kill_and_wait();
        break;
      }
      ::usleep(5000);
    }
    pump_stderr(true);
  }
  // A stopped run leaves nothing behind; a finished one may have started a daemon on purpose.
  if (interrupted_ || pending_signal() || last_error_.kind == ErrorKind::protocol) stop_everything();
}

}  // namespace chaos
