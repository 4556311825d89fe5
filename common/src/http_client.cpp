#include "squadcast/http_client.hpp"

#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <thread>

#include "curl_library.hpp"
#include "fixed_environment.hpp"
#include "squadcast/endpoints.hpp"

namespace squadcast {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Transfer {
  std::size_t max_body = 0;
  bool too_large = false;
  HttpResponse response;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->response.body.size() + bytes > transfer->max_body) {
    transfer->too_large = true;
    return 0;  // makes curl abort the transfer
  }
  transfer->response.body.append(data, bytes);
  return bytes;
}

// The value of a "Name: value" header line when the name matches, trimmed.
std::optional<std::string_view> header_value(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0) return std::nullopt;
  std::string_view value = line.substr(name.size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  return value;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (auto value = header_value(line, "retry-after:")) {
    transfer->response.retry_after_seconds = parse_retry_after(*value, ::time(nullptr));
  } else if (auto date = header_value(line, "date:")) {
    transfer->response.server_date = parse_http_date(*date);
  }
  return size * count;
}

Error transport_error(const CurlLibrary& curl, CURLcode code, const char* detail, const Transfer& transfer,
                      const std::string& url) {
  std::string reason = detail[0] != '\0' ? detail : curl.easy_strerror(code);
  switch (code) {
    case CURLE_WRITE_ERROR:
      if (transfer.too_large) {
        return {ErrorKind::too_large,
                "response from " + url + " exceeds " + std::to_string(transfer.max_body) + " bytes"};
      }
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return {ErrorKind::timeout, "no answer from " + url + " in time: " + reason};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return {ErrorKind::tls, "TLS verification failed for " + url + ": " + reason};
    default:
      break;
  }
  return {ErrorKind::network, "cannot reach " + url + ": " + reason};
}

// The module's proxy is its own option or none; the helper's is the user's environment.
std::optional<std::string> effective_proxy(const HttpOptions& options) {
  if (options.proxy) return options.proxy;
  if (options.fixed_environment) return std::string();
  return std::nullopt;
}

bool is_retryable_transport(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT;
}

// Secrets in headers are never copied into curl_slist_append's unwiped strdup'ed copies:
// the list nodes point straight into Secret buffers we own and wipe.
struct HeaderList {
  std::vector<Secret> lines;
  std::vector<curl_slist> nodes;

  HeaderList(const std::vector<HttpHeader>& headers, bool with_body) {
    lines.reserve(headers.size() + 1);
    lines.emplace_back("Accept: application/json");
    if (with_body) lines.emplace_back("Content-Type: application/json");
    for (const auto& header : headers) {
      std::string line;
      line.reserve(header.name.size() + 2 + header.value.size());
      line.append(header.name).append(": ").append(header.value.reveal());
      lines.emplace_back(line);
      wipe_string(line);
    }
    nodes.resize(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      nodes[i].data = const_cast<char*>(lines[i].reveal().data());
      nodes[i].next = i + 1 < lines.size() ? &nodes[i + 1] : nullptr;
    }
  }
};

struct Request {
  std::string_view method;
  const std::string& url;
  std::string_view body;
};

Result<HttpResponse> perform_once(const CurlLibrary& curl, CURL* h, const Request& request, const HeaderList& headers,
                                  const HttpOptions& options, milliseconds remaining, bool& retryable) {
  const std::string& url = request.url;
  curl.easy_reset(h);  // keeps the connection cache, forgets every option
  Transfer transfer;
  transfer.max_body = options.max_body;
  char detail[CURL_ERROR_SIZE] = {};
  const std::string agent = user_agent();

  curl.easy_setopt(h, CURLOPT_URL, url.c_str());
  if (request.method == "POST") {
    curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl.easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  } else {
    curl.easy_setopt(h, CURLOPT_HTTPGET, 1L);
    if (request.method == "DELETE") curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
  }
  curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  // Every option that libcurl would otherwise take from the environment or a file is set.
  const char* protocols = options.allow_http_loopback ? "https,http" : "https";
  curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols);
  curl.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl.easy_setopt(h, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  if (const auto proxy = effective_proxy(options)) {
    curl.easy_setopt(h, CURLOPT_PROXY, proxy->c_str());  // "" disables the *_proxy variables
    curl.easy_setopt(h, CURLOPT_NOPROXY, "");             // and NO_PROXY cannot bypass a named one
  }
  curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl.easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(options.connect_timeout, remaining).count()));
  curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long>(1, remaining.count())));
  curl.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_body));
  curl.easy_setopt(h, CURLOPT_USERAGENT, agent.c_str());
  curl.easy_setopt(h, CURLOPT_HTTPHEADER, const_cast<curl_slist*>(&headers.nodes.front()));
  curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl.easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl.easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  curl.easy_setopt(h, CURLOPT_ERRORBUFFER, detail);

  CURLcode code = curl.easy_perform(h);
  curl.easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // `detail` dies with this frame
  if (code == CURLE_FILESIZE_EXCEEDED) {
    transfer.too_large = true;
    code = CURLE_WRITE_ERROR;
  }
  if (code != CURLE_OK) {
    retryable = is_retryable_transport(code);
    return transport_error(curl, code, detail, transfer, url);
  }
  curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  retryable = request.method == "POST" ? transfer.response.status == 429
                                       : is_retryable_status(transfer.response.status);
  return std::move(transfer.response);
}

