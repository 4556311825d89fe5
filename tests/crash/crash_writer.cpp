// Writes, in a loop, alternating versions (old/new) of one cache entry through
// TokenCache::write and of the credentials file through FileStore::put: the process the
// crash-safety test kills with SIGKILL at random moments.
//   crash_writer DIR [FIRST [ROUNDS]]   FIRST: 0 = start with the old version, 1 = the new;
//                                       forever, or ROUNDS writes of each, then exit 0.
// Exits 3 on any error (a refused or torn file it finds when FileStore::put reads first).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crash_versions.hpp"

using namespace squadcast;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: crash_writer DIR [FIRST [ROUNDS]]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long first = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 0;
  const long rounds = argc > 3 ? std::strtol(argv[3], nullptr, 10) : -1;
  TokenCache cache(dir + "/cache");
  FileStore store(dir + "/config/credentials");
  const CachedToken entries[2] = {crash::cache_version(false), crash::cache_version(true)};
  const StoredCredential credentials[2] = {crash::credential_version(false), crash::credential_version(true)};
  for (long i = 0; rounds < 0 || i < rounds; ++i) {
    const int v = static_cast<int>((first + i) % 2);
    if (auto written = cache.write(crash::cache_key, entries[v]); !written) {
      std::fprintf(stderr, "crash_writer: cache write: %s\n", written.error().message.c_str());
      return 3;
    }
    if (auto put = store.put(crash::profile, credentials[v]); !put) {
      std::fprintf(stderr, "crash_writer: credentials put: %s\n", put.error().message.c_str());
      return 3;
    }
  }
  return 0;
}
