// parse_cache_entry on hostile cache files; whatever parses must serialise and re-parse to
// exactly the same entry (a cache write followed by a read loses nothing).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/token_cache.hpp"

using namespace squadcast;

namespace {

void check_same(const CachedToken& a, const CachedToken& b) {
  FUZZ_CHECK(a.access_token.equals(b.access_token));
  FUZZ_CHECK(a.expires_at == b.expires_at);
  FUZZ_CHECK(a.issued_at == b.issued_at);
  FUZZ_CHECK(a.fetched_at == b.fetched_at);
  FUZZ_CHECK(a.identity.user_id == b.identity.user_id);
  FUZZ_CHECK(a.identity.email == b.identity.email);
  FUZZ_CHECK(a.identity.first_name == b.identity.first_name);
  FUZZ_CHECK(a.identity.organization_id == b.identity.organization_id);
  FUZZ_CHECK(a.identity.role == b.identity.role);
  FUZZ_CHECK(a.identity.abilities == b.identity.abilities);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto entry = parse_cache_entry(fuzz::as_text(data, size));
  if (!entry) return 0;
  FUZZ_CHECK(!entry->access_token.empty() && !entry->identity.user_id.empty());

  Secret text = serialize_cache_entry(*entry);
  auto again = parse_cache_entry(text.reveal());
  FUZZ_CHECK(again.has_value());
  check_same(*entry, *again);
  // And the serialised form is a fixed point.
  Secret text_again = serialize_cache_entry(*again);
  FUZZ_CHECK(text.equals(text_again));

  // Usability is total over any times in the file (the clock itself is sane; the file need not be).
  for (std::int64_t now : {std::int64_t{0}, std::int64_t{1700000000}, std::int64_t{4102444800}}) {
    for (std::int64_t min_validity : {0, 300, 86400}) {
      if (is_usable(*entry, now, min_validity)) FUZZ_CHECK(now < entry->expires_at);
    }
  }
  return 0;
}
