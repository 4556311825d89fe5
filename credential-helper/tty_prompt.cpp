#include "tty_prompt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace squadcast::helper {

namespace {
inline constexpr std::size_t max_secret_line = 8 * 1024;

// Ctrl-C at the prompt must not leave the terminal without echo.
int prompt_fd = -1;
termios prompt_saved{};
constexpr int restoring_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restore_echo_and_reraise(int signal_number) {
  if (prompt_fd >= 0) ::tcsetattr(prompt_fd, TCSAFLUSH, &prompt_saved);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

Result<Secret> finish_line(std::string& line, bool complete) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!complete && line.empty()) return Error{ErrorKind::invalid_input, "no token given"};
  Secret secret(line);
  wipe_string(line);
  return secret;
}
}  // namespace

Result<Secret> read_secret_line(std::istream& in) {
  std::string line;
  char c;
  bool complete = false;
  while (in.get(c)) {
    if (c == '\n') {
      complete = true;
      break;
    }
    if (line.size() >= max_secret_line) {
      wipe_string(line);
      return Error{ErrorKind::invalid_input, "the token line is too long"};
    }
    line.push_back(c);
  }
  return finish_line(line, complete);
}

Result<Secret> prompt_secret_on_tty(std::string_view prompt) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return Error{ErrorKind::config, std::string("no terminal to prompt on (") + std::strerror(errno) +
                                        "); pipe the token in with --stdin"};
  termios saved{};
  bool have_termios = ::tcgetattr(fd, &saved) == 0;
  if (have_termios) {
    prompt_fd = fd;
    prompt_saved = saved;
    struct sigaction restore {};
    restore.sa_handler = restore_echo_and_reraise;
    for (int signal_number : restoring_signals) ::sigaction(signal_number, &restore, nullptr);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  [[maybe_unused]] ssize_t written = ::write(fd, prompt.data(), prompt.size());
  std::string line;
  bool complete = false;
  char c;
  while (true) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (c == '\n') {
      complete = true;
      break;
    }
    if (line.size() < max_secret_line) line.push_back(c);
  }
  if (have_termios) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    for (int signal_number : restoring_signals) ::signal(signal_number, SIG_DFL);
    prompt_fd = -1;
  }
  ::close(fd);
  return finish_line(line, complete);
}

Result<bool> confirm_on_tty(std::string_view question) {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return Error{ErrorKind::config, std::string("no terminal to confirm on (") + std::strerror(errno) +
                                        "); pass --yes to confirm in a script"};
  }
  [[maybe_unused]] ssize_t written = ::write(fd, question.data(), question.size());
  char answer = '\0';
  char c;
  bool first = true;
  while (true) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    if (first) answer = c;
    first = false;
  }
  ::close(fd);
  return answer == 'y' || answer == 'Y';
}

}  // namespace squadcast::helper
