// squadcast-credential doctor against the emulator: each check made to fail on purpose,
// asserting the row's status and the fix it prints; never a token in the output.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "helper_sandbox.hpp"

using squadcast::helper::test::Finished;
using squadcast::helper::test::HelperSandbox;
using squadcast::test::Emulator;

namespace {

struct Doctor {
  Finished finished;
  nlohmann::json report;

  // The row named `prefix`, else the first whose name starts with it ("tcp " + host).
  nlohmann::json row(const std::string& prefix) const {
    for (const auto& check : report.at("checks")) {
      if (check.at("name").get<std::string>() == prefix) return check;
    }
    for (const auto& check : report.at("checks")) {
      if (check.at("name").get<std::string>().rfind(prefix, 0) == 0) return check;
    }
    FAIL("no row " << prefix << " in " << finished.out);
    return {};
  }
  std::string status(const std::string& prefix) const { return row(prefix).at("status").get<std::string>(); }
  std::string fix(const std::string& prefix) const { return row(prefix).at("fix").get<std::string>(); }
};

void check_no_secret_anywhere(const HelperSandbox& box, const Finished& finished) {
  box.check_no_secret_on_stderr(finished);
  for (const std::string& secret : box.secrets) CHECK(finished.out.find(secret) == std::string::npos);
  CHECK(finished.out.find("eyJ") == std::string::npos);
}

Doctor doctor(HelperSandbox& box, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"doctor", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  Doctor result{box.helper(args), {}};
  INFO(result.finished.out << result.finished.err);
  check_no_secret_anywhere(box, result.finished);
  result.report = nlohmann::json::parse(result.finished.out);
  CHECK(result.report.at("exit_code") == result.finished.code);
  return result;
}

void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// False (after a "SKIP:" line, which ctest reports as skipped) when git is missing.
bool wire_every_client(HelperSandbox& box) {
  const std::string git_program = squadcast::helper::test::find_program("git");
  if (git_program.empty()) {
    WARN("SKIP: git is not installed");
    return false;
  }
  Finished git = box.program({git_program, "config", "--global", "credential.https://" + box.host() + ".helper", "squadcast"});
  REQUIRE(git.code == 0);
  write_file(box.home / ".docker/config.json", "{\"credHelpers\": {\"" + box.host() + "\": \"squadcast\"}}\n");
  write_file(box.home / ".terraformrc", "credentials_helper \"squadcast\" {}\n");
  return true;
}

// A server that accepts TCP on 127.0.0.1 and then never says a word (a hung TLS server,
// or a middlebox that holds connections): the kernel completes the handshake, a thread
// accepts and keeps every connection open until the end.
class SilentTcpServer {
 public:
  SilentTcpServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener_, 16) == 0);
    REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] {
      for (int connection; (connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;)
        held_.push_back(connection);
    });
  }
  SilentTcpServer(const SilentTcpServer&) = delete;
  SilentTcpServer& operator=(const SilentTcpServer&) = delete;
  ~SilentTcpServer() {
    ::shutdown(listener_, SHUT_RDWR);  // accept fails: the thread ends
    acceptor_.join();
    ::close(listener_);
    for (int connection : held_) ::close(connection);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::vector<int> held_;
  std::thread acceptor_;
};

}  // namespace

TEST_CASE("doctor: a healthy setup passes every check and exits 0") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  if (!wire_every_client(box)) return;
  Doctor run = doctor(box);
  INFO(run.finished.out);
  CHECK(run.finished.code == 0);
  CHECK(run.report.at("summary").at("fail") == 0);
  CHECK(run.report.at("summary").at("warn") == 0);
  CHECK(run.status("token") == "ok");
  CHECK(run.row("token").at("detail").get<std::string>().find("alice@acme.test") != std::string::npos);
  CHECK(run.row("token").at("detail").get<std::string>().find("role admin") != std::string::npos);
  CHECK(run.row("token").at("detail").get<std::string>().find("sha256:") != std::string::npos);
  CHECK(run.status("git") == "ok");
  CHECK(run.status("docker") == "ok");
  CHECK(run.status("terraform") == "ok");
  CHECK(run.status("clock") == "ok");

  Finished text = box.helper({"doctor"});
  check_no_secret_anywhere(box, text);
  CHECK(text.code == 0);
  CHECK(text.out.find("doctor: all ") != std::string::npos);
}

TEST_CASE("doctor: a credentials file others can read fails with the chmod that fixes it") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  REQUIRE(::chmod(box.credentials_file().c_str(), 0644) == 0);
  Doctor run = doctor(box);
  CHECK(run.finished.code == 1);
  CHECK(run.status("credentials file") == "fail");
  CHECK(run.fix("credentials file") == "chmod 600 " + box.credentials_file());
}

TEST_CASE("doctor: a cache directory others can enter fails with chmod 700") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  REQUIRE(::chmod(box.cache_dir().c_str(), 0755) == 0);
  Doctor run = doctor(box);
  CHECK(run.finished.code == 1);
  CHECK(run.status("cache dir") == "fail");
  CHECK(run.fix("cache dir") == "chmod 700 " + box.cache_dir());
}

TEST_CASE("doctor: a Secret Service that does not answer fails the store check with a way out") {
  Emulator emu;
  HelperSandbox box(emu);
  box.env.erase("DBUS_SESSION_BUS_ADDRESS");
  Doctor run = doctor(box, {"--backend", "secretservice"});
  CHECK(run.finished.code == 1);
  CHECK(run.status("store") == "fail");
  CHECK(run.fix("store").find("--backend file") != std::string::npos);
}

