// host/: the role host, the Python process that runs plugin code, and the client side of
// its protocol (docs/protocol.md).
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/messages.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/process.h"

namespace chaos {

constexpr int kHostProtocol = 1;
// The bootstrap's exit status when the plugin environment cannot import chaos.host
// (docs/protocol.md §8.1): said as "install the SDK there", not as a traceback.
constexpr int kHostExitNoSdk = 4;

struct HostLaunch {
  std::string interpreter;
  // Plugin directories and wheels that come before the interpreter's own import path.
  std::vector<std::string> sys_path_prepend;
  // Where the chaos SDK lives, appended to the import path so an environment without the
  // `chaos` package can still host roles (an installed one wins).
  std::string sdk_dir;
  // Import pyinfra while the core is still busy (apply). Reading plugin metadata needs only
  // what the plugins import themselves, so the manifest starts the host without it.
  bool warm_pyinfra = true;
};

class RoleHost {
 public:
  using EventHandler = std::function<void(const HostEvent& event)>;

  // Starts the process and returns at once: Python's start-up overlaps the caller's work
  // until the first call that needs an answer.
  static Result<std::unique_ptr<RoleHost>> start(const HostLaunch& launch);
  ~RoleHost();
  RoleHost(const RoleHost&) = delete;
  RoleHost& operator=(const RoleHost&) = delete;

  // Waits for the host's hello and completes the handshake; idempotent.
  Result<nlohmann::json> handshake();
  const nlohmann::json& hello() const { return hello_; }
  // The host's answer to the handshake: the pyinfra version it imported (null, with
  // `pyinfra_error`, when it could not) and its final import path.
  const nlohmann::json& handshake_reply() const { return handshake_reply_; }

  // Sends one request, passes every event to on_event, and returns the reply's result. A
  // host error reply becomes an Error whose message is the host's; `last_error()` has it all.
  // Every message is decoded and checked (host/messages.h); one that is malformed or not
  // expected now is a protocol error (ErrorKind::protocol, in last_error() too), after which the
  // host is stopped: the stream cannot be trusted any more.
  Result<nlohmann::json> call(const std::string& method, const nlohmann::json& params,
                              const EventHandler& on_event = {});
  // As call(), with the result's keys in the order the host sent them: plugin data such as
  // chaos.keys templates keeps its author's order (call() hands back a sorted document).
  Result<nlohmann::ordered_json> call_in_order(const std::string& method, const nlohmann::json& params,
                                               const EventHandler& on_event = {});
  const HostError& last_error() const { return last_error_; }

  // Asks the host to stop and waits for it (killing it after `grace_ms`).
  void shutdown(int grace_ms = 5000);
  // Forwards an interrupt the host did not get from the terminal itself.
  void interrupt();

  // Rewrites every line the host sends before it is decoded: apply -s replaces decrypted values
  // (sops/redact.h) here, so that nothing read from the host (events, errors, protocol errors
  // quoting a line) can carry one into output, --json or history.
  void set_line_filter(std::function<std::string(std::string_view)> filter) { line_filter_ = std::move(filter); }
  // Whether a signal (util/signals.h) stopped the host while a call waited for it.
  bool interrupted() const { return interrupted_; }
  pid_t pid() const { return child_.pid(); }
  // Kills the host and every process it left behind (chaos is their subreaper, so orphans of
  // the host's commands become chaos's children): after an interrupt or a protocol error
  // nothing the run started may go on unattended.
  void stop_everything();

 private:
  RoleHost() = default;
  Result<HostMessage> read_message(int timeout_ms, std::string_view during);
  Error protocol_failure(Error error);
  Error death_error(const std::string& while_doing);
  void pump_stderr(bool flush_all);
  Status send(const nlohmann::json& message);

  ChildProcess child_;
  Fd request_fd_;
  Fd reply_fd_;
  Fd stderr_fd_;
  bool handshaken_ = false;
  bool interrupted_ = false;
  bool signal_forwarded_ = false;
  int next_id_ = 1;
  std::string reply_buffer_;
  std::string last_message_text_;
  std::string stderr_partial_;
  std::deque<std::string> stderr_tail_;
  nlohmann::json hello_;
  nlohmann::json handshake_reply_;
  std::function<std::string(std::string_view)> line_filter_;
  HostError last_error_;
  std::vector<std::string> prepend_;
  std::string interpreter_;
};

}  // namespace chaos
