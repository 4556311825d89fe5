#include <catch2/catch.hpp>

#include <map>

#include "stores/env_store.hpp"
#include "stores/secret_service_store.hpp"
#include "stores/store_selection.hpp"

using namespace squadcast;
using namespace squadcast::helper;

namespace {
Getenv environment(std::map<std::string, std::string> values) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(values));
  return [shared](const char* name) -> const char* {
    auto found = shared->find(name);
    return found == shared->end() ? nullptr : found->second.c_str();
  };
}
}  // namespace

TEST_CASE("backend names are auto, secretservice, file and env") {
  for (const char* name : {"auto", "secretservice", "file", "env"}) CHECK(check_backend_name(name));
  CHECK_FALSE(check_backend_name("keychain"));
}

TEST_CASE("auto without a session bus uses the file store and says why") {
  auto selected = select_credential_store("auto", "https://auth.squadcast.com", environment({{"HOME", "/nonexistent"}}));
  REQUIRE(selected);
  CHECK(std::string(selected.value().store->name()) == "file");
  CHECK(selected.value().description == "file (auto: no D-Bus session bus)");
}

TEST_CASE("auto with SQUADCAST_REFRESH_TOKEN set uses the env store") {
  auto env = environment({{"SQUADCAST_REFRESH_TOKEN", "abc123"}});
  CHECK(uses_environment_token("auto", env));
  CHECK_FALSE(uses_environment_token("file", env));
  auto selected = select_credential_store("auto", "https://auth.squadcast.com", env);
  REQUIRE(selected);
  CHECK(std::string(selected.value().store->name()) == "env");
}

TEST_CASE("auto falls back to the file store when the session bus does not answer") {
  auto selected = select_credential_store(
      "auto", "https://auth.squadcast.com",
      environment({{"DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"}, {"HOME", "/nonexistent"},
                   {"SQUADCAST_SECRETSERVICE_PLUGIN", SQUADCAST_TEST_SECRETSERVICE_PLUGIN}}));
  REQUIRE(selected);
  CHECK(std::string(selected.value().store->name()) == "file");
  CHECK(selected.value().description.rfind("file (auto: ", 0) == 0);
}

TEST_CASE("an explicit secretservice backend without a bus is an error, not a fallback") {
  auto selected = select_credential_store("secretservice", "https://auth.squadcast.com",
                                          environment({{"DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus"},
                                                       {"SQUADCAST_SECRETSERVICE_PLUGIN", SQUADCAST_TEST_SECRETSERVICE_PLUGIN}}));
  CHECK_FALSE(selected);
}

TEST_CASE("SQUADCAST_SECRETSERVICE_PLUGIN overrides the plugin path and a bad one is reported") {
  auto env = environment({{"SQUADCAST_SECRETSERVICE_PLUGIN", "/nonexistent/plugin.so"}});
  CHECK(secret_service_plugin_path(env) == "/nonexistent/plugin.so");
  auto store = SecretServiceStore::load("/nonexistent/plugin.so");
  REQUIRE_FALSE(store);
  CHECK(store.error().message.find("/nonexistent/plugin.so") != std::string::npos);
}

TEST_CASE("the env store reads the variable and refuses writes") {
  EnvStore store(Secret("abc123"), "https://auth.squadcast.com");
  auto credential = store.get("default");
  REQUIRE(credential);
  CHECK(credential.value().refresh_token.reveal() == "abc123");
  CHECK(credential.value().auth_url == "https://auth.squadcast.com");
  CHECK_FALSE(store.put("default", credential.value()));
  CHECK_FALSE(store.erase("default"));
}

TEST_CASE("the env store without a value is not_found") {
  EnvStore store(Secret(""), "https://auth.squadcast.com");
  auto credential = store.get("default");
  REQUIRE_FALSE(credential);
  CHECK(credential.error().kind == ErrorKind::not_found);
}