TEST_CASE("doctor: not logged in fails the credentials check with the login command") {
  Emulator emu;
  HelperSandbox box(emu);
  Doctor run = doctor(box, {"--profile", "work"});
  CHECK(run.finished.code == 1);
  CHECK(run.status("credentials") == "fail");
  CHECK(run.fix("credentials") == "squadcast-credential login --profile work");
  CHECK(run.status("profile") == "warn");
}

TEST_CASE("doctor: Squadcast down fails the TCP check and keeps the cached token") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  emu.stop();
  Doctor run = doctor(box);
  CHECK(run.finished.code == 1);
  CHECK(run.status("tcp ") == "fail");
  CHECK(run.fix("tcp ").find("curl -v " + emu.url() + "/") != std::string::npos);
  CHECK(run.status("exchange") == "fail");
  CHECK(run.status("cached token") == "ok");
  CHECK(box.cache_entries() == 1);  // a failed exchange never drops a valid cached token
}

TEST_CASE("doctor: the wrong CA file fails the TLS check and names the CA file") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  box.env["SQUADCAST_CA_FILE"] = emu.other_ca_file();
  Doctor run = doctor(box);
  CHECK(run.finished.code == 1);
  CHECK(run.status("tls ") == "fail");
  CHECK(run.row("tls ").at("detail").get<std::string>().find(emu.other_ca_file()) != std::string::npos);
  CHECK(run.fix("tls ").find("set ca_file") != std::string::npos);
}

TEST_CASE("doctor: a server that accepts TCP but never finishes TLS is named as such, not blamed on dns or tcp") {
  Emulator emu;
  HelperSandbox box(emu);
  SilentTcpServer silent;
  box.env["SQUADCAST_AUTH_URL"] = silent.url();
  box.env["SQUADCAST_API_URL"] = silent.url();
  box.env["SQUADCAST_TIMEOUT"] = "2";
  Doctor run = doctor(box);
  INFO(run.finished.out);
  CHECK(run.finished.code == 1);
  CHECK(run.status("dns ") == "ok");
  CHECK(run.status("tcp ") == "ok");
  CHECK(run.status("tls ") == "fail");
  const std::string detail = run.row("tls ").at("detail").get<std::string>();
  CHECK(detail.rfind("TLS handshake timed out: hung server or middlebox", 0) == 0);
  CHECK(run.fix("tls ").find("rows above") == std::string::npos);
  CHECK(run.fix("tls ").find(silent.url().substr(8)) != std::string::npos);  // host:port

  // A server that does speak TLS but then hangs the request keeps the core's own row.
  box.env["SQUADCAST_AUTH_URL"] = emu.url();
  box.env["SQUADCAST_API_URL"] = emu.url();
  emu.fault("any", 1, "hang");
  Doctor hung = doctor(box);
  CHECK(hung.status("tls ") == "fail");
  CHECK(hung.row("tls ").at("detail").get<std::string>().find("TLS handshake") == std::string::npos);
}

TEST_CASE("doctor: a server clock ten minutes ahead is a warning with the command to sync") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  if (!wire_every_client(box)) return;
  emu.set_clock_skew(600);
  Doctor run = doctor(box);
  CHECK(run.status("clock") == "warn");
  CHECK(run.row("clock").at("detail").get<std::string>().find("ahead of ours") != std::string::npos);
  CHECK(run.fix("clock").find("timedatectl set-ntp true") != std::string::npos);
  CHECK(run.finished.code == 0);  // warnings never fail the run

  emu.set_clock_skew(-30);
  CHECK(doctor(box).status("clock") == "ok");
}

TEST_CASE("doctor: a revoked token fails with the login command") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-user");
  emu.revoke("tok-user");
  Doctor run = doctor(box);
  CHECK(run.finished.code == 1);
  CHECK(run.status("token") == "fail");
  CHECK(run.row("token").at("detail").get<std::string>().find("revoked") != std::string::npos);
  CHECK(run.fix("token") == "squadcast-credential login");
}

TEST_CASE("doctor: a token rotated by Squadcast is reported and the new one is stored") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  emu.set_rotation(true);
  Doctor run = doctor(box);
  box.secrets.push_back(emu.refresh_token("tok-admin"));  // the rotated one
  check_no_secret_anywhere(box, run.finished);
  CHECK(run.status("token") == "ok");
  CHECK(run.row("token").at("detail").get<std::string>().find("rotated") != std::string::npos);
  CHECK(box.helper({"status"}).code == 0);
}

TEST_CASE("doctor: git, docker and terraform not wired are warnings with what to add") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  write_file(box.home / ".docker/config.json", "{\"credsStore\": \"desktop\"}\n");
  Doctor run = doctor(box);
  CHECK(run.finished.code == 0);
  CHECK(run.status("git") == "warn");
  CHECK(run.fix("git") == "git config --global credential.https://" + box.host() + ".helper squadcast");
  CHECK(run.status("docker") == "warn");
  CHECK(run.fix("docker").find("\"credHelpers\": {\"" + box.host() + "\": \"squadcast\"}") != std::string::npos);
  CHECK(run.status("terraform") == "warn");
  CHECK(run.fix("terraform").find("credentials_helper \"squadcast\"") != std::string::npos);
}

TEST_CASE("doctor: a configuration file that does not parse fails the config check") {
  Emulator emu;
  HelperSandbox box(emu);
  write_file(box.home / ".config/squadcast/config", "[profile default\nregion = us\n");
  Doctor run = doctor(box);
  CHECK(run.finished.code == 1);
  CHECK(run.status("config") == "fail");
  CHECK(run.row("config").at("detail").get<std::string>().find("line 1") != std::string::npos);
}
