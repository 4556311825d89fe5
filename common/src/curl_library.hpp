// libcurl, loaded with dlopen on first use: a cache hit never pays for loading it and
// the dozen libraries it pulls in.
#pragma once

#include <curl/curl.h>

#include "squadcast/result.hpp"

namespace squadcast {

struct CurlLibrary {
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  const char* (*easy_strerror)(CURLcode);
};

// Loaded and initialised once per process; an error if libcurl is not installed.
Result<const CurlLibrary*> curl_library();

}  // namespace squadcast