milliseconds backoff_delay(const HttpOptions& options, int attempt) {
  static thread_local std::minstd_rand random(static_cast<unsigned>(::getpid() ^ ::time(nullptr)));
  long base = options.first_backoff.count() << std::min(attempt, 6);
  std::uniform_int_distribution<long> jitter(base / 2, base);  // "equal jitter"
  return milliseconds(jitter(random));
}

}  // namespace

std::string user_agent() { return "squadcast-auth/" SQUADCAST_VERSION; }

bool is_retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<long> parse_retry_after(std::string_view value, std::time_t now) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::nullopt;
    return std::stol(std::string(value));
  }
  auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  return std::max(0L, static_cast<long>(*date - now));
}

std::optional<std::time_t> parse_http_date(std::string_view value) {
  struct tm parsed {};
  std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parsed);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return timegm(&parsed);
}

HttpConnection::~HttpConnection() {
  if (handle_ == nullptr) return;
  auto curl = curl_library();  // loaded already: a handle exists
  if (curl) curl.value()->easy_cleanup(static_cast<CURL*>(handle_));
}

Result<HttpResponse> http_get(const std::string& url, const std::vector<HttpHeader>& headers,
                              const HttpOptions& options, HttpConnection* connection) {
  return http_send("GET", url, headers, {}, options, connection);
}

Result<HttpResponse> http_send(std::string_view method, const std::string& url,
                               const std::vector<HttpHeader>& headers, std::string_view json_body,
                               const HttpOptions& options, HttpConnection* connection) {
  if (method != "GET" && method != "POST" && method != "DELETE") {
    return Error{ErrorKind::config, "unsupported HTTP method"};
  }
  if (auto allowed = check_url_allowed(url, options.allow_http_loopback); !allowed) return allowed.error();
  // Loading libcurl runs library constructors and curl_global_init, which already read
  // variables (SSLKEYLOGFILE, CURL_SSL_BACKEND, OPENSSL_CONF): the guard covers them too.
  std::optional<FixedEnvironment> fixed;
  if (options.fixed_environment) fixed.emplace();
  auto curl = curl_library();
  if (!curl) return curl.error();
  const HeaderList header_list(headers, method == "POST");
  const Request request{method, url, json_body};
  auto deadline = Clock::now() + options.deadline;
  if (options.not_after && *options.not_after < deadline) deadline = *options.not_after;
  HttpConnection own_connection;
  if (connection == nullptr) connection = &own_connection;
  if (connection->handle() == nullptr) {
    connection->adopt(curl.value()->easy_init());
    if (connection->handle() == nullptr) return Error{ErrorKind::network, "libcurl could not create a handle"};
  }

  for (int attempt = 1;; ++attempt) {
    auto remaining = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) return Error{ErrorKind::timeout, "no answer from " + url + " before the deadline"};
    bool retryable = false;
    auto result = perform_once(*curl.value(), static_cast<CURL*>(connection->handle()), request, header_list, options,
                               remaining, retryable);
    if (!retryable || attempt >= options.max_attempts) return result;

    milliseconds wait = backoff_delay(options, attempt - 1);
    if (result.ok() && result.value().retry_after_seconds) {
      wait = std::chrono::seconds(*result.value().retry_after_seconds);
    }
    if (Clock::now() + wait >= deadline) return result;  // waiting would break the deadline
    std::this_thread::sleep_for(wait);
  }
}

HttpHeader bearer_authorization(const Secret& access_token) {
  std::string bearer;
  bearer.reserve(7 + access_token.size());
  bearer.append("Bearer ").append(access_token.reveal());
  Secret value(bearer);
  wipe_string(bearer);
  return {"Authorization", std::move(value)};
}

std::string percent_encode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(hex[byte >> 4]);
      out.push_back(hex[byte & 0xF]);
    }
  }
  return out;
}

}  // namespace squadcast
