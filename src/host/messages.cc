#include "host/messages.h"

#include <array>

#include "term/escape.h"

namespace chaos {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// How much of an offending message an error quotes.
constexpr size_t kQuotedBytes = 200;

// A small shape language, enough for what the core reads (docs/protocol.md is the full
// contract). A shape is a JSON value:
//   "string", "int", "number", "bool", "object", "array", "any", or alternatives "int|null";
//   {"key": shape, "key?": shape, "*": shape}  an object with these members ("?": may be
//     absent; "*": every other member has this shape);
//   [shape]  an array whose every element has this shape;
//   "@name"  the named shape below.
const json& shapes() {
  static const json all = json::parse(R"json({
    "error": {"kind": "string", "message": "string", "role?": "string|null", "host?": "string|null",
              "phase?": "string|null", "plugin?": "string|null", "entry_point?": "string|null",
              "file?": "string|null", "line?": "int|null", "column?": "int|null",
              "traceback?": "string|null", "errors?": ["@error"], "partial?": "object|null"},
    "hello": {"type": "string", "protocol": "int", "capabilities": ["string"], "python": "string",
              "pid": "int", "pyinfra": "string|null", "executable": "string", "sys_path": ["string"]},
    "reply": {"type": "string", "id": "int", "ok": "bool", "result?": "object", "error?": "object"},
    "delta": {"type": "string", "event": "string", "host": "string", "role": "string",
              "to_add": "object", "to_remove": "object", "metadata?": "any", "empty": "bool"},
    "connect": {"type": "string", "event": "string", "host": "string", "ok": "bool", "error?": "string|null"},
    "role_start": {"type": "string", "event": "string", "phase": "string", "host": "string", "role": "string",
                   "kind?": "string"},
    "role_skipped": {"type": "string", "event": "string", "host": "string", "role": "string", "reason": "string",
                     "keys": ["string"], "message": "string"},
    "op_staged": {"type": "string", "event": "string", "host": "string", "op": "string"},
    "skipped_role": {"host": "string", "role": "string", "reason": "string", "keys": ["string"], "*": "any"},
    "role_error": {"type": "string", "event": "string", "error": "@error"},
    "op_start": {"type": "string", "event": "string", "host": "string", "op": "string", "hash": "string",
                 "role": "string|null"},
    "op_result": {"host": "string", "op": "string", "hash": "string",
                "role": "string|null", "status": "string", "duration_s?": "number|null", "retries?": "int|null",
                "noop?": "string|null", "ignored?": "bool", "command?": "string|null", "exit_code?": "int|null",
                "stderr_tail?": ["string"], "stdout_tail?": ["string"], "messages?": ["string"]},
    "log": {"type": "string", "event": "string", "level": "string", "message": "string", "logger?": "string|null",
            "host?": "string|null", "op?": "string|null"},
    "handshake": {"protocol": "int", "pyinfra": "string|null", "pyinfra_error?": "string|null", "sys_path": ["string"]},
    "apply.prepare": {"roles": [{"tag": "string", "kind": "string", "*": "any"}],
                      "hosts": [{"name": "string", "connected": "bool", "error?": "string|null"}],
                      "deltas": [{"host": "string", "role": "string", "to_add": "object", "to_remove": "object",
                                  "empty": "bool", "*": "any"}],
                      "errors": ["@error"], "changes?": "bool", "detect_changes?": "bool",
                      "failed_roles?": {"*": ["string"]}, "not_run?": {"*": ["string"]},
                      "skipped_roles?": ["@skipped_role"], "keep_going?": "bool"},
    "apply.plan": {"hosts": {"*": [{"name": "string", "hash?": "string", "will_change?": "bool",
                                    "role?": "string|null", "args?": "array", "diff?": "string",
                                    "noop?": "string", "sudo?": "bool"}]},
                   "results?": "array", "errors": ["@error"], "changes?": "bool",
                   "failed_roles?": {"*": ["string"]}, "not_run?": {"*": ["string"]},
                      "skipped_roles?": ["@skipped_role"], "keep_going?": "bool"},
    "provider": {"text?": "string", "item?": "string", "messages?": ["string"]},
    "limani": {"ok": "bool"},
    "boats": {"hosts": [{"name": "string", "data": "object", "groups": ["string"], "boat": "string",
                         "boat_index": "int"}], "boats?": "array"},
    "execution": {"hosts": {"*": {"changed": "int", "no_change": "int", "failed": "int", "ignored?": "int",
                                  "skipped?": "int", "interrupted?": "int", "ops": ["@op_result"]}},
                  "success?": "bool", "error?": "string|null", "health?": ["object"], "command_log?": ["object"],
                  "failed_roles?": {"*": ["string"]}, "not_run?": {"*": ["string"]},
                      "skipped_roles?": ["@skipped_role"], "keep_going?": "bool"}
  })json");
  return all;
}

