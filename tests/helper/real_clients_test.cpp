// The faces as real tools call them: git credential fill, skopeo (docker protocol),
// terraform's protocol by direct invocation, many cold gets at once, and all of them (and
// exec) refusing a credentials file others could read, even with a cached token.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
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

namespace {
// doctor's verdict on the credentials file: {problem, fix}, both empty when it passes.
std::pair<std::string, std::string> doctor_credentials_file_row(HelperSandbox& box) {
  Finished doctor = box.helper({"doctor", "--json"});
  const nlohmann::json report = nlohmann::json::parse(doctor.out);
  for (const auto& check : report.at("checks")) {
    if (check.at("name") != "credentials file" || check.at("status") != "fail") continue;
    return {check.at("detail").get<std::string>(), check.at("fix").get<std::string>()};
  }
  return {};
}

// Every face that hands out a token, on a cache hit: each refuses with `line` and
// starts nothing, and no exchange is made. `line` is what `token` prints.
void check_every_face_refuses(HelperSandbox& box, const std::string& line) {
  const std::string git_request = "protocol=https\nhost=" + box.host() + "\n\n";
  Finished face = box.helper({"get"}, git_request, "git-credential-squadcast");
  CHECK(face.code == 0);  // git's rule: carry on to the next helper
  CHECK(face.out.empty());
  CHECK(face.err == line);
  if (std::string git = find_program("git"); !git.empty()) {
    Finished fill = box.program({git, "-c", "credential.helper=", "-c", "credential.helper=squadcast", "credential",
                                 "fill"}, git_request);
    CHECK(fill.code != 0);  // nothing to fill, and no prompt allowed
    CHECK(fill.out.find("password=") == std::string::npos);
    CHECK(fill.err.find(line) != std::string::npos);
  }
  Finished docker = box.helper({"get"}, box.host() + "\n", "docker-credential-squadcast");
  CHECK(docker.code == 1);
  CHECK("squadcast-credential: " + docker.out == line);  // docker reads errors on stdout
  Finished terraform = box.helper({"get", box.host()}, "", "terraform-credentials-squadcast");
  CHECK(terraform.code == 1);
  CHECK(terraform.out.empty());
  CHECK(terraform.err == line);
  for (const char* only : {"", "--access-token-only"}) {
    std::vector<std::string> args{"exec"};
    if (*only != '\0') args.emplace_back(only);
    args.insert(args.end(), {"--", "sh", "-c", "echo started"});
    Finished exec = box.helper(args);
    CHECK(exec.code == 4);
    CHECK(exec.out.empty());
    CHECK(exec.err == line);
  }
}
}  // namespace

TEST_CASE("a loose, foreign or symlinked credentials file is refused on a cache hit too, with doctor's fix") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");  // the access token is cached: every get below is a hit
  const std::string file = box.credentials_file();
  const long exchanges = emu.counter("exchange");
  struct Spoiler {
    const char* what;
    std::function<bool()> spoil;
    std::function<void()> restore;
  };
  const std::string kept = box.home / "credentials.real";
  const std::vector<Spoiler> spoilers = {
      {"mode 0644", [&] { return ::chmod(file.c_str(), 0644) == 0; }, [&] { ::chmod(file.c_str(), 0600); }},
      {"mode 0640", [&] { return ::chmod(file.c_str(), 0640) == 0; }, [&] { ::chmod(file.c_str(), 0600); }},
      {"a symlink",
       [&] {
         std::filesystem::rename(file, kept);
         std::filesystem::create_symlink(kept, file);
         return true;
       },
       [&] { std::filesystem::rename(kept, file); }},
      // Only root can give a file away; others skip this row.
      {"owned by another uid", [&] { return ::geteuid() == 0 && ::chown(file.c_str(), 65534, -1) == 0; },
       [&] { (void)::chown(file.c_str(), ::geteuid(), -1); }},
  };
  for (const Spoiler& spoiler : spoilers) {
    INFO(spoiler.what);
    if (!spoiler.spoil()) {
      WARN("SKIP: " << spoiler.what << " (needs root to give the file away)");
      continue;
    }
    const auto [problem, fix] = doctor_credentials_file_row(box);
    REQUIRE_FALSE(fix.empty());
    const std::string line = "squadcast-credential: " + problem + "; fix: " + fix + "\n";
    Finished token = box.helper({"token"});
    CHECK(token.code == 4);
    CHECK(token.out.empty());
    CHECK(token.err == line);
    check_every_face_refuses(box, line);
    spoiler.restore();
    CHECK(box.helper({"token"}).code == 0);
  }
  CHECK(box.cache_entries() == 1);  // refused, not dropped: fixing the file is enough
  CHECK(emu.counter("exchange") == exchanges);
  CHECK(doctor_credentials_file_row(box).second.empty());
}

TEST_CASE("a loose credentials file: chmod 600 as doctor says, and the cached token serves again") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  ::chmod(box.credentials_file().c_str(), 0644);
  CHECK(doctor_credentials_file_row(box).second == "chmod 600 " + box.credentials_file());
  for (const char* backend : {"file", "auto"}) {
    INFO(backend);
    box.env["SQUADCAST_CREDENTIAL_BACKEND"] = backend;
    // auto without a session bus, or with one where no Secret Service answers: the file store.
    for (bool bus : {false, true}) {
      if (bus) box.env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + box.home / "no-bus-here";
      Finished token = box.helper({"token"});
      CHECK(token.code == 4);
      CHECK(token.err.find("; fix: chmod 600 " + box.credentials_file() + "\n") != std::string::npos);
      box.env.erase("DBUS_SESSION_BUS_ADDRESS");
    }
  }
  // The env store has no such file: CI with SQUADCAST_REFRESH_TOKEN is not refused for it.
  box.env["SQUADCAST_REFRESH_TOKEN"] = emu.refresh_token("tok-user");
  box.secrets.push_back(emu.refresh_token("tok-user"));
  CHECK(box.helper({"token"}).code == 0);
  CHECK(box.helper({"--backend", "env", "token"}).code == 0);
  box.env.erase("SQUADCAST_REFRESH_TOKEN");
  ::chmod(box.credentials_file().c_str(), 0600);
  CHECK(box.helper({"token"}).code == 0);
}
