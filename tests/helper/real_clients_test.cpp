// The faces as real tools call them: git credential fill, skopeo (docker protocol),
// terraform's protocol by direct invocation, and many cold gets at once.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "helper_sandbox.hpp"

using squadcast::helper::test::Finished;
using squadcast::helper::test::find_program;
using squadcast::helper::test::HelperSandbox;
using squadcast::helper::test::Running;
using squadcast::test::Emulator;

// Catch2 2 has no skip: say SKIP: on the output, which ctest turns into "skipped"
// (SKIP_REGULAR_EXPRESSION in CMakeLists.txt), so a missing tool never passes silently.
#define SKIP_TEST(why)    \
  do {                    \
    WARN("SKIP: " why);   \
    return;               \
  } while (false)

namespace {
std::string value_of(const std::string& lines, const std::string& key) {
  auto at = lines.find(key + "=");
  if (at == std::string::npos) return {};
  at += key.size() + 1;
  return lines.substr(at, lines.find('\n', at) - at);
}
}  // namespace

TEST_CASE("git credential fill gets email and access token from credential.helper=squadcast") {
  std::string git = find_program("git");
  if (git.empty()) SKIP_TEST("git is not installed");
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  Finished fill = box.program({git, "-c", "credential.helper=", "-c", "credential.helper=squadcast", "credential", "fill"},
                              "protocol=https\nhost=" + box.host() + "\npath=acme/repo.git\n\n");
  INFO(fill.err);
  REQUIRE(fill.code == 0);
  CHECK(value_of(fill.out, "username") == "alice@acme.test");
  std::string token = box.helper({"token"}).out;
  CHECK(value_of(fill.out, "password") + "\n" == token);
  // git before 2.41 does not pass password_expiry_utc through; newer ones must keep it sane.
  if (std::string expiry = value_of(fill.out, "password_expiry_utc"); !expiry.empty()) CHECK(std::stol(expiry) > 0);
}

TEST_CASE("git credential fill for a foreign host gets nothing from us") {
  std::string git = find_program("git");
  if (git.empty()) SKIP_TEST("git is not installed");
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  Finished fill = box.program({git, "-c", "credential.helper=", "-c", "credential.helper=squadcast", "credential", "fill"},
                              "protocol=https\nhost=github.com\n\n");
  CHECK(fill.code != 0);  // git found nothing and may not prompt
  CHECK(fill.out.find("password=") == std::string::npos);
  CHECK(fill.err.find("squadcast-credential") == std::string::npos);
}

TEST_CASE("git credential approve never overwrites the refresh token with the access token") {
  std::string git = find_program("git");
  if (git.empty()) SKIP_TEST("git is not installed");
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  const std::string helper_args[] = {"-c", "credential.helper=", "-c", "credential.helper=squadcast"};
  Finished fill = box.program({git, helper_args[0], helper_args[1], helper_args[2], helper_args[3], "credential", "fill"},
                              "protocol=https\nhost=" + box.host() + "\n\n");
  REQUIRE(fill.code == 0);
  Finished approve = box.program({git, helper_args[0], helper_args[1], helper_args[2], helper_args[3], "credential", "approve"},
                                 fill.out + "\n");
  CHECK(approve.code == 0);
  std::ifstream file(box.credentials_file());
  std::string stored(std::istreambuf_iterator<char>(file), {});
  CHECK(stored.find(emu.refresh_token("tok-admin")) != std::string::npos);
  CHECK(stored.find(value_of(fill.out, "password")) == std::string::npos);
}

TEST_CASE("git store keeps a new refresh token handed over by git") {
  Emulator emu;
  HelperSandbox box(emu);
  std::string token = emu.refresh_token("tok-user");
  box.secrets.push_back(token);
  Finished store = box.helper({"store"}, "protocol=https\nhost=" + box.host() + "\nusername=bob@acme.test\npassword=" + token + "\n\n",
                              "git-credential-squadcast");
  CHECK(store.code == 0);
  Finished get = box.helper({"get"}, "protocol=https\nhost=" + box.host() + "\n\n", "git-credential-squadcast");
  CHECK(value_of(get.out, "username") == "bob@acme.test");
}

