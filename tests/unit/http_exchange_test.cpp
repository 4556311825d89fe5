// The exchange and the HTTP client against the HTTPS emulator: every outcome, retries,
// deadlines, size caps and TLS checks.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>

#include "emulator_fixture.hpp"
#include "squadcast/access_token.hpp"
#include "squadcast/exchange.hpp"
#include "squadcast/jwt_claims.hpp"

using namespace squadcast;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

HttpOptions fast_options(const test::Emulator& emulator) {
  HttpOptions options;
  options.ca_file = emulator.ca_file();
  options.deadline = milliseconds(8000);
  options.first_backoff = milliseconds(20);
  return options;
}

Endpoints endpoints_of(const test::Emulator& emulator) { return {emulator.url(), emulator.url()}; }

Result<ExchangedToken> exchange(test::Emulator& emulator, const std::string& token_id,
                                const HttpOptions& options) {
  return exchange_refresh_token(endpoints_of(emulator), Secret(emulator.refresh_token(token_id)), options);
}

}  // namespace

TEST_CASE("a valid refresh token is exchanged for an access token over HTTPS") {
  test::Emulator emulator;
  auto token = exchange(emulator, "tok-admin", fast_options(emulator));
  REQUIRE(token.ok());
  CHECK(token.value().expires_at > ::time(nullptr));
  CHECK(token.value().refresh_token.reveal() == emulator.refresh_token("tok-admin"));
  auto claims = decode_token_claims(token.value().access_token);
  REQUIRE(claims.ok());
  CHECK(claims.value().email == "alice@acme.test");
  CHECK(claims.value().organization_id == "5e8edb1f7e6f7d0001a1c0de");
  CHECK(emulator.counter("exchange") == 1);
}

TEST_CASE("the identity (role and abilities) is read from the API") {
  test::Emulator emulator;
  std::optional<Secret> rotated;
  auto entry = fetch_access_token(endpoints_of(emulator), Secret(emulator.refresh_token("tok-user")),
                                  fast_options(emulator), ::time(nullptr), &rotated);
  REQUIRE(entry.ok());
  CHECK(entry.value().identity.email == "bob@acme.test");
  CHECK(entry.value().identity.role == "user");
  CHECK_FALSE(rotated.has_value());
  emulator.set_role("bob@acme.test", "admin");
  auto again = fetch_access_token(endpoints_of(emulator), Secret(emulator.refresh_token("tok-user")),
                                  fast_options(emulator), ::time(nullptr), nullptr);
  REQUIRE(again.ok());
  CHECK(again.value().identity.role == "admin");
}

TEST_CASE("a revoked refresh token is reported as revoked") {
  test::Emulator emulator;
  std::string token = emulator.refresh_token("tok-admin");
  emulator.revoke("tok-admin");
  auto result = exchange_refresh_token(endpoints_of(emulator), Secret(token), fast_options(emulator));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::revoked);
  CHECK(emulator.counter("exchange") == 1);  // a verdict is not retried
}

TEST_CASE("each failing status maps to its outcome after the retries it deserves") {
  struct Row { int status; ErrorKind kind; long requests; };
  for (Row row : {Row{403, ErrorKind::revoked, 1}, Row{400, ErrorKind::refused, 1},
                  Row{404, ErrorKind::refused, 1}, Row{429, ErrorKind::rate_limited, 3},
                  Row{500, ErrorKind::server_error, 3}, Row{502, ErrorKind::server_error, 3},
                  Row{503, ErrorKind::server_error, 3}, Row{504, ErrorKind::server_error, 3}}) {
    test::Emulator emulator;
    emulator.fault("exchange", 10, "status", row.status);
    HttpOptions options = fast_options(emulator);
    options.max_attempts = 3;
    auto result = exchange(emulator, "tok-admin", options);
    INFO("status " << row.status);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == row.kind);
    CHECK(emulator.counter("exchange") == row.requests);
  }
}

TEST_CASE("a 5xx followed by success is retried and succeeds") {
  test::Emulator emulator;
  emulator.fault("exchange", 2, "status", 503);
  auto result = exchange(emulator, "tok-admin", fast_options(emulator));
  REQUIRE(result.ok());
  CHECK(emulator.counter("exchange") == 3);
}

