// doctor: do git, docker/podman/skopeo and terraform call us? Reads their configuration
// (git through `git config`, run as a child with no token anywhere in its argv or
// environment) and says what to add when they do not.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

#include "commands/doctor_command.hpp"
#include "squadcast/private_file.hpp"
#include "stores/env_store.hpp"

extern char** environ;

namespace squadcast::helper {
namespace {

std::string home_dir(const Getenv& getenv) {
  const char* home = getenv("HOME");
  return home != nullptr && *home != '\0' ? home : "/";
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool names_us(std::string_view value) { return value.find("squadcast") != std::string_view::npos; }

// stdout of a program (searched on PATH), or nullopt when it cannot run. The child's
// environment is ours minus the CI token variable: it needs no secret.
std::optional<std::string> output_of(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  const std::string hidden = std::string(refresh_token_variable) + "=";
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, hidden.c_str(), hidden.size()) != 0) env.push_back(*entry);
  }
  env.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    return std::nullopt;
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0 || text.size() > 1024 * 1024) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return std::nullopt;  // not found by a wrapper
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

void check_git(CheckReport& report, const std::string& host) {
  const std::string fix = "git config --global credential.https://" + host + ".helper squadcast";
  auto general = output_of({"git", "config", "--get-all", "credential.helper"});
  if (!general) {
    report.ok("git", "git is not installed; nothing to wire");
    return;
  }
  std::vector<std::string> ours;
  for (const std::string& value : lines_of(*general)) {
    if (names_us(value)) ours.push_back("credential.helper=" + value + " (every host)");
  }
  auto per_url = output_of({"git", "config", "--get-regexp", "^credential\\..+\\.helper$"});
  for (const std::string& line : lines_of(per_url.value_or(""))) {
    auto space = line.find(' ');
    if (space != std::string::npos && names_us(line.substr(space + 1))) {
      ours.push_back(line.substr(0, space) + "=" + line.substr(space + 1));
    }
  }
  if (ours.empty()) {
    report.warn("git", "no credential.helper names squadcast, so git will not ask us for " + host, fix);
    return;
  }
  std::string detail;
  for (const std::string& entry : ours) detail += (detail.empty() ? "" : "; ") + entry;
  report.ok("git", detail);
}

// docker's config.json and containers-auth.json share the credHelpers/credsStore keys.
enum class Wiring { absent, not_listed, listed, unreadable };

Wiring container_wiring(const std::string& path, std::string& detail) {
  auto text = read_file(path);
  if (!text) return Wiring::absent;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return Wiring::unreadable;
  if (auto store = json.find("credsStore"); store != json.end() && store->is_string() &&
                                             names_us(store->get_ref<const std::string&>())) {
    detail = path + ": credsStore = " + store->get<std::string>() + " (every registry)";
    return Wiring::listed;
  }
  if (auto helpers = json.find("credHelpers"); helpers != json.end() && helpers->is_object()) {
    for (const auto& [registry, helper] : helpers->items()) {
      if (helper.is_string() && names_us(helper.get_ref<const std::string&>())) {
        detail = path;
        detail.append(": credHelpers[").append(registry).append("] = ").append(helper.get_ref<const std::string&>());
        return Wiring::listed;
      }
    }
  }
  return Wiring::not_listed;
}

void check_container_clients(CheckReport& report, const std::string& host, const Getenv& getenv) {
  const std::string home = home_dir(getenv);
  const char* docker_config = getenv("DOCKER_CONFIG");
  const std::string docker_file =
      (docker_config != nullptr && *docker_config != '\0' ? std::string(docker_config) : home + "/.docker") +
      "/config.json";
  std::vector<std::pair<std::string, std::string>> files = {{"docker", docker_file}};
  if (const char* auth = getenv("REGISTRY_AUTH_FILE"); auth != nullptr && *auth != '\0') {
    files.emplace_back("podman/skopeo", auth);
  }
  if (const char* runtime = getenv("XDG_RUNTIME_DIR"); runtime != nullptr && *runtime != '\0') {
    files.emplace_back("podman/skopeo", std::string(runtime) + "/containers/auth.json");
  }
  const char* config_home = getenv("XDG_CONFIG_HOME");
  files.emplace_back("podman/skopeo", (config_home != nullptr && *config_home == '/' ? std::string(config_home)
                                                                                      : home + "/.config") +
                                          "/containers/auth.json");
  const std::string entry = "\"credHelpers\": {\"" + host + "\": \"squadcast\"}";
  bool any = false;
  for (const auto& [client, path] : files) {
    std::string detail;
    switch (container_wiring(path, detail)) {
      case Wiring::absent:
        continue;
      case Wiring::listed:
        report.ok(client, detail);
        break;
      case Wiring::not_listed: {
        std::string fix = "add ";
        fix.append(entry).append(" to ").append(path);
        report.warn(client, path + " does not list squadcast in credHelpers or credsStore", fix);
        break;
      }
      case Wiring::unreadable:
        report.warn(client, path + " is not a JSON object; the client will not read it either", "fix " + path);
        break;
    }
    any = true;
  }
  if (!any) {
    report.warn("docker", "no docker, podman or skopeo configuration names squadcast (" + docker_file + " absent)",
                "mkdir -p " + parent_directory(docker_file) + " && printf '{" + entry + "}\\n' > " + docker_file);
  }
}

void check_terraform(CheckReport& report, const Getenv& getenv) {
  const char* configured = getenv("TF_CLI_CONFIG_FILE");
  const std::string path =
      configured != nullptr && *configured != '\0' ? std::string(configured) : home_dir(getenv) + "/.terraformrc";
  const std::string fix = "add the line: credentials_helper \"squadcast\" {}  to " + path;
  auto text = read_file(path);
  if (!text) {
    report.warn("terraform", path + " does not exist, so terraform does not ask us", fix);
    return;
  }
  for (const std::string& line : lines_of(*text)) {
    auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line.compare(first, 18, "credentials_helper") == 0 && names_us(line)) {
      report.ok("terraform", path + ": " + line.substr(first));
      return;
    }
  }
  report.warn("terraform", path + " names no credentials_helper \"squadcast\"", fix);
}

}  // namespace

void check_client_wiring(CheckReport& report, const std::string& squadcast_host, const Getenv& getenv) {
  check_git(report, squadcast_host);
  check_container_clients(report, squadcast_host, getenv);
  check_terraform(report, getenv);
}

}  // namespace squadcast::helper
