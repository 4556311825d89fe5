// parse_credentials_file on hostile files; whatever parses serialises and re-parses to the
// same credentials. Byte 0 == 'S' switches to the serialiser side: the rest is cut into
// profile, token, email and auth_url (what tools and people can hand FileStore::put) and
// serialize_credentials_file must neither throw nor lose the refresh token.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/exchange.hpp"
#include "squadcast/file_store.hpp"

using namespace squadcast;

namespace {

void check_same(const CredentialsByProfile& a, const CredentialsByProfile& b) {
  FUZZ_CHECK(a.size() == b.size());
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    FUZZ_CHECK(ia->first == ib->first);
    FUZZ_CHECK(ia->second.refresh_token.equals(ib->second.refresh_token));
    FUZZ_CHECK(ia->second.email == ib->second.email);
    FUZZ_CHECK(ia->second.auth_url == ib->second.auth_url);
    FUZZ_CHECK(ia->second.stored_at == ib->second.stored_at);
  }
}

void serialiser_side(std::string_view rest) {
  std::string_view parts[4];
  for (auto& part : parts) {
    auto cut = rest.find('\x01');
    part = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
  }
  StoredCredential credential{Secret(parts[1]), std::string(parts[2]), std::string(parts[3]), 1700000000};
  // Front-ends only store refresh tokens that pass the shape check.
  if (!check_refresh_token_shape(credential.refresh_token)) return;
  CredentialsByProfile credentials{{std::string(parts[0]), credential}};
  Secret text = serialize_credentials_file(credentials);  // must not throw
  auto parsed = parse_credentials_file(text.reveal());
  FUZZ_CHECK(parsed.ok());
  FUZZ_CHECK(parsed.value().size() == 1);
  FUZZ_CHECK(parsed.value().begin()->second.refresh_token.equals(credential.refresh_token));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  if (!text.empty() && text.front() == 'S') {
    serialiser_side(text.substr(1));
    return 0;
  }
  auto parsed = parse_credentials_file(text);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().kind == ErrorKind::invalid_input);
    return 0;
  }
  Secret serialised = serialize_credentials_file(parsed.value());
  FUZZ_CHECK(serialised.size() <= 4 * text.size() + 64);
  auto again = parse_credentials_file(serialised.reveal());
  FUZZ_CHECK(again.ok());
  check_same(parsed.value(), again.value());
  return 0;
}
