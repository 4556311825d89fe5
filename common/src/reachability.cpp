#include "squadcast/reachability.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <vector>

#include "squadcast/http_client.hpp"

namespace squadcast {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(std::chrono::duration_cast<milliseconds>(Clock::now() - since).count());
}

struct Target {
  std::string base_url;  // scheme://host[:port]
  std::string host;
  int port = 443;
};

std::vector<Target> distinct_targets(const Endpoints& endpoints) {
  std::vector<Target> targets;
  for (const std::string* url : {&endpoints.auth_url, &endpoints.api_url}) {
    auto parts = parse_url(*url);
    if (!parts) continue;
    Target target{*url, parts.value().host, parts.value().port};
    if (target.port == 0) target.port = parts.value().scheme == "http" ? 80 : 443;
    bool seen = false;
    for (const Target& other : targets) seen = seen || (other.host == target.host && other.port == target.port);
    if (!seen) targets.push_back(target);
  }
  return targets;
}

struct AddrInfoList {
  addrinfo* list = nullptr;
  ~AddrInfoList() {
    if (list != nullptr) freeaddrinfo(list);
  }
};

std::string address_text(const addrinfo& entry) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* where = entry.ai_family == AF_INET6
                          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(entry.ai_addr)->sin6_addr)
                          : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(entry.ai_addr)->sin_addr);
  inet_ntop(entry.ai_family, where, text, sizeof text);
  return text;
}

// One non-blocking connect bounded by `timeout`: the connected socket (the caller closes
// it), or -1 with `why` set.
int connect_socket(const addrinfo& entry, milliseconds timeout, std::string& why) {
  int fd = ::socket(entry.ai_family, entry.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, entry.ai_protocol);
  if (fd < 0) {
    why = std::strerror(errno);
    return -1;
  }
  auto failed = [&](std::string reason) {
    ::close(fd);
    why = std::move(reason);
    return -1;
  };
  if (::connect(fd, entry.ai_addr, entry.ai_addrlen) == 0) return fd;
  if (errno != EINPROGRESS) return failed(std::strerror(errno));
  pollfd waiting{fd, POLLOUT, 0};
  int ready = ::poll(&waiting, 1, static_cast<int>(timeout.count()));
  if (ready == 0) return failed("no answer in " + describe_duration(static_cast<long>(timeout.count())));
  if (ready < 0) return failed(std::strerror(errno));
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return failed(std::strerror(errno));
  if (error != 0) return failed(std::strerror(error));
  return fd;
}

// "" on success, else why not.
std::string connect_once(const addrinfo& entry, milliseconds timeout) {
  std::string why;
  int fd = connect_socket(entry, timeout, why);
  if (fd >= 0) ::close(fd);
  return why;
}

// A TLS record carrying an empty ClientHello: no TLS stack can accept it, and every live
// one answers it at once with an alert or a close. Nothing about us goes with it.
constexpr unsigned char empty_client_hello[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};

// True only when the target takes a TCP connection and our hello, then says nothing at
// all for `wait`: a hung server, or a middlebox holding the connection. A timed-out TLS
// row cannot tell that from a slow network on its own.
bool tls_hello_unanswered(const Target& target, milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  AddrInfoList found;
  if (::getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found.list) != 0 ||
      found.list == nullptr) {
    return false;
  }
  std::string why;
  const int fd = connect_socket(*found.list, wait, why);
  if (fd < 0) return false;  // not even TCP this time: the tcp row speaks for that
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::send(fd, empty_client_hello, sizeof empty_client_hello, MSG_NOSIGNAL) !=
      static_cast<ssize_t>(sizeof empty_client_hello)) {
    return false;
  }
  pollfd waiting{fd, POLLIN, 0};
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return ::poll(&waiting, 1, static_cast<int>(std::max<long long>(left, 0))) == 0;
}

// True when TCP connected.
bool check_host(CheckReport& report, const Target& target, const ReachabilityOptions& options) {
  const std::string where = target.host + ":" + std::to_string(target.port);
  auto direct_failure = [&](std::string name, std::string detail, std::string fix) {
    if (options.proxy_in_use) {
      report.warn(std::move(name), detail + " (a proxy is configured: HTTPS goes through it, see the tls row)",
                  std::move(fix));
    } else {
      report.fail(std::move(name), std::move(detail), std::move(fix));
    }
  };

  const auto resolve_start = Clock::now();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  AddrInfoList found;
  int resolved = ::getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found.list);
  if (resolved != 0 || found.list == nullptr) {
    direct_failure("dns " + target.host, "cannot resolve " + target.host + ": " + gai_strerror(resolved),
                   "check the host name in auth_url/api_url and /etc/resolv.conf (try: getent hosts " + target.host +
                       ")");
    return false;
  }
  report.ok("dns " + target.host,
            target.host + " -> " + address_text(*found.list) + " in " + describe_duration(elapsed_ms(resolve_start)));

  const auto connect_start = Clock::now();
  std::string last_error = "no address";
  for (const addrinfo* entry = found.list; entry != nullptr; entry = entry->ai_next) {
    const auto left = options.timeout - std::chrono::duration_cast<milliseconds>(Clock::now() - connect_start);
    if (left <= milliseconds(0)) break;
    last_error = connect_once(*entry, left);
    if (last_error.empty()) {
      report.ok("tcp " + where, "connected to " + address_text(*entry) + " in " +
                                    describe_duration(elapsed_ms(connect_start)));
      return true;
    }
  }
  direct_failure("tcp " + where, "cannot connect to " + where + ": " + last_error,
                 "check that Squadcast is up and that no firewall blocks " + where +
                     " (try: curl -v " + target.base_url + "/)");
  return false;
}

