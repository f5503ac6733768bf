// host/messages: the one checked path from a line on the reply pipe to a typed message.
//
// Everything the role host sends is untrusted: it runs plugin code, and a plugin can write on
// any descriptor of its process. Each line is decoded here into a HostMessage whose every field
// the core reads has been checked for presence and type (so no later `json::value()` can throw
// or read the wrong kind of value), and each reply's result is checked against what the core
// reads of that method's result. A failure is a protocol error that names the message
// (truncated, control characters escaped) and the field at fault.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/error.h"

namespace chaos {

// A host error reply, with everything it said (plugin, entry point, role, host, traceback).
// `kind` is what the core decides on: interrupted (the host's `interrupted` reply), protocol
// (the core refused the stream), host_error (any other error reply, whose `wire_kind` says
// which, docs/protocol.md §5.4), host_died when no reply came at all.
struct HostError {
  ErrorKind kind = ErrorKind::host_died;
  std::string wire_kind;
  std::string message;
  nlohmann::json details;
};

struct HostHello {
  nlohmann::json document;  // the whole hello as sent
  int protocol = 0;
  std::vector<std::string> capabilities;
  std::string python;
  int64_t pid = 0;
  std::optional<std::string> pyinfra;
  std::string executable;
  std::vector<std::string> sys_path;
};

struct HostReply {
  int64_t id = 0;
  bool ok = false;
  // ok: the method's result, with its keys in the order the host sent them (plugin data such as
  // chaos.keys templates keeps its author's order). Parsed once, with the message.
  nlohmann::ordered_json result = nlohmann::ordered_json::object();
  HostError error;  // !ok
};

// The event kinds of docs/protocol.md §7; anything else is a protocol error.
enum class HostEventKind { connect, role_start, role_skipped, delta, role_error, op_staged, op_start, op_done, log };

// What the core reads of each event kind (docs/protocol.md §7), decoded from the checked body.
struct RoleStartEvent {
  std::string phase;  // prepare | plan
  std::string host;
  std::string role;
  std::string kind = "class";  // plan phase: class | legacy
};
struct OpEvent {  // op_staged, op_start, op_done
  std::string host;
  std::string op;
};
struct DeltaEvent {
  std::string host;
  std::string role;
  nlohmann::json to_add = nlohmann::json::object();
  nlohmann::json to_remove = nlohmann::json::object();
  bool empty = true;
};
struct ConnectEvent {
  std::string host;
  bool ok = true;
  std::string error;
};
struct LogEvent {
  std::string level;
  std::string message;
  std::optional<std::string> host;
};
struct RoleErrorEvent {
  nlohmann::json error;  // an @error object: rendered and reported as sent
};
struct RoleSkippedEvent {
  std::string host;
  std::string role;
};

struct HostEvent {
  HostEventKind kind = HostEventKind::log;
  std::string name;     // as sent: "op_done"
  nlohmann::json body;  // the whole message, every field checked for its kind (for the renderers)
  std::variant<std::monostate, RoleStartEvent, OpEvent, DeltaEvent, ConnectEvent, LogEvent, RoleErrorEvent,
               RoleSkippedEvent>
      data;  // the one matching `kind`

  template <class T>
  const T& as() const {
    return std::get<T>(data);
  }
};

struct HostMessage {
  enum class Type { hello, reply, event } type = Type::event;
  HostHello hello;
  HostReply reply;
  HostEvent event;
};

// Decodes one line (without its newline). A hello is checked only for its protocol version
// when that is not `expected_protocol`, so a mismatch is reported as such.
Result<HostMessage> decode_host_message(std::string_view line, int expected_protocol = 1);

// Checks a reply's result against what the core reads of `method`'s result (apply.prepare,
// apply.plan, apply.execute, handshake; other methods' results are checked where they are
// read). `line` is the message, for the error.
Status check_host_result(std::string_view method, const nlohmann::ordered_json& result, std::string_view line);

// Whether an event of this kind may arrive while `method` runs (§6, "Events:").
bool event_expected_during(std::string_view method, HostEventKind kind);

// "the role host sent <what>: <message, truncated and escaped>": the protocol error.
Error host_protocol_error(std::string_view what, std::string_view line);

}  // namespace chaos
