// A separate process for the single-flight test: reads a refresh token on stdin and
// obtains an access token through the shared cache. Prints nothing secret.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>

#include "squadcast/access_token.hpp"

int main() {
  std::string token((std::istreambuf_iterator<char>(std::cin)), {});
  const char* url = std::getenv("SQUADCAST_TEST_URL");
  const char* ca = std::getenv("SQUADCAST_TEST_CA");
  const char* cache_dir = std::getenv("SQUADCAST_TEST_CACHE");
  if (!url || !ca || !cache_dir) return 2;
  squadcast::Secret refresh(token);
  squadcast::wipe_string(token);
  squadcast::TokenCache cache(cache_dir);
  squadcast::TokenRequest request;
  request.endpoints = {url, url};
  request.http.ca_file = ca;
  request.cache = &cache;
  request.cache_key = squadcast::TokenCache::key_for_token(refresh, url);
  auto obtained = squadcast::obtain_access_token(request, [&] { return squadcast::Result<squadcast::Secret>(refresh); });
  if (!obtained) {
    std::fprintf(stderr, "probe: %s\n", obtained.error().message.c_str());
    return 1;
  }
  std::printf("%s\n", obtained.value().from_cache ? "cache" : "exchange");
  return 0;
}