TEST_CASE("skopeo login --get-login asks docker-credential-squadcast through credHelpers") {
  std::string skopeo = find_program("skopeo");
  if (skopeo.empty()) SKIP_TEST("skopeo is not installed");
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  std::string auth_file = box.home / "auth.json";
  std::ofstream(auth_file) << nlohmann::json{{"credHelpers", {{box.host(), "squadcast"}}}}.dump();
  Finished login = box.program({skopeo, "login", "--get-login", "--authfile", auth_file, box.host()});
  INFO(login.err);
  CHECK(login.code == 0);
  CHECK(login.out == "alice@acme.test\n");
}

TEST_CASE("docker protocol through the binary: get, not found, list, erase") {
  Emulator emu;
  HelperSandbox box(emu);
  const std::string docker = "docker-credential-squadcast";
  Finished missing = box.helper({"get"}, box.host(), docker);
  CHECK(missing.code == 1);
  CHECK(missing.out == "credentials not found in native keychain\n");
  box.login("tok-admin");
  Finished get = box.helper({"get"}, box.host() + "\n", docker);
  REQUIRE(get.code == 0);
  auto answer = nlohmann::json::parse(get.out);
  CHECK(answer["Username"] == "alice@acme.test");
  CHECK(answer["Secret"].get<std::string>() + "\n" == box.helper({"token"}).out);
  CHECK(box.helper({"get"}, "ghcr.io", docker).out == "credentials not found in native keychain\n");
  // The real account's rule: https (or a bare host, which docker means as https) only.
  for (const std::string scheme : {"http://", "ftp://", "gopher://"}) {
    INFO(scheme);
    Finished other = box.helper({"get"}, scheme + box.host(), docker);
    CHECK(other.code == 1);
    CHECK(other.out == "credentials not found in native keychain\n");
  }
  CHECK(box.helper({"get"}, "https://" + box.host(), docker).code == 0);
  Finished no_protocol = box.helper({"get"}, "host=" + box.host() + "\n\n", "git-credential-squadcast");
  CHECK(no_protocol.code == 0);
  CHECK(no_protocol.out.empty());
  CHECK(nlohmann::json::parse(box.helper({"list"}, "", docker).out) == nlohmann::json{{box.host(), "alice@acme.test"}});
  CHECK(box.helper({"erase"}, box.host(), docker).code == 0);
  CHECK(box.cache_entries() == 0);
}

TEST_CASE("terraform protocol by direct invocation: get, unknown host, store, forget") {
  Emulator emu;
  HelperSandbox box(emu);
  const std::string terraform = "terraform-credentials-squadcast";
  CHECK(box.helper({"get", box.host()}, "", terraform).out == "{}\n");  // not logged in
  std::string token = emu.refresh_token("tok-admin");
  box.secrets.push_back(token);
  CHECK(box.helper({"store", box.host()}, nlohmann::json{{"token", token}}.dump(), terraform).code == 0);
  Finished get = box.helper({"get", box.host()}, "", terraform);
  REQUIRE(get.code == 0);
  CHECK(nlohmann::json::parse(get.out)["token"].get<std::string>() + "\n" == box.helper({"token"}).out);
  CHECK(box.helper({"get", "app.terraform.io"}, "", terraform).out == "{}\n");
  CHECK(box.helper({"forget", box.host()}, "", terraform).code == 0);
  CHECK(box.cache_entries() == 0);
  Finished first_argument = box.helper({"terraform", "get", box.host()});
  CHECK(nlohmann::json::parse(first_argument.out).contains("token"));
}

TEST_CASE("32 parallel cold gets make exactly one exchange") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  box.helper({"git", "erase"}, "protocol=https\nhost=" + box.host() + "\n\n");
  REQUIRE(box.cache_entries() == 0);
  long before = emu.counter("exchange");
  std::vector<Running> running;
  for (int i = 0; i < 32; ++i)
    running.push_back(box.start_helper({"get"}, "protocol=https\nhost=" + box.host() + "\n\n", "git-credential-squadcast"));
  std::string first_password;
  for (Running& process : running) {
    Finished got = process.wait();
    box.check_no_secret_on_stderr(got);
    CHECK(got.code == 0);
    std::string password = value_of(got.out, "password");
    CHECK_FALSE(password.empty());
    if (first_password.empty()) first_password = password;
    CHECK(password == first_password);
  }
  CHECK(emu.counter("exchange") - before == 1);
}
