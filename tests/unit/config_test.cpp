#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "squadcast/config.hpp"

using namespace squadcast;

namespace {

struct FakeEnvironment {
  std::map<std::string, std::string> values;
  std::function<const char*(const char*)> getter() const {
    return [this](const char* name) -> const char* {
      auto it = values.find(name);
      return it == values.end() ? nullptr : it->second.c_str();
    };
  }
};

std::string write_temp(const std::string& text) {
  char path[] = "/tmp/squadcast-config-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  return path;
}

}  // namespace

TEST_CASE("config text merges global keys with the selected profile") {
  auto keys = parse_config_text("# comment\nregion = us\ntimeout=5\n[profile work]\nregion = eu\n[other]\nregion=us\n",
                                "work");
  REQUIRE(keys.ok());
  CHECK(keys.value().at("region") == "eu");
  CHECK(keys.value().at("timeout") == "5");
  auto other = parse_config_text("region = eu\n[other]\nregion = us\n", "other");
  REQUIRE(other.ok());
  CHECK(other.value().at("region") == "us");
}

TEST_CASE("malformed config text is an error naming the line") {
  auto bad = parse_config_text("region = us\nthis is not a pair\n", "default");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("line 2") != std::string::npos);
  CHECK_FALSE(parse_config_text("[unclosed\n", "default").ok());
}

TEST_CASE("unknown keys and bad values are refused") {
  Config config;
  CHECK_FALSE(apply_config_key(config, "regoin", "eu").ok());
  CHECK_FALSE(apply_config_key(config, "region", "mars").ok());
  CHECK_FALSE(apply_config_key(config, "timeout", "10s").ok());
  CHECK_FALSE(apply_config_key(config, "timeout", "0").ok());
  CHECK_FALSE(apply_config_key(config, "backend", "keychain").ok());
  CHECK(apply_config_key(config, "timeout", "20").ok());
  CHECK(config.timeout_seconds == 20);
}

TEST_CASE("layers apply in order: system file, user file, environment, flags") {
  std::string system_file = write_temp("region = eu\ntimeout = 7\nmin_validity = 60\n");
  std::string user_file = write_temp("timeout = 8\n[profile staging]\napi_url = https://api.staging.test\n");
  FakeEnvironment env;
  env.values["SQUADCAST_PROFILE"] = "staging";
  env.values["SQUADCAST_TIMEOUT"] = "9";
  ConfigSources sources{system_file, user_file, env.getter()};

  auto config = load_config({}, sources);
  REQUIRE(config.ok());
  CHECK(config.value().profile == "staging");
  CHECK(config.value().timeout_seconds == 9);
  CHECK(config.value().min_validity_seconds == 60);
  CHECK(config.value().endpoints.auth_url == "https://auth.eu.squadcast.com");
  CHECK(config.value().endpoints.api_url == "https://api.staging.test");

  ConfigOverrides flags;
  flags.region = "us";
  flags.profile = "default";
  auto flagged = load_config(flags, sources);
  REQUIRE(flagged.ok());
  CHECK(flagged.value().endpoints.api_url == "https://api.squadcast.com");
  unlink(system_file.c_str());
  unlink(user_file.c_str());
}

TEST_CASE("a bad environment value is reported with the variable's name") {
  FakeEnvironment env;
  env.values["SQUADCAST_AUTH_URL"] = "http://auth.example.test";
  auto config = load_config({}, {"", "/nonexistent/config", env.getter()});
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().message.find("http") != std::string::npos);
  env.values.clear();
  env.values["SQUADCAST_REGION"] = "mars";
  auto region = load_config({}, {"", "/nonexistent/config", env.getter()});
  REQUIRE_FALSE(region.ok());
  CHECK(region.error().message.find("SQUADCAST_REGION") != std::string::npos);
}

TEST_CASE("user directories follow XDG with a HOME fallback") {
  FakeEnvironment env;
  env.values["HOME"] = "/home/alice";
  CHECK(user_config_dir(env.getter()) == "/home/alice/.config/squadcast");
  CHECK(user_cache_dir(env.getter()) == "/home/alice/.cache/squadcast");
  env.values["XDG_CONFIG_HOME"] = "/xdg/config";
  env.values["XDG_CACHE_HOME"] = "relative/ignored";
  CHECK(user_config_dir(env.getter()) == "/xdg/config/squadcast");
  CHECK(user_cache_dir(env.getter()) == "/home/alice/.cache/squadcast");
}
