// util/: small building blocks shared by every concern (errors, files, processes).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace chaos {

// What kind of failure an Error is: the one thing code may branch on (messages are reworded
// for users; a reworded message must not change what the program does). Add a kind when some
// code needs to decide on it, not before.
enum class ErrorKind {
  other,             // nothing decides on it: shown to the user and that is all
  protocol,          // the role host sent something docs/protocol.md does not allow
  host_died,         // the role host exited (or closed its pipe) without answering
  host_error,        // the role host answered a request with an error reply
  host_unavailable,  // the role host could not be started or could not read a plugin
  interrupted,       // a signal stopped the work
};

// A failure the user can act on. `where` names the file (with line:column when known), the
// entry point or the command; `hint` says what to do about it. Errors are values: functions
// that can fail return Result<T> instead of throwing across module lines.
struct Error {
  std::string message;
  std::string where;
  std::string hint;
  ErrorKind kind = ErrorKind::other;

  Error() = default;
  explicit Error(std::string msg, std::string at = {}, std::string fix = {})
      : message(std::move(msg)), where(std::move(at)), hint(std::move(fix)) {}
  Error(ErrorKind k, std::string msg, std::string at = {}, std::string fix = {})
      : message(std::move(msg)), where(std::move(at)), hint(std::move(fix)), kind(k) {}
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(state_); }
  const T& value() const { return std::get<T>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing on success: empty, or the Error. A class rather than
// std::optional<Error> so that it can be [[nodiscard]]; it keeps optional's spelling
// (`return {}`, `return std::nullopt`, `if (auto err = f())`, `*err`, `err->message`).
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(std::nullopt_t) {}                                         // NOLINT: implicit by design
  Status(Error error) : error_(std::move(error)) {}                 // NOLINT: implicit by design
  Status(std::optional<Error> error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool has_value() const { return error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  Error& value() { return error_.value(); }
  const Error& value() const { return error_.value(); }
  Error& operator*() { return *error_; }
  const Error& operator*() const { return *error_; }
  Error* operator->() { return &*error_; }
  const Error* operator->() const { return &*error_; }
  void reset() { error_.reset(); }

 private:
  std::optional<Error> error_;
};

}  // namespace chaos