template <class J>
std::string type_name(const J& v) {
  switch (v.type()) {
    case nlohmann::detail::value_t::null:
      return "null";
    case nlohmann::detail::value_t::boolean:
      return "a boolean";
    case nlohmann::detail::value_t::number_integer:
    case nlohmann::detail::value_t::number_unsigned:
      return "an integer";
    case nlohmann::detail::value_t::number_float:
      return "a number";
    case nlohmann::detail::value_t::string:
      return "a string";
    case nlohmann::detail::value_t::array:
      return "an array";
    case nlohmann::detail::value_t::object:
      return "an object";
    default:
      return "binary data";
  }
}

template <class J>
bool is_type(const J& v, std::string_view type) {
  if (type == "any") return true;
  if (type == "string") return v.is_string();
  // Integers the core stores as int (counts, line numbers, exit codes) must fit one.
  if (type == "int")
    return v.is_number_integer() && v.template get<int64_t>() >= INT32_MIN && v.template get<int64_t>() <= INT32_MAX;
  if (type == "number") return v.is_number();
  if (type == "bool") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

// The first place where `v` does not have `shape`, as "path: what is wrong"; nullopt if none.
// A template so that a message is checked as it was parsed, keys in the host's order or not.
template <class J>
std::optional<std::string> shape_mismatch(const J& v, const json& shape, const std::string& path) {
  if (shape.is_string() && shape.get_ref<const std::string&>().front() == '@') {
    return shape_mismatch(v, shapes()[shape.get_ref<const std::string&>().substr(1)], path);
  }
  if (shape.is_string()) {
    std::string_view alternatives = shape.get_ref<const std::string&>();
    std::string wanted;
    size_t pos = 0;
    while (pos <= alternatives.size()) {
      size_t bar = alternatives.find('|', pos);
      if (bar == std::string_view::npos) bar = alternatives.size();
      std::string_view type = alternatives.substr(pos, bar - pos);
      if (is_type(v, type)) return std::nullopt;
      wanted += std::string(wanted.empty() ? "" : " or ") + std::string(type);
      pos = bar + 1;
    }
    return path + " must be " + wanted + ", not " + type_name(v);
  }
  if (shape.is_array()) {
    if (!v.is_array()) return path + " must be an array, not " + type_name(v);
    for (size_t i = 0; i < v.size(); ++i) {
      if (auto bad = shape_mismatch(v[i], shape[0], path + "[" + std::to_string(i) + "]")) return bad;
    }
    return std::nullopt;
  }
  if (!v.is_object()) return path + " must be an object, not " + type_name(v);
  const json* rest = nullptr;  // the shape's, not the value's
  for (const auto& [key, sub] : shape.items()) {
    if (key == "*") {
      rest = &sub;
      continue;
    }
    bool optional = key.back() == '?';
    std::string name = optional ? key.substr(0, key.size() - 1) : key;
    auto it = v.find(name);
    if (it == v.end()) {
      if (optional) continue;
      return path + "." + name + " is missing";
    }
    if (auto bad = shape_mismatch(*it, sub, path + "." + name)) return bad;
  }
  if (rest) {
    for (const auto& [key, member] : v.items()) {
      if (shape.contains(key) || shape.contains(key + "?")) continue;
      if (auto bad = shape_mismatch(member, *rest, path + "." + visible(key))) return bad;
    }
  }
  return std::nullopt;
}

std::string quoted(std::string_view line) {
  std::string text = visible(line.substr(0, kQuotedBytes));
  if (line.size() > kQuotedBytes) text += "… (" + std::to_string(line.size()) + " bytes)";
  return text;
}

template <class J>
std::vector<std::string> strings_of(const J& array) {
  std::vector<std::string> out;
  for (const auto& s : array) out.push_back(s.template get<std::string>());
  return out;
}

constexpr std::array<std::pair<std::string_view, HostEventKind>, 9> kEventKinds = {{
    {"connect", HostEventKind::connect},
    {"role_skipped", HostEventKind::role_skipped},
    {"op_staged", HostEventKind::op_staged},
    {"role_start", HostEventKind::role_start},
    {"delta", HostEventKind::delta},
    {"role_error", HostEventKind::role_error},
    {"op_start", HostEventKind::op_start},
    {"op_done", HostEventKind::op_done},
    {"log", HostEventKind::log},
}};

Result<HostError> decode_error(const ordered_json& error, std::string_view line) {
  if (auto bad = shape_mismatch(error, shapes()["error"], "error"))
    return host_protocol_error("a reply where " + *bad, line);
  // What had completed when a request failed (an interrupted execute) is read like a result.
  if (error.contains("partial") && error["partial"].is_object() && error["partial"].contains("hosts")) {
    if (auto bad = shape_mismatch(error["partial"], shapes()["execution"], "error.partial"))
      return host_protocol_error("a reply where " + *bad, line);
  }
  std::string wire_kind = error["kind"].get<std::string>();
  ErrorKind kind = wire_kind == "interrupted" ? ErrorKind::interrupted : ErrorKind::host_error;
  return HostError{kind, std::move(wire_kind), error["message"].get<std::string>(), json(error)};
}

// The typed form of a checked event body (its shape guarantees every field read here).
decltype(HostEvent::data) typed_event(HostEventKind kind, const json& b) {
  auto str = [&b](const char* key) { return b.value(key, std::string()); };
  switch (kind) {
    case HostEventKind::role_start:
      return RoleStartEvent{str("phase"), str("host"), str("role"), b.value("kind", std::string("class"))};
    case HostEventKind::op_staged:
    case HostEventKind::op_start:
    case HostEventKind::op_done:
      return OpEvent{str("host"), str("op")};
    case HostEventKind::delta:
      return DeltaEvent{str("host"), str("role"), b["to_add"], b["to_remove"], b["empty"].get<bool>()};
    case HostEventKind::connect:
      return ConnectEvent{str("host"), b["ok"].get<bool>(),
                          b.contains("error") && b["error"].is_string() ? str("error") : std::string()};
    case HostEventKind::log: {
      LogEvent log{str("level"), str("message"), std::nullopt};
      if (b.contains("host") && b["host"].is_string()) log.host = str("host");
      return log;
    }
    case HostEventKind::role_error:
      return RoleErrorEvent{b["error"]};
    case HostEventKind::role_skipped:
      return RoleSkippedEvent{str("host"), str("role")};
  }
  return std::monostate{};
}

}  // namespace

