#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "squadcast/file_store.hpp"
#include "support/temp_dir.hpp"

using namespace squadcast;

namespace {

StoredCredential credential(const std::string& token) {
  return {Secret(token), "alice@acme.test", "https://auth.squadcast.com", 1700000000};
}

}  // namespace

TEST_CASE("the file store keeps profiles apart and round-trips them") {
  test::TempDir dir;
  FileStore store(dir / "squadcast/credentials");
  REQUIRE(store.put("default", credential("token-one")).ok());
  REQUIRE(store.put("work", credential("token-two")).ok());
  auto one = store.get("default");
  REQUIRE(one.ok());
  CHECK(one.value().refresh_token.reveal() == "token-one");
  CHECK(one.value().email == "alice@acme.test");
  CHECK(store.get("work").value().refresh_token.reveal() == "token-two");
  CHECK(store.list().value() == std::vector<std::string>{"default", "work"});
  REQUIRE(store.erase("default").ok());
  CHECK(store.get("default").error().kind == ErrorKind::not_found);
  CHECK(store.get("work").ok());

  struct stat st {};
  REQUIRE(stat((dir / "squadcast/credentials").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(stat((dir / "squadcast").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("the file store refuses a readable file and says how to fix it") {
  test::TempDir dir;
  FileStore store(dir / "squadcast/credentials");
  REQUIRE(store.put("default", credential("token-one")).ok());
  REQUIRE(chmod((dir / "squadcast/credentials").c_str(), 0644) == 0);
  auto got = store.get("default");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::permission);
  CHECK(got.error().message.find("chmod 600") != std::string::npos);
  CHECK_FALSE(store.put("default", credential("token-two")).ok());  // never rewrites a file it refused
}

TEST_CASE("the file store refuses a symlink") {
  test::TempDir dir;
  FileStore real(dir / "squadcast/real");
  REQUIRE(real.put("default", credential("token-one")).ok());
  REQUIRE(symlink((dir / "squadcast/real").c_str(), (dir / "squadcast/credentials").c_str()) == 0);
  FileStore store(dir / "squadcast/credentials");
  auto got = store.get("default");
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind == ErrorKind::permission);
  CHECK(got.error().message.find("symlink") != std::string::npos);
}

TEST_CASE("the credentials file format is versioned and checked") {
  CHECK(parse_credentials_file(R"({"version":1,"profiles":{}})").ok());
  CHECK_FALSE(parse_credentials_file(R"({"version":2,"profiles":{}})").ok());
  CHECK_FALSE(parse_credentials_file(R"({"profiles":{}})").ok());
  CHECK_FALSE(parse_credentials_file(R"({"version":1,"profiles":{"default":{"email":"x"}}})").ok());
  CHECK_FALSE(parse_credentials_file("not json").ok());
  auto text = serialize_credentials_file({{"default", credential("tok")}});
  auto parsed = parse_credentials_file(text.reveal());
  REQUIRE(parsed.ok());
  CHECK(parsed.value().at("default").refresh_token.reveal() == "tok");
}

TEST_CASE("a file over 64 KiB is refused") {
  test::TempDir dir;
  FileStore store(dir / "credentials");
  {
    std::ofstream out(dir / "credentials");
    out << std::string(70 * 1024, ' ');
  }
  REQUIRE(chmod((dir / "credentials").c_str(), 0600) == 0);
  CHECK(store.get("default").error().kind == ErrorKind::too_large);
}
