// The shared "valid access token" flow: cache, single flight, rotation, revocation.
#include <catch2/catch.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emulator_fixture.hpp"
#include "squadcast/access_token.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

using namespace squadcast;

namespace {

TokenRequest request_for(const test::Emulator& emulator, const TokenCache& cache, const std::string& key) {
  TokenRequest request;
  request.endpoints = {emulator.url(), emulator.url()};
  request.http.ca_file = emulator.ca_file();
  request.http.first_backoff = std::chrono::milliseconds(20);
  request.cache = &cache;
  request.cache_key = key;
  return request;
}

RefreshTokenLoader loader_of(const std::string& token, int* calls = nullptr) {
  return [token, calls]() -> Result<Secret> {
    if (calls) ++*calls;
    return Secret(token);
  };
}

}  // namespace

TEST_CASE("a cache hit needs neither the store nor the network") {
  test::Emulator emulator;
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  const std::string token = emulator.refresh_token("tok-admin");
  const std::string key = TokenCache::key_for_token(Secret(token), emulator.url());
  int loads = 0;
  auto first = obtain_access_token(request_for(emulator, cache, key), loader_of(token, &loads));
  REQUIRE(first.ok());
  CHECK_FALSE(first.value().from_cache);
  emulator.stop();
  auto second = obtain_access_token(request_for(emulator, cache, key), loader_of(token, &loads));
  REQUIRE(second.ok());
  CHECK(second.value().from_cache);
  CHECK(second.value().token.access_token.equals(first.value().token.access_token));
  CHECK(loads == 1);
}

TEST_CASE("an entry inside min_validity of its expiry is refreshed") {
  test::Emulator emulator;
  emulator.set_lifetime(200);  // shorter than the default min_validity of 300 s
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  const std::string token = emulator.refresh_token("tok-admin");
  const std::string key = TokenCache::key_for_token(Secret(token), emulator.url());
  REQUIRE(obtain_access_token(request_for(emulator, cache, key), loader_of(token)).ok());
  REQUIRE(obtain_access_token(request_for(emulator, cache, key), loader_of(token)).ok());
  CHECK(emulator.counter("exchange") == 2);
  TokenRequest relaxed = request_for(emulator, cache, key);
  relaxed.min_validity = 60;
  auto hit = obtain_access_token(relaxed, loader_of(token));
  REQUIRE(hit.ok());
  CHECK(hit.value().from_cache);
  CHECK(emulator.counter("exchange") == 2);
}

TEST_CASE("an expires_at already in the past is never served from the cache") {
  test::Emulator emulator;
  emulator.set_lifetime(-10);
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  const std::string token = emulator.refresh_token("tok-admin");
  const std::string key = TokenCache::key_for_token(Secret(token), emulator.url());
  auto first = obtain_access_token(request_for(emulator, cache, key), loader_of(token));
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().kind == ErrorKind::bad_response);
  CHECK(first.error().message.find("clock") != std::string::npos);
  CHECK_FALSE(cache.read(key).has_value());
  CHECK(emulator.counter("user") == 0);
}

TEST_CASE("a revoked token erases the cached entry") {
  test::Emulator emulator;
  emulator.set_lifetime(200);
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  const std::string token = emulator.refresh_token("tok-admin");
  const std::string key = TokenCache::key_for_token(Secret(token), emulator.url());
  REQUIRE(obtain_access_token(request_for(emulator, cache, key), loader_of(token)).ok());
  REQUIRE(cache.read(key).has_value());
  emulator.revoke("tok-admin");
  auto revoked = obtain_access_token(request_for(emulator, cache, key), loader_of(token));
  REQUIRE_FALSE(revoked.ok());
  CHECK(revoked.error().kind == ErrorKind::revoked);
  CHECK_FALSE(cache.read(key).has_value());
}

TEST_CASE("a rotated refresh token is handed back to the caller") {
  test::Emulator emulator;
  emulator.set_rotation(true);
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  const std::string token = emulator.refresh_token("tok-admin");
  auto obtained = obtain_access_token(request_for(emulator, cache, TokenCache::key_for_profile("p", "u")),
                                      loader_of(token));
  REQUIRE(obtained.ok());
  REQUIRE(obtained.value().rotated_refresh_token.has_value());
  CHECK(obtained.value().rotated_refresh_token->reveal() == emulator.refresh_token("tok-admin"));
  CHECK(obtained.value().rotated_refresh_token->reveal() != token);
}

TEST_CASE("32 separate processes starting cold cause exactly one exchange") {
  test::Emulator emulator;
  test::TempDir dir;
  const std::string token = emulator.refresh_token("tok-admin");
  std::vector<std::string> env_strings = {"SQUADCAST_TEST_URL=" + emulator.url(),
                                          "SQUADCAST_TEST_CA=" + emulator.ca_file(),
                                          "SQUADCAST_TEST_CACHE=" + (dir / "cache")};
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::pair<pid_t, int>> children;
  for (int i = 0; i < 32; ++i) {
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], 0);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    char* argv[] = {const_cast<char*>(SQUADCAST_OBTAIN_PROBE), nullptr};
    pid_t pid = -1;
    REQUIRE(posix_spawn(&pid, SQUADCAST_OBTAIN_PROBE, &actions, nullptr, argv, envp.data()) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[0]);
    children.emplace_back(pid, pipe_fds[1]);
  }
  for (auto& [pid, fd] : children) {  // the token goes over stdin, never argv
    REQUIRE(write(fd, token.data(), token.size()) == static_cast<ssize_t>(token.size()));
    close(fd);
  }
  int succeeded = 0;
  for (auto& [pid, fd] : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++succeeded;
  }
  CHECK(succeeded == 32);
  CHECK(emulator.counter("exchange") == 1);
}
