// parse_roster on hostile roster files (directory mode's cache in cache_dir). Byte 0 picks
// the kind. Whatever parses has the kind's shape (so the decision reads it without a type
// check that could throw inside sshd) and survives a write and a read unchanged.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "roster_cache.hpp"

using namespace squadcast::pam;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const RosterKind kinds[] = {RosterKind::person, RosterKind::teams, RosterKind::members, RosterKind::oncall};
  const RosterKind kind = kinds[data[0] % 4];
  auto roster = parse_roster(kind, squadcast::fuzz::as_text(data + 1, size - 1));
  if (!roster) return 0;
  FUZZ_CHECK(has_roster_shape(kind, roster->answer));
  auto again = parse_roster(kind, serialize_roster(*roster));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->answer == roster->answer);
  FUZZ_CHECK(again->fetched_at == roster->fetched_at);
  FUZZ_CHECK(again->organization_id == roster->organization_id);
  return 0;
}
