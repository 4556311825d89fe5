// The one HTTP client: libcurl, loaded on first use, with a deadline, a size cap,
// verified TLS, no redirects, and retries with backoff on connect errors, 429 and 5xx.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <ctime>
#include <string>
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

// A completed request, whatever its status; errors are transport-level failures only.
// With a connection, its handle (and any open connection) is reused.
Result<HttpResponse> http_get(const std::string& url, const std::vector<HttpHeader>& headers,
                              const HttpOptions& options, HttpConnection* connection = nullptr);

// Parses a Retry-After value (delta seconds or an HTTP date) relative to now.
std::optional<long> parse_retry_after(std::string_view value, std::time_t now);

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), as in Date and Retry-After.
std::optional<std::time_t> parse_http_date(std::string_view value);

// Whether a status is worth another attempt.
bool is_retryable_status(long status);

std::string user_agent();

}  // namespace squadcast