Error host_protocol_error(std::string_view what, std::string_view line) {
  return Error(ErrorKind::protocol, "protocol error: the role host sent " + std::string(what) + ": " + quoted(line), "",
               "the role host or a plugin wrote something that is not the protocol (docs/protocol.md); "
               "-vvv shows the host's logs");
}

Result<HostMessage> decode_host_message(std::string_view line, int expected_protocol) {
  // Parsed once, keeping the host's key order (a manifest result is cached in that order).
  ordered_json message = ordered_json::parse(line, nullptr, false);
  if (message.is_discarded()) return host_protocol_error("a line that is not JSON", line);
  if (!message.is_object()) return host_protocol_error("a JSON value that is not an object", line);
  auto type = message.find("type");
  if (type == message.end() || !type->is_string())
    return host_protocol_error("a message without a string `type`", line);
  HostMessage out;
  const std::string& kind = type->get_ref<const std::string&>();
  if (kind == "hello") {
    out.type = HostMessage::Type::hello;
    auto protocol = message.find("protocol");
    if (protocol == message.end() || !is_type(*protocol, "int"))
      return host_protocol_error("a hello without an integer `protocol`", line);
    out.hello.protocol = protocol->get<int>();
    if (out.hello.protocol != expected_protocol) return out;
    if (auto bad = shape_mismatch(message, shapes()["hello"], "hello"))
      return host_protocol_error("a hello where " + *bad, line);
    out.hello.capabilities = strings_of(message["capabilities"]);
    out.hello.python = message["python"].get<std::string>();
    out.hello.pid = message["pid"].get<int64_t>();
    if (message["pyinfra"].is_string()) out.hello.pyinfra = message["pyinfra"].get<std::string>();
    out.hello.executable = message["executable"].get<std::string>();
    out.hello.sys_path = strings_of(message["sys_path"]);
    out.hello.document = json(message);
    return out;
  }
  if (kind == "reply") {
    out.type = HostMessage::Type::reply;
    if (auto bad = shape_mismatch(message, shapes()["reply"], "reply"))
      return host_protocol_error("a reply where " + *bad, line);
    out.reply.id = message["id"].get<int64_t>();
    out.reply.ok = message["ok"].get<bool>();
    if (out.reply.ok) {
      if (message.contains("result")) out.reply.result = std::move(message["result"]);
      return out;
    }
    if (!message.contains("error")) return host_protocol_error("a failed reply without an `error`", line);
    auto error = decode_error(message["error"], line);
    if (!error) return error.error();
    out.reply.error = std::move(*error);
    return out;
  }
  if (kind == "event") {
    out.type = HostMessage::Type::event;
    auto name = message.find("event");
    if (name == message.end() || !name->is_string())
      return host_protocol_error("an event without a string `event`", line);
    const std::string& event = name->get_ref<const std::string&>();
    bool known = false;
    for (const auto& [text, value] : kEventKinds) {
      if (text == event) out.event.kind = value, known = true;
    }
    if (!known) return host_protocol_error("an event of unknown kind `" + visible(event) + "`", line);
    if (auto bad = shape_mismatch(message, shapes()[event == "op_done" ? "op_result" : event], event))
      return host_protocol_error("an event where " + *bad, line);
    out.event.name = event;
    out.event.body = json(message);
    out.event.data = typed_event(out.event.kind, out.event.body);
    return out;
  }
  return host_protocol_error("a message of unknown type `" + visible(kind) + "`", line);
}

Status check_host_result(std::string_view method, const ordered_json& result, std::string_view line) {
  std::string name(method);
  const char* shape = nullptr;
  if (method == "handshake") shape = "handshake";
  if (method == "apply.prepare") shape = "apply.prepare";
  if (method == "apply.plan") shape = "apply.plan";
  if (method == "apply.execute") shape = "execution";
  if (method == "provider") shape = "provider";
  if (method == "boats") shape = "boats";
  if (method == "limani") shape = "limani";
  if (!shape) return std::nullopt;
  if (auto bad = shape_mismatch(result, shapes()[shape], "result"))
    return host_protocol_error("a reply to " + name + " where " + *bad, line);
  return std::nullopt;
}

bool event_expected_during(std::string_view method, HostEventKind kind) {
  using K = HostEventKind;
  if (kind == K::log) return true;
  if (method == "apply.prepare")
    return kind == K::connect || kind == K::role_start || kind == K::role_skipped || kind == K::delta ||
           kind == K::role_error;
  if (method == "apply.plan") return kind == K::role_start || kind == K::op_staged || kind == K::role_error;
  if (method == "apply.execute") return kind == K::op_start || kind == K::op_done;
  return false;
}

}  // namespace chaos
