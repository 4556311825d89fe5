// Can Squadcast be reached, step by step: DNS, TCP, then TLS and an HTTP answer through
// the one HTTP client (with the configured CA file), and how far the server's clock is
// from ours. Shared by `squadcast-credential doctor` and `squadcast-pam-check`; no token
// is sent anywhere.
#pragma once

#include <chrono>
#include <string>

#include "squadcast/check_report.hpp"
#include "squadcast/endpoints.hpp"

namespace squadcast {

struct ReachabilityOptions {
  std::string ca_file;  // empty: the system trust store
  std::chrono::milliseconds timeout{10000};
  bool allow_http_loopback = false;
  bool proxy_in_use = false;  // direct DNS/TCP failures are then warnings: curl goes through the proxy
};

// Skew beyond this is a warning: token expiries are compared with our clock.
inline constexpr long max_clock_skew_seconds = 60;

// Adds rows "dns HOST", "tcp HOST:PORT", "tls HOST" for each distinct host of the
// endpoints, then "clock".
void check_reachability(CheckReport& report, const Endpoints& endpoints, const ReachabilityOptions& options);

}  // namespace squadcast
