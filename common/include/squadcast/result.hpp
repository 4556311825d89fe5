// Errors are values: a kind the front-ends branch on and a message for people.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace squadcast {

enum class ErrorKind {
  config,         // bad configuration or arguments
  invalid_input,  // malformed token or protocol input
  network,        // could not connect, DNS, connection reset
  timeout,        // the deadline passed
  tls,            // certificate or TLS failure
  too_large,      // response over the size cap
  revoked,        // 401/403 from the exchange: refresh token revoked or invalid
  rate_limited,   // 429 after retries
  server_error,   // 5xx after retries, or another unexpected status
  bad_response,   // not the JSON we expect
  not_found,      // nothing stored
  permission,     // a file with unsafe owner, mode or type; an API 403 on a resource
  io,             // read/write failure
};

const char* to_string(ErrorKind kind);

// True for failures that mean "Squadcast could not be reached", as opposed to a verdict.
bool is_unreachable(ErrorKind kind);

struct Error {
  ErrorKind kind;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

struct Done {};
using Status = Result<Done>;
inline Status success() { return Done{}; }

}  // namespace squadcast
