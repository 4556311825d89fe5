#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "squadcast/token_cache.hpp"
#include "support/temp_dir.hpp"

using namespace squadcast;

namespace {

CachedToken sample_entry(std::int64_t expires_at) {
  CachedToken entry;
  entry.access_token = Secret("header.payload.signature");
  entry.expires_at = expires_at;
  entry.issued_at = expires_at - 172800;
  entry.fetched_at = 1000;
  entry.identity = {"5e8edb1f7e6f7d0001a10002", "alice@acme.test", "Alice", "5e8edb1f7e6f7d0001a1c0de", "admin",
                    {"manage-users"}};
  return entry;
}

const std::string key = TokenCache::key_for_token(Secret("refresh"), "https://auth.squadcast.com");

}  // namespace

TEST_CASE("cache keys are SHA-256 hex and differ per token, URL and profile") {
  CHECK(key.size() == 64);
  CHECK(key != TokenCache::key_for_token(Secret("refresh"), "https://auth.eu.squadcast.com"));
  CHECK(key != TokenCache::key_for_token(Secret("refresh2"), "https://auth.squadcast.com"));
  CHECK(TokenCache::key_for_profile("default", "https://a") != TokenCache::key_for_profile("work", "https://a"));
  CHECK(key.find("refresh") == std::string::npos);
}

TEST_CASE("a written entry is read back: a hit") {
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  REQUIRE(cache.write(key, sample_entry(5000)).ok());
  auto hit = cache.read(key);
  REQUIRE(hit.has_value());
  CHECK(hit->access_token.reveal() == "header.payload.signature");
  CHECK(hit->identity.role == "admin");
  CHECK(hit->identity.abilities == std::vector<std::string>{"manage-users"});
  CHECK(is_usable(*hit, 1000, 300));
  struct stat st {};
  REQUIRE(stat((dir / "cache").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(stat((dir / "cache/" + key + ".json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a missing entry is a miss, and erase makes one") {
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  CHECK_FALSE(cache.read(key).has_value());
  REQUIRE(cache.write(key, sample_entry(5000)).ok());
  cache.erase(key);
  CHECK_FALSE(cache.read(key).has_value());
}

TEST_CASE("expiry and min_validity decide whether an entry is usable") {
  CachedToken entry = sample_entry(5000);
  CHECK(is_usable(entry, 4000, 300));
  CHECK(is_usable(entry, 4699, 300));
  CHECK_FALSE(is_usable(entry, 4700, 300));
  CHECK_FALSE(is_usable(entry, 5000, 0));
  CHECK(is_usable(entry, 4999, 0));
  CHECK_FALSE(is_usable(entry, 900, 300 + 4000));
}

TEST_CASE("an entry fetched in the future (the clock jumped back) is not usable") {
  CachedToken entry = sample_entry(500000);
  entry.fetched_at = 100000;
  CHECK_FALSE(is_usable(entry, 1000, 300));
}

TEST_CASE("hostile cache files are a miss, never a crash") {
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  REQUIRE(cache.write(key, sample_entry(5000)).ok());
  const std::string path = dir / ("cache/" + key + ".json");

  SECTION("group-readable file") {
    REQUIRE(chmod(path.c_str(), 0640) == 0);
    CHECK_FALSE(cache.read(key).has_value());
  }
  SECTION("symlink to a valid entry") {
    REQUIRE(rename(path.c_str(), (dir / "elsewhere.json").c_str()) == 0);
    REQUIRE(symlink((dir / "elsewhere.json").c_str(), path.c_str()) == 0);
    CHECK_FALSE(cache.read(key).has_value());
  }
  SECTION("truncated JSON") {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (std::size_t cut : {std::size_t(0), std::size_t(1), text.size() / 2, text.size() - 1}) {
      std::ofstream(path, std::ios::trunc) << text.substr(0, cut);
      CHECK_FALSE(cache.read(key).has_value());
    }
  }
  SECTION("wrong types and versions") {
    for (const char* body : {"[]", "null", R"({"version":2})", R"({"version":1,"access_token":5})",
                             R"({"version":1,"access_token":"t","expires_at":"x","fetched_at":1,"identity":{}})"}) {
      std::ofstream(path, std::ios::trunc) << body;
      CHECK_FALSE(cache.read(key).has_value());
    }
  }
  SECTION("a directory where the file should be") {
    REQUIRE(unlink(path.c_str()) == 0);
    REQUIRE(mkdir(path.c_str(), 0700) == 0);
    CHECK_FALSE(cache.read(key).has_value());
  }
  SECTION("a cache directory others can write to") {
    REQUIRE(chmod((dir / "cache").c_str(), 0777) == 0);
    CHECK_FALSE(cache.read(key).has_value());
    CHECK_FALSE(cache.write(key, sample_entry(5000)).ok());
  }
  SECTION("a file owned by someone else") {
    if (geteuid() != 0) {
      WARN("SKIP: changing a file's owner needs root");
      return;
    }
    REQUIRE(chown(path.c_str(), 65534, 65534) == 0);
    CHECK_FALSE(cache.read(key).has_value());
  }
}

TEST_CASE("keys that are not hex digests are refused") {
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  CHECK_FALSE(cache.write("../../etc/passwd", sample_entry(5000)).ok());
  CHECK_FALSE(cache.read("../x").has_value());
}

TEST_CASE("temp files left by a killed writer are removed once stale, fresh ones are kept") {
  test::TempDir dir;
  TokenCache cache(dir / "cache");
  REQUIRE(cache.write(key, sample_entry(5000)).ok());
  const std::string stale = dir / ("cache/" + key + ".json.tmp.AAAAAA");
  const std::string fresh = dir / ("cache/" + key + ".json.tmp.BBBBBB");
  std::ofstream(stale) << "half-written";
  std::ofstream(fresh) << "being written";
  struct timespec times[2] = {{::time(nullptr) - 120, 0}, {::time(nullptr) - 120, 0}};
  REQUIRE(utimensat(AT_FDCWD, stale.c_str(), times, 0) == 0);
  REQUIRE(cache.write(key, sample_entry(6000)).ok());
  CHECK(access(stale.c_str(), F_OK) != 0);
  CHECK(access(fresh.c_str(), F_OK) == 0);
}