// TLS and an HTTP answer through the one HTTP client; returns the server's Date, if any.
std::optional<std::time_t> check_tls(CheckReport& report, const Target& target, const ReachabilityOptions& options,
                                     bool tcp_connected, std::optional<long>& skew_seconds) {
  HttpOptions http;
  http.ca_file = options.ca_file;
  http.deadline = options.timeout;
  http.connect_timeout = std::min(http.connect_timeout, options.timeout);
  http.max_attempts = 1;
  http.allow_http_loopback = options.allow_http_loopback;
  const std::string trust = options.ca_file.empty() ? "the system trust store" : "CA file " + options.ca_file;
  const auto start = Clock::now();
  auto answer = http_get(target.base_url + "/", {}, http);
  const long took = elapsed_ms(start);
  const std::string name = "tls " + target.host;
  if (!answer) {
    const Error& error = answer.error();
    if (error.kind == ErrorKind::tls) {
      report.fail(name, error.message + " (verified against " + trust + ")",
                  options.ca_file.empty()
                      ? "if a proxy or private CA signs this certificate, set ca_file to that CA's PEM file"
                      : "set ca_file to the CA that signed " + target.host + "'s certificate, or remove ca_file to "
                                                                             "use the system trust store");
    } else if (const auto wait = std::min(options.timeout, HttpOptions{}.connect_timeout);
               tcp_connected && target.base_url.starts_with("https:") && !options.proxy_in_use &&
               tls_hello_unanswered(target, wait)) {
      // Through a proxy the direct path would prove nothing about the one libcurl took.
      const std::string where = target.host + ":" + std::to_string(target.port);
      report.fail(name,
                  "TLS handshake timed out: hung server or middlebox (" + where +
                      " accepts TCP but sent nothing back to a TLS hello in " + describe_duration(wait.count()) + ")",
                  "check the server at " + where +
                      " and any firewall, proxy or TLS-inspecting box in between (try: openssl s_client -connect " +
                      where + ")");
    } else {
      report.fail(name, error.message, "see the dns and tcp rows above; try: curl -v " + target.base_url + "/");
    }
    return std::nullopt;
  }
  const std::time_t received = ::time(nullptr);
  report.ok(name, (target.base_url.starts_with("https:") ? "certificate verified with " + trust : "plain http (tests)") +
                      "; HTTP " + std::to_string(answer.value().status) + " in " + describe_duration(took));
  if (answer.value().server_date) skew_seconds = static_cast<long>(*answer.value().server_date - received);
  return answer.value().server_date;
}

}  // namespace

void check_reachability(CheckReport& report, const Endpoints& endpoints, const ReachabilityOptions& options) {
  std::optional<long> skew;
  bool answered = false;
  for (const Target& target : distinct_targets(endpoints)) {
    const bool tcp_connected = check_host(report, target, options);
    std::optional<long> host_skew;
    if (check_tls(report, target, options, tcp_connected, host_skew) || host_skew) answered = true;
    if (host_skew && (!skew || std::labs(*host_skew) > std::labs(*skew))) skew = host_skew;
  }
  if (!skew) {
    if (answered) {
      report.warn("clock", "the server sent no Date header; clock skew unknown", "");
    } else {
      report.warn("clock", "no answer from Squadcast; clock skew unknown", "fix reachability first (rows above)");
    }
    return;
  }
  const long off = *skew;
  const std::string direction = off >= 0 ? " ahead of ours" : " behind ours";
  if (std::labs(off) > max_clock_skew_seconds) {
    report.warn("clock", "the server's clock is " + std::to_string(std::labs(off)) + " s" + direction +
                             "; token expiries are judged by our clock",
                "synchronise this machine's clock: sudo timedatectl set-ntp true (or: sudo chronyc makestep)");
  } else {
    report.ok("clock", "within " + std::to_string(std::labs(off)) + " s of the server's (Date header)");
  }
}

}  // namespace squadcast
