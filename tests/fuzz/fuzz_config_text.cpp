// parse_config_text + apply_config_key (+ resolve_endpoints on the result), as load_config
// uses them on /etc/squadcast/config and ~/.config/squadcast/config.
// The first line of the input is the profile to select; the rest is the file.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/config.hpp"

using namespace squadcast;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto [profile, text] = fuzz::split_first_line(fuzz::as_text(data, size));
  if (profile.empty()) profile = "default";

  auto keys = parse_config_text(text, profile);
  if (!keys) {
    FUZZ_CHECK(keys.error().kind == ErrorKind::config);
    return 0;
  }
  Config config;
  for (const auto& [key, value] : keys.value()) {
    FUZZ_CHECK(!key.empty());
    FUZZ_CHECK(key.front() != ' ' && key.front() != '\t' && key.back() != ' ' && key.back() != '\t');
    FUZZ_CHECK(key.find('\n') == std::string::npos && value.find('\n') == std::string::npos);
    auto applied = apply_config_key(config, key, value);
    if (!applied) FUZZ_CHECK(applied.error().kind == ErrorKind::config);
  }
  FUZZ_CHECK(config.region == "us" || config.region == "eu");
  FUZZ_CHECK(config.timeout_seconds >= 1 && config.timeout_seconds <= 300);
  FUZZ_CHECK(config.min_validity_seconds >= 0 && config.min_validity_seconds <= 86400);

  auto endpoints = resolve_endpoints(config.region, config.endpoints.auth_url, config.endpoints.api_url,
                                     config.allow_http_loopback);
  if (endpoints) {
    // Whatever is accepted must itself pass the URL policy: https, or http to loopback when allowed.
    for (const std::string* url : {&endpoints.value().auth_url, &endpoints.value().api_url}) {
      FUZZ_CHECK(check_url_allowed(*url, config.allow_http_loopback).ok());
      FUZZ_CHECK(url->empty() || url->back() != '/');
    }
  }
  return 0;
}
