// The PAM module's arguments (from /etc/pam.d/*) and config=FILE contents.
// Input: arguments separated by NUL or newline; after a \x01 byte, the text the fake
// admin-file reader returns for any config=/PATH.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "pam_options.hpp"

using namespace squadcast;
using namespace squadcast::pam;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  std::string_view file_text;
  if (auto cut = text.find('\x01'); cut != std::string_view::npos) {
    file_text = text.substr(cut + 1);
    text = text.substr(0, cut);
  }
  std::vector<std::string_view> args;
  while (!text.empty()) {
    auto end = text.find_first_of(std::string_view("\0\n", 2));
    args.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  int reads = 0;
  AdminFileReader reader = [&](const std::string& path) -> Result<std::string> {
    FUZZ_CHECK(!path.empty() && path.front() == '/');
    if (++reads > 64) return Error{ErrorKind::io, "too many"};
    if (path == "/missing") return Error{ErrorKind::io, "cannot open"};
    return std::string(file_text);
  };
  auto options = parse_pam_options(args, reader);
  if (!options) {
    FUZZ_CHECK(options.error().kind == ErrorKind::config);
    return 0;
  }
  const PamOptions& o = options.value();
  // What the module then relies on without checking again.
  FUZZ_CHECK(o.any_org != !o.org_id.empty());
  FUZZ_CHECK(!o.any_org || o.user_map.kind == UserMapKind::file);  // strangers' orgs need an explicit list
  FUZZ_CHECK(o.proxy.empty() || parse_url(o.proxy).ok());
  if (!o.org_id.empty()) {
    FUZZ_CHECK(o.org_id.size() == 24);
    for (char c : o.org_id) FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
  FUZZ_CHECK(!(o.use_first_pass && o.try_first_pass));
  FUZZ_CHECK(o.timeout_seconds >= 1 && o.timeout_seconds <= 300);
  FUZZ_CHECK(o.cache_ttl_seconds >= 0 && o.offline_grace_seconds >= 0);
  FUZZ_CHECK(!o.cache_dir.empty() && o.cache_dir.front() == '/');
  FUZZ_CHECK(o.user_map.kind != UserMapKind::file || (!o.user_map.file.empty() && o.user_map.file.front() == '/'));
  FUZZ_CHECK(!o.endpoints.auth_url.empty() && !o.endpoints.api_url.empty());
  FUZZ_CHECK(check_url_allowed(o.endpoints.auth_url, false).ok());
  FUZZ_CHECK(check_url_allowed(o.endpoints.api_url, false).ok());
  return 0;
}
