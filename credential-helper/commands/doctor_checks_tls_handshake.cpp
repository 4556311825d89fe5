// doctor: the core's reachability rows (dns, tcp, tls per host, clock), with one state they
// cannot tell apart named for what it is: a server that accepts TCP but never finishes a
// TLS handshake (a hung server, or a middlebox holding the connection). The core's tls row
// then reads as a plain timeout; a hello of our own that gets no answer at all, neither
// an alert nor a close, tells.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>

#include "commands/doctor_command.hpp"
#include "squadcast/http_client.hpp"

namespace squadcast::helper {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A TLS record carrying an empty ClientHello: no TLS stack can accept it, every live one
// answers it at once with an alert or a close. No token, nothing about us, goes with it.
constexpr unsigned char empty_client_hello[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};

struct Socket {
  int fd = -1;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

int left_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// True only when `host:port` connects, takes our hello and then says nothing for `wait`.
bool handshake_stays_silent(const std::string& host, int port, milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) return false;
  Socket socket_fd{::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, found->ai_protocol)};
  const bool started = socket_fd.fd >= 0 && (::connect(socket_fd.fd, found->ai_addr, found->ai_addrlen) == 0 ||
                                             errno == EINPROGRESS);
  ::freeaddrinfo(found);
  if (!started) return false;
  pollfd waiting{socket_fd.fd, POLLOUT, 0};
  int error = 0;
  socklen_t length = sizeof error;
  if (::poll(&waiting, 1, left_ms(deadline)) != 1 ||
      ::getsockopt(socket_fd.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
    return false;  // not even TCP this time: the tcp row speaks for that
  }
  if (::send(socket_fd.fd, empty_client_hello, sizeof empty_client_hello, MSG_NOSIGNAL) !=
      static_cast<ssize_t>(sizeof empty_client_hello)) {
    return false;
  }
  waiting = {socket_fd.fd, POLLIN, 0};
  return ::poll(&waiting, 1, left_ms(deadline)) == 0;
}

const CheckRow* find_row(const CheckReport& report, const std::string& name) {
  for (const CheckRow& row : report.rows()) {
    if (row.name == name) return &row;
  }
  return nullptr;
}

// A failed tls row of `url`, whose tcp row passed: when our own hello gets no answer
// either, the row says so instead of pointing back at the dns and tcp rows.
void name_silent_handshake(const CheckReport& core, CheckRow& row, const UrlParts& url, milliseconds timeout) {
  const int port = url.port != 0 ? url.port : 443;
  const std::string where = url.host + ":" + std::to_string(port);
  const CheckRow* tcp = find_row(core, "tcp " + where);
  if (tcp == nullptr || tcp->status != CheckStatus::ok) return;  // the tcp row already says why
  const milliseconds wait = std::min(timeout, HttpOptions{}.connect_timeout);
  if (!handshake_stays_silent(url.host, port, wait)) return;
  row.detail = "TLS handshake timed out: hung server or middlebox (";
  row.detail += where + " accepts TCP but sent nothing back to a TLS hello in " + describe_duration(wait.count());
  row.detail += ")";
  row.fix = "check the server at " + where;
  row.fix += " and any firewall, proxy or TLS-inspecting box in between (try: openssl s_client -connect ";
  row.fix += where + ")";
}

}  // namespace

void check_network(CheckReport& report, const Endpoints& endpoints, const ReachabilityOptions& options) {
  CheckReport core;
  check_reachability(core, endpoints, options);
  const std::string* urls[] = {&endpoints.auth_url, &endpoints.api_url};
  bool matched[] = {false, false};  // one tls row per URL, in order (two when only the port differs)
  for (CheckRow row : core.rows()) {
    for (std::size_t i = 0; i < 2; ++i) {
      auto url = parse_url(*urls[i]);
      if (matched[i] || !url || row.name != "tls " + url.value().host) continue;
      matched[i] = true;
      // Through a proxy the direct path proves nothing about the one curl took.
      if (row.status == CheckStatus::fail && url.value().scheme == "https" && !options.proxy_in_use)
        name_silent_handshake(core, row, url.value(), options.timeout);
      break;
    }
    report.add(std::move(row));
  }
}

}  // namespace squadcast::helper
