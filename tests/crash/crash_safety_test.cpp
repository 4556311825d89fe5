// Crash safety of the atomic writes: a writer alternating two versions of a cache entry
// (TokenCache::write) and of the credentials file (FileStore::put) is killed with SIGKILL
// at random moments, a few hundred times. After every kill each file that is not a temp
// file must parse as exactly the old or the new version, and the next writer must carry on
// (the flock of a killed writer is released with it).
#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crash_versions.hpp"
#include "support/temp_dir.hpp"

#ifndef SQUADCAST_CRASH_WRITER
#error "SQUADCAST_CRASH_WRITER must name the crash_writer binary"
#endif

using namespace squadcast;

namespace {

constexpr int max_kills = 300;
constexpr auto time_budget = std::chrono::seconds(30);

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> names;
  if (DIR* dir = opendir(path.c_str())) {
    while (dirent* entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
  }
  return names;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_temp(const std::string& name) { return name.find(".tmp.") != std::string::npos; }

pid_t spawn_writer(const std::string& dir, int first, const std::string& rounds, const std::string& log) {
  const std::string first_text = std::to_string(first);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) dup2(fd, STDERR_FILENO);
    if (rounds.empty()) {
      execl(SQUADCAST_CRASH_WRITER, "crash_writer", dir.c_str(), first_text.c_str(), static_cast<char*>(nullptr));
    } else {
      execl(SQUADCAST_CRASH_WRITER, "crash_writer", dir.c_str(), first_text.c_str(), rounds.c_str(),
            static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  return pid;
}

struct Tally {
  int kills = 0;
  int cache_old = 0, cache_new = 0, cache_missing = 0;
  int credentials_old = 0, credentials_new = 0, credentials_missing = 0;
  int temp_files = 0;
};

// Every non-temp file is exactly the old or the new version; returns the number of temp files.
int check_directory(const std::string& dir, Tally& tally) {
  int temps = 0;
  const CachedToken cache_versions[2] = {crash::cache_version(false), crash::cache_version(true)};
  const StoredCredential credential_versions[2] = {crash::credential_version(false), crash::credential_version(true)};

  bool saw_entry = false;
  for (const auto& name : list_dir(dir + "/cache")) {
    if (is_temp(name)) {
      ++temps;
      continue;
    }
    if (name == crash::cache_key + ".lock") continue;
    INFO("cache file " << name);
    REQUIRE(name == crash::cache_key + ".json");
    saw_entry = true;
    auto entry = parse_cache_entry(slurp(dir + "/cache/" + name));
    REQUIRE(entry.has_value());
    bool is_old = crash::same(*entry, cache_versions[0]), is_new = crash::same(*entry, cache_versions[1]);
    REQUIRE((is_old || is_new));
    (is_old ? tally.cache_old : tally.cache_new)++;
    // And through the real read path (owner, mode, O_NOFOLLOW): a hit, not a miss.
    auto read = TokenCache(dir + "/cache").read(crash::cache_key);
    REQUIRE(read.has_value());
    REQUIRE(crash::same(*read, *entry));
  }
  if (!saw_entry) ++tally.cache_missing;

  bool saw_credentials = false;
  for (const auto& name : list_dir(dir + "/config")) {
    if (is_temp(name)) {
      ++temps;
      continue;
    }
    if (name == "credentials.lock") continue;
    INFO("config file " << name);
    REQUIRE(name == "credentials");
    saw_credentials = true;
    auto parsed = parse_credentials_file(slurp(dir + "/config/credentials"));
    REQUIRE(parsed.ok());
    REQUIRE(parsed.value().size() == 1);
    const StoredCredential& stored = parsed.value().at(crash::profile);
    bool is_old = crash::same(stored, credential_versions[0]), is_new = crash::same(stored, credential_versions[1]);
    REQUIRE((is_old || is_new));
    (is_old ? tally.credentials_old : tally.credentials_new)++;
  }
  if (!saw_credentials) ++tally.credentials_missing;
  return temps;
}

}  // namespace

TEST_CASE("SIGKILL at any moment leaves the old or the new version, never a torn file") {
  test::TempDir root;
  const std::string dir = root / "home";
  const std::string log = root / "writer.log";
  std::random_device device;
  const unsigned seed = device();
  INFO("random seed " << seed << "; writer stderr in " << log);
  std::mt19937 random(seed);
  // A write with its two fsyncs takes milliseconds: kill anywhere in the first few writes.
  // Each writer starts with a random version, so both show up even when few writes finish.
  std::uniform_int_distribution<int> delay_us(0, 40000);
  std::bernoulli_distribution coin;

  Tally tally;
  const auto give_up_at = std::chrono::steady_clock::now() + time_budget;
  while (tally.kills < max_kills && std::chrono::steady_clock::now() < give_up_at) {
    pid_t pid = spawn_writer(dir, coin(random) ? 1 : 0, "", log);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    REQUIRE(kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    INFO("writer log: " << slurp(log));
    // It must have died of our signal, not of an error of its own.
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
    ++tally.kills;
    tally.temp_files = check_directory(dir, tally);
  }
  INFO("kills " << tally.kills << ", cache old/new/missing " << tally.cache_old << "/" << tally.cache_new << "/"
                << tally.cache_missing << ", credentials old/new/missing " << tally.credentials_old << "/"
                << tally.credentials_new << "/" << tally.credentials_missing << ", temp files left "
                << tally.temp_files);
  WARN("crash safety: " << tally.kills << " kills; cache old/new/missing " << tally.cache_old << "/"
                        << tally.cache_new << "/" << tally.cache_missing << "; credentials old/new/missing "
                        << tally.credentials_old << "/" << tally.credentials_new << "/"
                        << tally.credentials_missing << "; stray temp files " << tally.temp_files);
  CHECK(tally.kills >= 50);
  // The writer got far enough, often enough, to leave both versions behind.
  CHECK(tally.cache_old > 0);
  CHECK(tally.cache_new > 0);
  CHECK(tally.credentials_old > 0);
  CHECK(tally.credentials_new > 0);
  // A killed write can leave its temp file (nobody removes it): at most one per kill.
  CHECK(tally.temp_files <= tally.kills);

  SECTION("a writer that is not killed adds no temp files and leaves the last version") {
    const int before = tally.temp_files;
    pid_t pid = spawn_writer(dir, 0, "21", log);
    REQUIRE(pid > 0);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    INFO("writer log: " << slurp(log));
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    Tally after;
    CHECK(check_directory(dir, after) == before);
    CHECK(after.cache_old == 1);  // round 20 (even) was the last: the old version
    CHECK(after.credentials_old == 1);
    auto stored = FileStore(dir + "/config/credentials").get(crash::profile);
    REQUIRE(stored.ok());
    CHECK(crash::same(stored.value(), crash::credential_version(false)));
  }
}