TEST_CASE("429 with Retry-After then success takes exactly two requests") {
  test::Emulator emulator;
  emulator.fault("exchange", 1, "status", 429, "1");
  auto started = steady_clock::now();
  auto result = exchange(emulator, "tok-admin", fast_options(emulator));
  REQUIRE(result.ok());
  CHECK(emulator.counter("exchange") == 2);
  CHECK(steady_clock::now() - started >= milliseconds(900));  // Retry-After was honoured
}

TEST_CASE("a Retry-After beyond the deadline gives up at once instead of sleeping") {
  test::Emulator emulator;
  emulator.fault("exchange", 1, "status", 429, "60");
  HttpOptions options = fast_options(emulator);
  options.deadline = milliseconds(3000);
  auto started = steady_clock::now();
  auto result = exchange(emulator, "tok-admin", options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::rate_limited);
  CHECK(steady_clock::now() - started < milliseconds(3000));
}

TEST_CASE("the deadline holds against a server that never answers") {
  test::Emulator emulator;
  emulator.fault("exchange", 5, "hang");
  HttpOptions options = fast_options(emulator);
  options.deadline = milliseconds(1500);
  auto started = steady_clock::now();
  auto result = exchange(emulator, "tok-admin", options);
  auto elapsed = steady_clock::now() - started;
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::timeout);
  CHECK(elapsed < milliseconds(1500 + 1000));
}

TEST_CASE("an oversized body is refused") {
  test::Emulator emulator;
  emulator.fault("exchange", 1, "huge");
  auto result = exchange(emulator, "tok-admin", fast_options(emulator));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::too_large);
}

TEST_CASE("malformed, truncated and dropped answers are clear errors") {
  struct Row { const char* mode; ErrorKind kind; };
  for (Row row : {Row{"malformed", ErrorKind::bad_response}, Row{"truncated", ErrorKind::network},
                  Row{"drop", ErrorKind::network}}) {
    test::Emulator emulator;
    emulator.fault("exchange", 10, row.mode);
    auto result = exchange(emulator, "tok-admin", fast_options(emulator));
    INFO(row.mode);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == row.kind);
  }
}

TEST_CASE("a server certificate from the wrong CA is refused") {
  test::Emulator emulator;
  HttpOptions options = fast_options(emulator);
  options.ca_file = emulator.other_ca_file();
  auto result = exchange(emulator, "tok-admin", options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::tls);
  CHECK(emulator.counter("exchange") == 0);
}

TEST_CASE("an expired server certificate is refused") {
  test::Emulator emulator(test::Emulator::Options{false, true});
  auto result = exchange(emulator, "tok-admin", fast_options(emulator));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::tls);
}

TEST_CASE("plain http is refused unless loopback was explicitly allowed") {
  test::Emulator emulator(test::Emulator::Options{true, false});
  HttpOptions options = fast_options(emulator);
  auto refused = exchange(emulator, "tok-admin", options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::config);
  HttpOptions loopback_allowed;
  loopback_allowed.allow_http_loopback = true;
  auto remote = exchange_refresh_token({"http://auth.squadcast.com", "http://api.squadcast.com"},
                                       Secret("abc"), loopback_allowed);
  REQUIRE_FALSE(remote.ok());
  CHECK(remote.error().kind == ErrorKind::config);
  options.allow_http_loopback = true;
  CHECK(exchange(emulator, "tok-admin", options).ok());
  CHECK(emulator.counter("exchange") == 1);
}

TEST_CASE("a server that is down is a network error, quickly") {
  std::string url;
  {
    test::Emulator emulator;
    url = emulator.url();
  }
  HttpOptions options;
  options.deadline = milliseconds(3000);
  options.first_backoff = milliseconds(20);
  auto result = exchange_refresh_token({url, url}, Secret("abc"), options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::network);
}

