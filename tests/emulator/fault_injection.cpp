#include "fault_injection.hpp"

#include "http_replies.hpp"
#include "token_admin_api.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>

namespace squadcast::emulator {
namespace {

using Clock = std::chrono::steady_clock;

// Sleeps in short slices so a shutdown is never held up by a fault.
void interruptible_sleep(std::chrono::milliseconds total, const std::atomic<bool>& stopping) {
  const auto until = Clock::now() + total;
  while (!stopping && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int port_of(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}

// httplib hands handlers no socket, so find the connection's fd: TLS exposes it
// through the SSL object; for plain HTTP match the ports among our open sockets.
int connection_fd(const httplib::Request& req) {
  if (req.ssl != nullptr) return SSL_get_fd(req.ssl);
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (const dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == dirfd(dir)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t llen = sizeof local, plen = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) != 0 ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) != 0) {
      continue;
    }
    if (port_of(local) == req.local_port && port_of(peer) == req.remote_port) {
      found = fd;
      break;
    }
  }
  closedir(dir);
  return found;
}

// Closes the connection under httplib's feet: the client gets EOF and no response.
// httplib's own write then fails and it closes the socket as usual.
void drop_connection(const httplib::Request& req) {
  const int fd = connection_fd(req);
  if (fd >= 0) shutdown(fd, SHUT_RDWR);
}

// Returns true when the fault produced the whole answer (routing must not run).
bool play(const Fault& f, const httplib::Request& req, httplib::Response& res,
          const std::atomic<bool>& stopping) {
  interruptible_sleep(std::chrono::milliseconds(f.delay_ms), stopping);
  // Visible in the log line; harmless to clients.
  res.set_header("X-Emulator-Fault", f.mode);
  if (f.mode == "none") return false;
  if (f.mode == "status") {
    if (!f.retry_after.empty()) res.set_header("Retry-After", f.retry_after);
    send_error(res, f.status, "injected fault");
  } else if (f.mode == "body") {  // any answer a test needs, e.g. a user lookup for someone else
    res.status = 200;
    res.set_content(f.body, "application/json");
  } else if (f.mode == "malformed") {
    res.status = 200;
    res.set_content("<html><body><h1>502 Bad Gateway</h1></body></html>\n{\"data\":",
                    "application/json");
  } else if (f.mode == "truncated") {
    // Promise 4096 bytes, send a few, then fail the provider: httplib closes the
    // connection, so the client sees a short body.
    res.status = 200;
    res.set_content_provider(4096, "application/json",
                             [](size_t, size_t, httplib::DataSink& sink) {
                               const std::string part = "{\"data\":{\"access_token\":\"eyJ";
                               sink.write(part.data(), part.size());
                               return false;
                             });
  } else if (f.mode == "huge") {
    res.status = 200;
    std::string body = "{\"data\":{\"access_token\":\"";
    body.append(10 * 1024 * 1024, 'A');
    body += "\"}}";
    res.set_content(std::move(body), "application/json");
  } else if (f.mode == "graphql_errors") {  // from /_control/graphql_error
    send_graphql_error(res, f.body);
  } else if (f.mode == "graphql_malformed") {
    send_json(res, 200, {{"data", {{"whoIsOncall", "oops"}}}});
  } else if (f.mode == "graphql_partial") {  // errors beside data that says "nobody"
    send_json(res, 200, {{"errors", {{{"message", f.body}}}}, {"data", {{"whoIsOncall", nlohmann::json::array()}}}});
  } else if (f.mode == "drop") {
    drop_connection(req);
  } else if (f.mode == "hang") {
    interruptible_sleep(std::chrono::seconds(120), stopping);
    drop_connection(req);
  }
  return true;
}

// Counts the request, plays its fault, enforces its token's rate limit: true when that
// made the whole answer (routing must not run).
bool intercept(EmulatorState& state, const httplib::Request& req, httplib::Response& res,
               const std::atomic<bool>& stopping) {
  const auto token_id = spending_token_id(state, req);
  if (token_id) state.count_token_request(*token_id);
  const auto fault = state.arrive(group_of(req.path));
  if (fault && play(*fault, req, res, stopping)) return true;
  // Unknown tokens are not limited: they get their 401 from the handler.
  return token_id && refuse_over_rate_limit(state, *token_id, res);
}

// Set once by install_fault_injection, before any route is registered or served.
const std::atomic<bool>* stopping_flag = nullptr;
std::set<std::string> posts_after_body;  // exact paths; read-only once serving

}  // namespace

void install_fault_injection(httplib::Server& server, EmulatorState& state,
                             const std::atomic<bool>& stopping) {
  stopping_flag = &stopping;
  server.set_pre_routing_handler(
      [&state, &stopping](const httplib::Request& req, httplib::Response& res) {
        const bool deferred = req.method == "POST" && posts_after_body.count(req.path) != 0;
        if (group_of(req.path) == Group::control || deferred) return httplib::Server::HandlerResponse::Unhandled;
        return intercept(state, req, res, stopping) ? httplib::Server::HandlerResponse::Handled
                                                    : httplib::Server::HandlerResponse::Unhandled;
      });
}

void post_with_faults(httplib::Server& server, EmulatorState& state, const std::string& path,
                      httplib::Server::Handler handler) {
  posts_after_body.insert(path);
  server.Post(path, [&state, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    if (!intercept(state, req, res, *stopping_flag)) handler(req, res);
  });
}

}  // namespace squadcast::emulator
