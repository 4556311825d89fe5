// Directory mode's roster cache: when a login reads, fetches, refetches or graces a roster.
// A row is a scenario: the cached roster's age, the policy, what Squadcast answers.
#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <string>

#include "roster_cache.hpp"
#include "temp_dir.hpp"

using namespace squadcast;
using namespace squadcast::pam;

namespace {

struct RosterRow {
  const char* name;
  std::optional<std::int64_t> cached_age;  // nullopt: nothing cached
  RosterPolicy policy;
  std::optional<ErrorKind> squadcast_fails;  // nullopt: Squadcast answers
  bool fetches;
  std::optional<RosterSource> source;  // nullopt: the call fails
};

}  // namespace

TEST_CASE("roster cache: fresh, stale, refetch after a refusal, offline grace") {
  const std::int64_t now = 1'800'000'000;
  const RosterRow rows[] = {
      {"nothing cached", std::nullopt, {60, 0, false}, std::nullopt, true, RosterSource::squadcast},
      {"fresh", 30, {60, 0, false}, std::nullopt, false, RosterSource::cache},
      {"stale", 61, {60, 0, false}, std::nullopt, true, RosterSource::squadcast},
      {"a clock gone back is not fresh", -5, {60, 0, false}, std::nullopt, true, RosterSource::squadcast},
      {"refusal, roster under 10 s old: reused", 9, {60, 0, true}, std::nullopt, false, RosterSource::cache},
      {"refusal, roster 10 s old: asked again", 10, {60, 0, true}, std::nullopt, true, RosterSource::squadcast},
      {"refetch cannot reach Squadcast: the fresh roster stands", 30, {60, 0, true}, ErrorKind::server_error, true,
       RosterSource::cache},
      {"stale and unreachable, no grace", 61, {60, 0, false}, ErrorKind::network, true, std::nullopt},
      {"stale and unreachable, within grace", 61, {60, 3600, false}, ErrorKind::timeout, true,
       RosterSource::offline_grace},
      {"stale and unreachable, past grace", 4000, {60, 3600, false}, ErrorKind::server_error, true, std::nullopt},
      {"a 429 is never graced", 61, {60, 3600, false}, ErrorKind::rate_limited, true, std::nullopt},
      {"a verdict is never graced", 61, {60, 3600, false}, ErrorKind::bad_response, true, std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    test::TempDir scratch;
    RosterCache cache(scratch / "cache");
    const RosterCache::Name name{RosterKind::members, "host-key", "5e8edb1f7e6f7d0001b20001"};
    if (row.cached_age) {
      REQUIRE(cache.write(name, Roster{nlohmann::json::array({"cached"}), now - *row.cached_age, "org"}).ok());
    }
    int fetches = 0;
    auto fetch = [&]() -> Result<Roster> {
      ++fetches;
      if (row.squadcast_fails) return Error{*row.squadcast_fails, "injected"};
      return Roster{nlohmann::json::array({"fetched"}), 0, "org"};
    };
    auto got = cache.get(name, now, row.policy, fetch, std::chrono::milliseconds(1000));
    CHECK(fetches == (row.fetches ? 1 : 0));
    if (!row.source) {
      CHECK_FALSE(got.ok());
      continue;
    }
    REQUIRE(got.ok());
    CHECK(got.value().source == *row.source);
    const bool fresh_answer = *row.source == RosterSource::squadcast;
    CHECK(got.value().answer == nlohmann::json::array({fresh_answer ? "fetched" : "cached"}));
    if (fresh_answer) CHECK(cache.read(name)->fetched_at == now);  // kept for the next login
  }
}

TEST_CASE("roster cache: a roster of the wrong shape is a miss, and is never written") {
  test::TempDir scratch;
  RosterCache cache(scratch / "cache");
  const RosterCache::Name name{RosterKind::oncall, "host-key", "5e8edb1f7e6f7d0001b20001"};
  // An answer that would make the decision throw inside sshd is refused on the way in...
  auto wrong = cache.get(name, 1000, {60, 0, false},
                         [] { return Result<Roster>(Roster{nlohmann::json::array({{{"id", "42"}}}), 0, "org"}); },
                         std::chrono::milliseconds(1000));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().kind == ErrorKind::bad_response);
  CHECK_FALSE(cache.read(name));
  // ...and on the way out.
  CHECK_FALSE(parse_roster(RosterKind::person, R"({"version":1,"fetched_at":1,"organization_id":"o",
      "answer":{"found":true,"id":"u","email":"e","role":7,"abilities":[]}})"));
  CHECK_FALSE(parse_roster(RosterKind::members, R"({"version":1,"fetched_at":1,"organization_id":"o","answer":[1]})"));
  CHECK(parse_roster(RosterKind::members, R"({"version":1,"fetched_at":1,"organization_id":"o","answer":["u"]})"));
  // A roster of one kind is not read as another.
  CHECK_FALSE(parse_roster(RosterKind::person, R"({"version":1,"fetched_at":1,"organization_id":"o","answer":["u"]})"));
}
