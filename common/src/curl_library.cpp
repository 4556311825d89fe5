#include "curl_library.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace squadcast {
namespace {

template <class F>
bool bind(void* handle, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(handle, name));
  return out != nullptr;
}

struct LoadedCurl {
  CurlLibrary library{};
  std::string error;
};

LoadedCurl load() {
  LoadedCurl loaded;
  void* handle = nullptr;
  for (const char* name : {"libcurl.so.4", "libcurl-gnutls.so.4"}) {
    handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle) break;
  }
  if (!handle) {
    loaded.error = "cannot load libcurl (install the libcurl4 package): " + std::string(dlerror());
    return loaded;
  }
  CURLcode (*global_init)(long) = nullptr;
  CurlLibrary& lib = loaded.library;
  bool ok = bind(handle, "curl_global_init", global_init) && bind(handle, "curl_easy_init", lib.easy_init) &&
            bind(handle, "curl_easy_setopt", lib.easy_setopt) &&
            bind(handle, "curl_easy_perform", lib.easy_perform) &&
            bind(handle, "curl_easy_getinfo", lib.easy_getinfo) &&
            bind(handle, "curl_easy_cleanup", lib.easy_cleanup) && bind(handle, "curl_easy_reset", lib.easy_reset) &&
            bind(handle, "curl_easy_strerror", lib.easy_strerror);
  if (!ok) {
    loaded.error = "libcurl is missing a required symbol";
  } else if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    loaded.error = "libcurl failed to initialise";
  }
  // The handle is never closed: libcurl may have registered atexit handlers.
  return loaded;
}

}  // namespace

Result<const CurlLibrary*> curl_library() {
  static std::once_flag once;
  static LoadedCurl loaded;  // written once under call_once, read-only afterwards
  std::call_once(once, [] { loaded = load(); });
  if (!loaded.error.empty()) return Error{ErrorKind::network, loaded.error};
  return &loaded.library;
}

}  // namespace squadcast
