// One place that reads configuration: system file, user file, environment, flags.
#pragma once

#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "squadcast/endpoints.hpp"
#include "squadcast/result.hpp"

namespace squadcast {

using KeyValues = std::map<std::string, std::string>;

// "key = value" lines, '#' comments, "[profile NAME]" (or "[NAME]") sections.
// Keys before any section apply to every profile. Returns the merged keys of `profile`.
Result<KeyValues> parse_config_text(std::string_view text, std::string_view profile);

struct Config {
  std::string profile = "default";
  std::string region = "us";
  Endpoints endpoints;
  std::string ca_file;
  bool allow_http_loopback = false;
  int timeout_seconds = 10;
  int min_validity_seconds = 300;
  std::string credential_backend = "auto";
};

struct ConfigOverrides {  // from command-line flags
  std::optional<std::string> profile, region, auth_url, api_url, ca_file, backend;
};

struct ConfigSources {
  std::string system_file = "/etc/squadcast/config";
  std::string user_file;  // empty: $XDG_CONFIG_HOME/squadcast/config
  std::function<const char*(const char*)> getenv = [](const char* name) { return ::getenv(name); };
};

// Applies `key=value` to config; unknown keys are an error naming the key.
Status apply_config_key(Config& config, std::string_view key, std::string_view value);

Result<Config> load_config(const ConfigOverrides& overrides, const ConfigSources& sources = {});

// $XDG_CONFIG_HOME/squadcast (or ~/.config/squadcast) and $XDG_CACHE_HOME/squadcast.
std::string user_config_dir(const std::function<const char*(const char*)>& getenv = ::getenv);
std::string user_cache_dir(const std::function<const char*(const char*)>& getenv = ::getenv);

}  // namespace squadcast
