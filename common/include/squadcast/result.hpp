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
  refused,        // another definite no: a 4xx other than 401/403/429, or a 1xx-3xx
  rate_limited,   // 429 after retries
  server_error,   // 5xx after retries
  bad_response,   // an answer that is not the JSON we expect, or is but is wrong
  not_found,      // nothing stored
  permission,     // a file with unsafe owner, mode or type; an API 403 on a resource
  io,             // read/write failure
  forbidden,      // 403 from an API call: the caller's role or abilities do not allow it
};

const char* to_string(ErrorKind kind);

// True for failures that mean "Squadcast could not be reached" (transport failures,
// timeouts, 429, 5xx), as opposed to a verdict. Only these may ever be graced: an answer
// that came back over verified TLS, however odd, is Squadcast's and is never an outage.
bool is_unreachable(ErrorKind kind);

// True for the outages that an offline grace may cover: the unreachable ones that the
// token's holder cannot bring about. A 429 is not one: Squadcast counts a token's own
// requests, so whoever holds a token (a revoked one included) can exhaust its limit on
// purpose and turn "revoked" into "unreachable".
bool may_be_graced(ErrorKind kind);

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
