#include <catch2/catch.hpp>

#include "squadcast/endpoints.hpp"

using namespace squadcast;

TEST_CASE("regions resolve to the Squadcast hosts") {
  auto us = resolve_endpoints("us", "", "", false);
  REQUIRE(us.ok());
  CHECK(us.value().auth_url == "https://auth.squadcast.com");
  CHECK(us.value().api_url == "https://api.squadcast.com");
  auto eu = resolve_endpoints("eu", "", "", false);
  REQUIRE(eu.ok());
  CHECK(eu.value().auth_url == "https://auth.eu.squadcast.com");
  CHECK(eu.value().api_url == "https://api.eu.squadcast.com");
  CHECK_FALSE(resolve_endpoints("ap", "", "", false).ok());
}

TEST_CASE("explicit URLs override the region and lose their trailing slash") {
  auto explicit_urls = resolve_endpoints("eu", "https://auth.example.test/", "https://api.example.test:8443", false);
  REQUIRE(explicit_urls.ok());
  CHECK(explicit_urls.value().auth_url == "https://auth.example.test");
  CHECK(explicit_urls.value().api_url == "https://api.example.test:8443");
}

TEST_CASE("plain http is refused except to loopback when explicitly allowed") {
  CHECK_FALSE(check_url_allowed("http://auth.squadcast.com", true).ok());
  CHECK_FALSE(check_url_allowed("http://10.0.0.1", true).ok());
  CHECK_FALSE(check_url_allowed("http://127.0.0.1:8080", false).ok());
  CHECK(check_url_allowed("http://127.0.0.1:8080", true).ok());
  CHECK(check_url_allowed("http://[::1]:8080", true).ok());
  CHECK(check_url_allowed("http://localhost", true).ok());
  CHECK_FALSE(check_url_allowed("http://127.0.0.1.evil.test", true).ok());
  CHECK_FALSE(check_url_allowed("ftp://auth.squadcast.com", true).ok());
  CHECK(check_url_allowed("https://auth.squadcast.com", false).ok());
}

TEST_CASE("malformed URLs are refused with a reason") {
  for (const char* url : {"", "auth.squadcast.com", "https://", "https://user:pw@host", "https://host:99999",
                          "https://host:12ab", "https://ho st", "https://[::1"}) {
    auto parsed = parse_url(url);
    CHECK_FALSE(parsed.ok());
  }
  auto parsed = parse_url("HTTPS://API.Squadcast.com:443/v3");
  REQUIRE(parsed.ok());
  CHECK(parsed.value().scheme == "https");
  CHECK(parsed.value().host == "api.squadcast.com");
  CHECK(parsed.value().port == 443);
}
