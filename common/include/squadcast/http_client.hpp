// The one HTTP client: libcurl, loaded on first use, with a deadline, a size cap,
// verified TLS, no redirects, no netrc, https only, and retries with backoff on connect errors, 429 and 5xx.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds deadline{10000};  // the whole call, retries included
  // When set, no request runs past it: several calls share one budget.
  std::optional<std::chrono::steady_clock::time_point> not_after;
  std::size_t max_body = 1024 * 1024;
  std::string ca_file;  // empty: the system's trust store
  int max_attempts = 4;
  bool allow_http_loopback = false;
  std::chrono::milliseconds first_backoff{250};
  // nullopt: libcurl follows the *_proxy / NO_PROXY variables, as curl does (the helper,
  // which runs as the user). A value: that proxy and nothing else, whatever the
  // environment says; "" means a direct connection.
  std::optional<std::string> proxy;
  // Loads, initialises and runs libcurl in a fixed, empty environment (see
  // fixed_environment.hpp): for code inside setuid programs, whose environment is the
  // caller's. Implies a direct connection unless `proxy` names one.
  bool fixed_environment = false;
};

struct HttpHeader {
  std::string name;
  Secret value;  // header values often carry tokens
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::optional<long> retry_after_seconds;
  std::optional<std::time_t> server_date;  // the Date header: doctor measures clock skew with it
};

// One libcurl handle reused across requests, so the exchange and the user lookup share
// one TCP connection and one TLS handshake. Not thread-safe: one per flow.
class HttpConnection {
 public:
  HttpConnection() = default;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection();
  void* handle() const { return handle_; }
  void adopt(void* handle) { handle_ = handle; }

 private:
  void* handle_ = nullptr;  // CURL*, created on first use
};

// "Authorization: Bearer <token>", built without leaving a copy of the token behind.
HttpHeader bearer_authorization(const Secret& access_token);

// A completed request, whatever its status; errors are transport-level failures only.
// With a connection, its handle (and any open connection) is reused.
Result<HttpResponse> http_get(const std::string& url, const std::vector<HttpHeader>& headers,
                              const HttpOptions& options, HttpConnection* connection = nullptr);

// The same for "GET", "POST" (with a JSON body) and "DELETE". A POST is retried only when
// the server cannot have acted on it (no connection, 429): a 5xx may have created something.
Result<HttpResponse> http_send(std::string_view method, const std::string& url,
                               const std::vector<HttpHeader>& headers, std::string_view json_body,
                               const HttpOptions& options, HttpConnection* connection = nullptr);

// Parses a Retry-After value (delta seconds or an HTTP date) relative to now.
std::optional<long> parse_retry_after(std::string_view value, std::time_t now);

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), as in Date and Retry-After.
std::optional<std::time_t> parse_http_date(std::string_view value);

// A query parameter's value: unreserved characters as they are, every other byte %XX.
std::string percent_encode(std::string_view value);

// Whether a status is worth another attempt.
bool is_retryable_status(long status);

std::string user_agent();

}  // namespace squadcast
