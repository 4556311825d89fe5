// squadcast-emulator: an HTTPS stand-in for the Squadcast auth and api hosts, for tests.
//
//   squadcast-emulator --seed FILE --state-dir DIR [--port N] [--bind ADDR]
//                      [--plain-http] [--expired-cert] [--exit-on-stdin-eof]
//
// Start-up writes DIR/{ca.pem,server.pem,server.key,other-ca.pem}, listens, then writes
// DIR/url atomically and prints one line "SQUADCAST_EMULATOR_URL=<url>" on stdout.
// Logs go to stderr, one line per request: method, path, status. Never headers or bodies:
// they carry tokens.
#include "control_api.hpp"
#include "emulator_state.hpp"
#include "fault_injection.hpp"
#include "graphql_api.hpp"
#include "teams_api.hpp"
#include "server_clock.hpp"
#include "squadcast_api.hpp"
#include "test_certificates.hpp"
#include "token_admin_api.hpp"

#include <httplib.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace {

using namespace squadcast::emulator;

struct Args {
  std::string seed;
  std::string state_dir;
  std::string bind = "127.0.0.1";
  int port = 0;
  bool plain_http = false;
  bool expired_cert = false;
  bool exit_on_stdin_eof = false;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "squadcast-emulator: " << problem << "\n"
            << "usage: squadcast-emulator --seed FILE --state-dir DIR [--port N] "
               "[--bind ADDR] [--plain-http] [--expired-cert] [--exit-on-stdin-eof]\n";
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--seed") a.seed = value();
    else if (arg == "--state-dir") a.state_dir = value();
    else if (arg == "--bind") a.bind = value();
    else if (arg == "--port") {
      try {
        a.port = std::stoi(value());
      } catch (const std::exception&) {
        usage("--port needs a number");
      }
    }
    else if (arg == "--plain-http") a.plain_http = true;
    else if (arg == "--expired-cert") a.expired_cert = true;
    else if (arg == "--exit-on-stdin-eof") a.exit_on_stdin_eof = true;
    else usage("unknown argument " + arg);
  }
  if (a.seed.empty() || a.state_dir.empty()) usage("--seed and --state-dir are required");
  return a;
}

std::mutex log_mutex;
void log_line(const std::string& line) {
  std::lock_guard lock(log_mutex);
  std::fprintf(stderr, "squadcast-emulator: %s\n", line.c_str());
}

// httplib listens with a backlog of 5; tests open 64 connections at once, so widen it
// on the already-listening socket (Linux accepts a second listen() for that).
template <class Base>
class WideBacklogServer : public Base {
 public:
  using Base::Base;
  void widen_backlog(int backlog) { ::listen(this->svr_sock_, backlog); }
};

std::atomic<bool> stopping{false};
httplib::Server* running_server = nullptr;

void request_stop(const char* why) {
  if (stopping.exchange(true)) return;
  log_line(std::string("stopping: ") + why);
  running_server->stop();
  // Connections in keep-alive can hold the pool for a few seconds; do not let a test
  // fixture wait on that.
  std::thread([] {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    std::_Exit(0);
  }).detach();
}

void watch_signals(sigset_t set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  request_stop(sig == SIGINT ? "SIGINT" : "SIGTERM");
}

void watch_stdin() {
  char buf[256];
  for (;;) {
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  request_stop("stdin closed");
}

std::unique_ptr<httplib::Server> make_server(const Args& a) {
  if (a.plain_http) return std::make_unique<WideBacklogServer<httplib::Server>>();
  const std::string cert = a.state_dir + "/server.pem";
  const std::string key = a.state_dir + "/server.key";
  return std::make_unique<WideBacklogServer<httplib::SSLServer>>(cert.c_str(), key.c_str());
}

void widen_backlog(httplib::Server& server, bool plain) {
  if (plain) static_cast<WideBacklogServer<httplib::Server>&>(server).widen_backlog(512);
  else static_cast<WideBacklogServer<httplib::SSLServer>&>(server).widen_backlog(512);
}

void configure(httplib::Server& server, EmulatorState& state) {
  // Handlers that hang or delay each hold a thread; keep plenty for 64+ parallel clients.
  server.new_task_queue = [] { return new httplib::ThreadPool(160); };
  // Without it Nagle plus delayed ACKs add ~40 ms to every answer written in two parts.
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(10);
  server.set_write_timeout(10);
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    const std::string fault = res.get_header_value("X-Emulator-Fault");
    // drop and hang send nothing, whatever status httplib believes it wrote.
    const bool silent = fault == "drop" || fault == "hang";
    std::string line = req.method + " " + req.path + " " +
                       (silent ? std::string("-") : std::to_string(res.status));
    if (!fault.empty()) line += " fault=" + fault;
    log_line(line);
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"meta":{"status":500,"error_message":"emulator error"}})",
                    "application/json");
  });
  install_fault_injection(server, state, stopping);
  register_squadcast_api(server, state);
  register_token_admin_api(server, state);
  register_control_api(server, state);
  const auto teams = std::make_shared<TeamsState>(state);
  register_teams_api(server, state, teams);
  register_graphql_api(server, state, teams);
  static ServerClock clock;
  install_server_clock(server, clock);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);

  // Block the stop signals in every thread; one thread takes them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that disconnects mid-answer (and the drop fault) must not kill us.
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<EmulatorState> state;
  std::unique_ptr<httplib::Server> server;
  std::string url;
  try {
    std::ifstream seed_file(args.seed);
    if (!seed_file) throw std::runtime_error("cannot read seed " + args.seed);
    state = std::make_unique<EmulatorState>(nlohmann::json::parse(seed_file));

    std::filesystem::create_directories(args.state_dir);
    if (chmod(args.state_dir.c_str(), 0700) != 0) {
      throw std::runtime_error("chmod 0700 " + args.state_dir + " failed");
    }
    write_test_certificates(args.state_dir, CertificateOptions{args.expired_cert});

    server = make_server(args);
    if (!server->is_valid()) throw std::runtime_error("TLS server setup failed");
    configure(*server, *state);
    int port = args.port;
    if (port == 0) port = server->bind_to_any_port(args.bind);
    else if (!server->bind_to_port(args.bind, port)) port = -1;
    if (port <= 0) throw std::runtime_error("cannot listen on " + args.bind);
    widen_backlog(*server, args.plain_http);

    const std::string host =
        args.bind.find(':') != std::string::npos ? "[" + args.bind + "]" : args.bind;
    url = std::string(args.plain_http ? "http" : "https") + "://" + host + ":" +
          std::to_string(port);
    write_file_atomically(args.state_dir + "/url", url + "\n", 0644);
  } catch (const std::exception& e) {
    log_line(std::string("start-up failed: ") + e.what());
    return 1;
  }

  running_server = server.get();
  std::thread(watch_signals, stop_signals).detach();
  if (args.exit_on_stdin_eof) std::thread(watch_stdin).detach();

  std::printf("SQUADCAST_EMULATOR_URL=%s\n", url.c_str());
  std::fflush(stdout);
  log_line("listening on " + url);

  if (!stopping) server->listen_after_bind();
  log_line("stopped");
  std::fflush(stderr);
  // Detached watcher threads are still blocked in sigwait/read: skip static teardown.
  std::_Exit(0);
}