TEST_CASE("no error message contains a token") {
  test::Emulator emulator;
  const std::string refresh = emulator.refresh_token("tok-admin");
  std::vector<std::string> messages;
  emulator.fault("exchange", 1, "status", 401);
  messages.push_back(exchange(emulator, "tok-admin", fast_options(emulator)).error().message);
  emulator.fault("exchange", 5, "malformed");
  messages.push_back(exchange(emulator, "tok-admin", fast_options(emulator)).error().message);
  emulator.fault("exchange", 0, "none");
  emulator.fault("user", 5, "status", 500);
  HttpOptions options = fast_options(emulator);
  options.max_attempts = 1;
  auto user_failure = fetch_access_token(endpoints_of(emulator), Secret(refresh), options, 0, nullptr);
  REQUIRE_FALSE(user_failure.ok());
  messages.push_back(user_failure.error().message);
  emulator.revoke("tok-admin");
  messages.push_back(exchange_refresh_token(endpoints_of(emulator), Secret(refresh), options).error().message);
  for (const auto& message : messages) {
    INFO(message);
    CHECK_FALSE(message.empty());
    CHECK(message.find(refresh.substr(0, 12)) == std::string::npos);
    CHECK(message.find("eyJ") == std::string::npos);  // no JWT fragment
  }
}

TEST_CASE("the exchange and the user lookup share one deadline") {
  test::Emulator emulator;
  emulator.fault("exchange", 1, "none", 0, "", 1000);  // a slow but successful exchange
  emulator.fault("user", 5, "hang");
  HttpOptions options = fast_options(emulator);
  options.deadline = milliseconds(1500);
  auto started = steady_clock::now();
  auto result = fetch_access_token(endpoints_of(emulator), Secret(emulator.refresh_token("tok-admin")), options,
                                   ::time(nullptr), nullptr);
  auto elapsed = steady_clock::now() - started;
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::timeout);
  CHECK(elapsed < milliseconds(1500 + 700));
}

// The helper follows the user's proxy variables as curl does; code in setuid programs
// (fixed_environment) and an explicit proxy ignore them.
TEST_CASE("proxy variables: honoured by default, ignored in a fixed environment or with an explicit proxy") {
  test::Emulator emulator;
  const std::string dead = "http://127.0.0.1:9";  // nothing listens: a proxied request fails
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) ::setenv(name, dead.c_str(), 1);
  ::unsetenv("NO_PROXY");
  ::unsetenv("no_proxy");
  auto options = fast_options(emulator);
  options.max_attempts = 1;

  auto like_curl = exchange(emulator, "tok-admin", options);
  CHECK_FALSE(like_curl.ok());  // went to the dead proxy
  CHECK(emulator.counter("exchange") == 0);

  auto fixed = options;
  fixed.fixed_environment = true;
  CHECK(exchange(emulator, "tok-admin", fixed).ok());
  CHECK(::getenv("https_proxy") != nullptr);  // the caller's environment is back afterwards

  auto direct = options;
  direct.proxy = "";
  CHECK(exchange(emulator, "tok-admin", direct).ok());

  auto named = options;
  named.fixed_environment = true;
  named.proxy = dead;  // an explicit proxy is used even in the fixed environment
  CHECK_FALSE(exchange(emulator, "tok-admin", named).ok());
  CHECK(emulator.counter("exchange") == 2);
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"}) ::unsetenv(name);
}

TEST_CASE("the server's Date header reaches HttpResponse, skewed as the emulator is told") {
  test::Emulator emulator;
  HttpOptions options = fast_options(emulator);
  auto plain = http_get(emulator.url() + "/", {}, options);
  REQUIRE(plain.ok());
  REQUIRE(plain.value().server_date.has_value());
  CHECK(std::labs(static_cast<long>(*plain.value().server_date - ::time(nullptr))) <= 5);

  emulator.set_clock_skew(-3600);
  auto skewed = http_get(emulator.url() + "/", {}, options);
  REQUIRE(skewed.ok());
  REQUIRE(skewed.value().server_date.has_value());
  CHECK(std::labs(static_cast<long>(*skewed.value().server_date - ::time(nullptr)) + 3600) <= 5);

  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == std::time_t{784111777});
  CHECK_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
  CHECK_FALSE(parse_http_date("").has_value());
}
