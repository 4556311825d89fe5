// The decision cache's files on disk: cache_dir stays bounded however many people log in.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <string>

#include "decision_cache.hpp"
#include "temp_dir.hpp"

using squadcast::Secret;
using squadcast::pam::CachedDecision;
using squadcast::pam::DecisionCache;

namespace {

std::size_t files_in(const std::string& dir) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++count;
  return count;
}

void set_mtime(const std::string& path, std::int64_t at) {
  const struct timespec times[2] = {{static_cast<time_t>(at), 0}, {static_cast<time_t>(at), 0}};
  REQUIRE(utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

CachedDecision someone(std::int64_t verified_at) {
  CachedDecision entry;
  entry.identity.user_id = "5e8edb1f7e6f7d0001a10003";
  entry.identity.email = "bob@acme.test";
  entry.identity.role = "user";
  entry.verified_at = verified_at;
  return entry;
}

}  // namespace

TEST_CASE("10,000 distinct tokens over 100 hours keep cache_dir bounded") {
  squadcast::test::TempDir scratch;
  const std::string dir = scratch / "cache";
  DecisionCache cache(dir);
  REQUIRE(cache.usable().ok());
  const std::int64_t start = std::time(nullptr);
  constexpr int per_hour = 100;
  constexpr std::int64_t keep = 600;  // cache_ttl=300, offline_grace=0: what the module keeps
  std::size_t most_files = 0;
  for (int i = 0; i < 10000; ++i) {
    // Hour h of the run, as the module sees it: every login after a write sweeps at most once a minute.
    const std::int64_t now = start + (i / per_hour) * 3600;
    const auto key = DecisionCache::key_for(Secret("token-" + std::to_string(i)), "https://auth.example");
    auto lock = cache.lock(key, std::chrono::milliseconds(1000));
    REQUIRE(lock.ok());
    REQUIRE(cache.write(key, someone(now)).ok());
    set_mtime(dir + "/" + key + ".decision", now);  // written at that hour
    cache.sweep(now, keep);
    most_files = std::max(most_files, files_in(dir));
  }
  // Before sweeping and lock stripes this was 20,000 files (an entry and a lock per token).
  CHECK(most_files <= per_hour + 256 + 1);  // this hour's entries, the lock stripes, the stamp
  cache.sweep(start + 101 * 3600, keep);  // an hour after the last login
  CHECK(files_in(dir) <= 256 + 1);
  const auto last = DecisionCache::key_for(Secret("token-9999"), "https://auth.example");
  CHECK_FALSE(cache.read(last));
}

TEST_CASE("a sweep keeps what is still usable and removes old per-key lock files") {
  squadcast::test::TempDir scratch;
  const std::string dir = scratch / "cache";
  DecisionCache cache(dir);
  REQUIRE(cache.usable().ok());
  const std::int64_t now = std::time(nullptr);
  const auto key = DecisionCache::key_for(Secret("token-kept"), "https://auth.example");
  REQUIRE(cache.write(key, someone(now)).ok());
  // An earlier version's lock file, named for one key: nobody waits on it any more.
  const std::string old_lock = dir + "/" + key + ".lock";
  REQUIRE(close(open(old_lock.c_str(), O_CREAT | O_WRONLY, 0600)) == 0);
  // Something else in the directory is not ours to remove.
  const std::string other = dir + "/notes.txt";
  REQUIRE(close(open(other.c_str(), O_CREAT | O_WRONLY, 0600)) == 0);

  cache.sweep(now + 100, 600);
  CHECK(cache.read(key));  // 100 s old, kept for 600
  CHECK(std::filesystem::exists(old_lock));  // also 100 s "old": kept until it is past keep
  cache.sweep(now + 100 + 700, 600);
  CHECK_FALSE(cache.read(key));
  CHECK_FALSE(std::filesystem::exists(old_lock));
  CHECK(std::filesystem::exists(other));
  // A lock stripe, which another login may be waiting on, is never removed, however old.
  { auto lock = cache.lock(key, std::chrono::milliseconds(1000)); REQUIRE(lock.ok()); }
  const std::string stripe = dir + "/" + key.substr(0, 2) + ".lock";
  REQUIRE(std::filesystem::exists(stripe));
  cache.sweep(now + 100000, 600);
  CHECK(std::filesystem::exists(stripe));
}
