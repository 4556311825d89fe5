#include "squadcast/config.hpp"
#include "squadcast/ascii_text.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace squadcast {
namespace {

Result<int> parse_seconds(std::string_view key, std::string_view value, int min, int max) {
  int number = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || end != value.data() + value.size() || number < min || number > max) {
    return Error{ErrorKind::config, "invalid value for '" + std::string(key) + "': expected seconds between " +
                                        std::to_string(min) + " and " + std::to_string(max)};
  }
  return number;
}

Result<bool> parse_bool(std::string_view key, std::string_view value) {
  if (value == "true" || value == "yes" || value == "1") return true;
  if (value == "false" || value == "no" || value == "0") return false;
  return Error{ErrorKind::config, "invalid value for '" + std::string(key) + "': expected true or false"};
}

std::string home_dir(const std::function<const char*(const char*)>& getenv) {
  if (const char* home = getenv("HOME"); home && *home) return home;
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (getpwuid_r(geteuid(), &pw, buffer, sizeof buffer, &found) == 0 && found) return found->pw_dir;
  return "/";
}

std::string xdg_dir(const std::function<const char*(const char*)>& getenv, const char* variable,
                    const char* fallback) {
  if (const char* dir = getenv(variable); dir && dir[0] == '/') return std::string(dir) + "/squadcast";
  return home_dir(getenv) + "/" + fallback + "/squadcast";
}

Status apply_file(Config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return success();
    return Error{ErrorKind::config, "cannot read " + path + ": " + std::strerror(errno)};
  }
  std::stringstream text;
  text << in.rdbuf();
  auto keys = parse_config_text(text.str(), config.profile);
  if (!keys) return Error{ErrorKind::config, path + ": " + keys.error().message};
  for (const auto& [key, value] : keys.value()) {
    if (auto applied = apply_config_key(config, key, value); !applied) {
      return Error{ErrorKind::config, path + ": " + applied.error().message};
    }
  }
  return success();
}

}  // namespace

Result<KeyValues> parse_config_text(std::string_view text, std::string_view profile) {
  KeyValues global, selected;
  bool in_selected = false, in_section = false;
  int line_number = 0;
  while (!text.empty()) {
    auto newline = text.find('\n');
    std::string_view line = trim_whitespace(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto where = [&] { return "line " + std::to_string(line_number) + ": "; };
    if (line.front() == '[') {
      if (line.back() != ']') return Error{ErrorKind::config, where() + "unclosed section header"};
      std::string_view name = trim_whitespace(line.substr(1, line.size() - 2));
      if (name.substr(0, 8) == "profile ") name = trim_whitespace(name.substr(8));
      if (name.empty()) return Error{ErrorKind::config, where() + "empty profile name"};
      in_section = true;
      in_selected = name == profile;
      continue;
    }
    auto equals = line.find('=');
    if (equals == std::string_view::npos) return Error{ErrorKind::config, where() + "expected key = value"};
    std::string key(trim_whitespace(line.substr(0, equals)));
    std::string value(trim_whitespace(line.substr(equals + 1)));
    if (key.empty()) return Error{ErrorKind::config, where() + "empty key"};
    if (!in_section) {
      global[key] = value;
    } else if (in_selected) {
      selected[key] = value;
    }
  }
  for (auto& [key, value] : selected) global[key] = value;
  return global;
}

Status apply_config_key(Config& config, std::string_view key, std::string_view value) {
  if (key == "region") {
    if (value != "us" && value != "eu") {
      return Error{ErrorKind::config, "unknown region '" + std::string(value) + "' (expected us or eu)"};
    }
    config.region = value;
  } else if (key == "auth_url") {
    config.endpoints.auth_url = value;
  } else if (key == "api_url") {
    config.endpoints.api_url = value;
  } else if (key == "ca_file") {
    config.ca_file = value;
  } else if (key == "allow_http_loopback") {
    auto flag = parse_bool(key, value);
    if (!flag) return flag.error();
    config.allow_http_loopback = flag.value();
  } else if (key == "timeout") {
    auto seconds = parse_seconds(key, value, 1, 300);
    if (!seconds) return seconds.error();
    config.timeout_seconds = seconds.value();
  } else if (key == "min_validity") {
    auto seconds = parse_seconds(key, value, 0, 86400);
    if (!seconds) return seconds.error();
    config.min_validity_seconds = seconds.value();
  } else if (key == "backend") {
    if (value != "auto" && value != "secretservice" && value != "file" && value != "env") {
      return Error{ErrorKind::config, "unknown backend '" + std::string(value) +
                                          "' (expected auto, secretservice, file or env)"};
    }
    config.credential_backend = value;
  } else {
    return Error{ErrorKind::config, "unknown key '" + std::string(key) + "'"};
  }
  return success();
}

Result<Config> load_config(const ConfigOverrides& overrides, const ConfigSources& sources) {
  Config config;
  const auto& env = sources.getenv;
  if (const char* profile = env("SQUADCAST_PROFILE"); profile && *profile) config.profile = profile;
  if (overrides.profile) config.profile = *overrides.profile;

  const std::string user_file =
      sources.user_file.empty() ? user_config_dir(env) + "/config" : sources.user_file;
  for (const auto& path : {sources.system_file, user_file}) {
    if (path.empty()) continue;
    if (auto applied = apply_file(config, path); !applied) return applied.error();
  }

  const std::pair<const char*, const char*> env_keys[] = {
      {"SQUADCAST_REGION", "region"},       {"SQUADCAST_AUTH_URL", "auth_url"},
      {"SQUADCAST_API_URL", "api_url"},     {"SQUADCAST_CA_FILE", "ca_file"},
      {"SQUADCAST_TIMEOUT", "timeout"},     {"SQUADCAST_CREDENTIAL_BACKEND", "backend"},
      {"SQUADCAST_ALLOW_HTTP_LOOPBACK", "allow_http_loopback"},
  };
  for (const auto& [variable, key] : env_keys) {
    const char* value = env(variable);
    if (value == nullptr || *value == '\0') continue;
    if (auto applied = apply_config_key(config, key, value); !applied) {
      return Error{ErrorKind::config, std::string(variable) + ": " + applied.error().message};
    }
  }

  const std::pair<const std::optional<std::string>*, const char*> flags[] = {
      {&overrides.region, "region"},   {&overrides.auth_url, "auth_url"}, {&overrides.api_url, "api_url"},
      {&overrides.ca_file, "ca_file"}, {&overrides.backend, "backend"},
  };
  for (const auto& [flag, key] : flags) {
    if (!*flag) continue;
    if (auto applied = apply_config_key(config, key, **flag); !applied) {
      return Error{ErrorKind::config, "--" + std::string(key) + ": " + applied.error().message};
    }
  }

  auto endpoints = resolve_endpoints(config.region, config.endpoints.auth_url, config.endpoints.api_url,
                                     config.allow_http_loopback);
  if (!endpoints) return endpoints.error();
  config.endpoints = endpoints.value();
  return config;
}

std::string user_config_dir(const std::function<const char*(const char*)>& getenv) {
  return xdg_dir(getenv, "XDG_CONFIG_HOME", ".config");
}

std::string user_cache_dir(const std::function<const char*(const char*)>& getenv) {
  return xdg_dir(getenv, "XDG_CACHE_HOME", ".cache");
}

}  // namespace squadcast
