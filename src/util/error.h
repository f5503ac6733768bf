// util/: small building blocks shared by every concern (errors, files, processes).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace chaos {

// A failure the user can act on. `where` names the file (with line:column when known), the
// entry point or the command; `hint` says what to do about it. Errors are values: functions
// that can fail return Result<T> instead of throwing across module lines.
struct Error {
  std::string message;
  std::string where;
  std::string hint;

  Error() = default;
  explicit Error(std::string msg, std::string at = {}, std::string fix = {})
      : message(std::move(msg)), where(std::move(at)), hint(std::move(fix)) {}
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

// For operations that return nothing on success.
using Status = std::optional<Error>;

}  // namespace chaos
