#include <catch2/catch.hpp>

#include "command_line.hpp"
#include "error_reporting.hpp"
#include "host_names.hpp"

using namespace squadcast;
using namespace squadcast::helper;

TEST_CASE("the face comes from the program name") {
  CHECK(face_from_program_name("/usr/bin/git-credential-squadcast") == Face::git);
  CHECK(face_from_program_name("docker-credential-squadcast") == Face::docker);
  CHECK(face_from_program_name("./terraform-credentials-squadcast") == Face::terraform);
  CHECK(face_from_program_name("/usr/bin/squadcast-credential") == Face::people);
}

TEST_CASE("the face comes from a first argument") {
  auto command = parse_command_line("squadcast-credential", {"terraform", "get", "api.squadcast.com"});
  REQUIRE(command);
  CHECK(command.value().face == Face::terraform);
  CHECK(command.value().action == "get");
  CHECK(command.value().operands == std::vector<std::string>{"api.squadcast.com"});
}

TEST_CASE("options are accepted before and after the action, with or without =") {
  auto command = parse_command_line("git-credential-squadcast", {"--profile", "work", "get", "--backend=file"});
  REQUIRE(command);
  CHECK(command.value().face == Face::git);
  CHECK(command.value().action == "get");
  CHECK(command.value().overrides.profile == "work");
  CHECK(command.value().overrides.backend == "file");
  auto people = parse_command_line("squadcast-credential", {"status", "--json", "--region", "eu"});
  REQUIRE(people);
  CHECK(people.value().json);
  CHECK(people.value().overrides.region == "eu");
}

TEST_CASE("there is no option that takes a token") {
  for (const char* option : {"--token", "--password", "--refresh-token=abc"}) {
    auto command = parse_command_line("squadcast-credential", {"login", option});
    REQUIRE_FALSE(command);
    CHECK(command.error().kind == ErrorKind::config);
    CHECK(command.error().message.find("abc") == std::string::npos);
  }
}

TEST_CASE("an option missing its value is a usage error") {
  CHECK_FALSE(parse_command_line("squadcast-credential", {"status", "--profile"}));
}

TEST_CASE("exit codes: valid 0, not logged in 1, revoked 2, unreachable 3, usage 4") {
  CHECK(exit_code_for(ErrorKind::not_found) == 1);
  CHECK(exit_code_for(ErrorKind::revoked) == 2);
  CHECK(exit_code_for(ErrorKind::refused) == 2);  // another 4xx: a verdict, not an outage
  CHECK(exit_code_for(ErrorKind::network) == 3);
  CHECK(exit_code_for(ErrorKind::timeout) == 3);
  CHECK(exit_code_for(ErrorKind::server_error) == 3);
  CHECK(exit_code_for(ErrorKind::config) == 4);
  CHECK(exit_code_for(ErrorKind::permission) == 4);
}

TEST_CASE("error lines start with the program name and stay on one line") {
  std::ostringstream err;
  report_error(err, Error{ErrorKind::io, "first\nsecond"});
  CHECK(err.str() == "squadcast-credential: first second\n");
}

TEST_CASE("requested hosts are normalised from URLs and bare names") {
  auto url = parse_requested_host("https://API.squadcast.com:8443/v2/x");
  REQUIRE(url);
  CHECK(url->scheme == "https");
  CHECK(url->host == "api.squadcast.com:8443");
  auto bare = parse_requested_host("127.0.0.1:5000\n");
  REQUIRE(bare);
  CHECK(bare->scheme.empty());
  CHECK(bare->host == "127.0.0.1:5000");
  CHECK_FALSE(parse_requested_host(""));
  CHECK_FALSE(parse_requested_host("a b"));
}

TEST_CASE("configured URLs give host, or host:port when the URL has a port") {
  CHECK(host_of_url(UrlParts{"https", "api.squadcast.com", 0}) == "api.squadcast.com");
  CHECK(host_of_url(UrlParts{"https", "127.0.0.1", 41234}) == "127.0.0.1:41234");
  CHECK(host_of_url(UrlParts{"https", "::1", 443}) == "[::1]:443");
}
