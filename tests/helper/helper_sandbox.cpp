#include "helper_sandbox.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

namespace squadcast::helper::test {

HelperSandbox::HelperSandbox(squadcast::test::Emulator& emu) : emulator(emu) {
  env = {
      {"HOME", home.path()},
      {"XDG_CONFIG_HOME", home / ".config"},
      {"XDG_CACHE_HOME", home / ".cache"},
      {"XDG_RUNTIME_DIR", home.path()},
      {"PATH", std::string(SQUADCAST_HELPER_DIR) + ":/usr/local/bin:/usr/bin:/bin"},
      {"LC_ALL", "C"},
      {"SQUADCAST_AUTH_URL", emulator.url()},
      {"SQUADCAST_API_URL", emulator.url()},
      {"SQUADCAST_CA_FILE", emulator.ca_file()},
      {"SQUADCAST_CREDENTIAL_BACKEND", "file"},
      {"GIT_CONFIG_NOSYSTEM", "1"},
      {"GIT_TERMINAL_PROMPT", "0"},
  };
}

std::string HelperSandbox::host() const {
  std::string url = emulator.url();
  return url.substr(url.find("://") + 3);
}

int HelperSandbox::cache_entries() const {
  int entries = 0;
  std::error_code ignored;
  for (const auto& file : std::filesystem::directory_iterator(cache_dir(), ignored)) {
    if (file.path().extension() == ".json") ++entries;
  }
  return entries;
}

void HelperSandbox::check_no_secret_on_stderr(const Finished& finished) const {
  for (const std::string& secret : secrets) {
    INFO("a secret reached stderr");
    CHECK(finished.err.find(secret) == std::string::npos);
  }
  // An access token is a JWT: "eyJ" starts every base64url JSON header.
  CHECK(finished.err.find("eyJ") == std::string::npos);
}

Running HelperSandbox::start_helper(const std::vector<std::string>& args, const std::string& input,
                                    const std::string& program) {
  std::vector<std::string> argv{std::string(SQUADCAST_HELPER_DIR) + "/" + program};
  argv.insert(argv.end(), args.begin(), args.end());
  return Running(argv, env, input, home.path());
}

Finished HelperSandbox::helper(const std::vector<std::string>& args, const std::string& input,
                               const std::string& program) {
  Finished finished = start_helper(args, input, program).wait();
  check_no_secret_on_stderr(finished);
  return finished;
}

Finished HelperSandbox::program(const std::vector<std::string>& argv, const std::string& input) {
  Finished finished = run(argv, env, input, home.path());
  check_no_secret_on_stderr(finished);
  return finished;
}

Finished HelperSandbox::login(const std::string& token_id) {
  std::string token = emulator.refresh_token(token_id);
  secrets.push_back(token);
  Finished finished = helper({"login", "--stdin"}, token + "\n");
  INFO(finished.err);
  REQUIRE(finished.code == 0);
  return finished;
}

}  // namespace squadcast::helper::test
