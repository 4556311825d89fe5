// libcurl and the libraries it loads (OpenSSL, GnuTLS, the resolver, Kerberos) read
// environment variables with plain getenv: SSLKEYLOGFILE, the *_proxy family, OPENSSL_CONF...
// Inside a setuid program (su, sudo, chsh) the environment belongs to the calling user, so
// while libcurl is loaded, initialised and used, the process sees a fixed, empty one.
#pragma once

namespace squadcast {

// Swaps `environ` for an empty environment for its lifetime and puts the original back.
//
// Why a swap and not a child process: a fork without exec inside a PAM host (sshd, a
// display manager, a threaded daemon) may only call async-signal-safe functions, yet
// loading libcurl and TLS means dlopen and malloc; the host's SIGCHLD handler (sshd has
// one) may also reap our child before we do. A fork+exec of a separate binary would avoid
// both, but adds an installed program and a pipe protocol carrying secrets. The swap has
// one cost: it is process-wide, so another thread of the host calling getenv meanwhile
// sees the empty environment; an empty environment only ever removes a setting, never
// adds one. Overlapping calls from several threads share one swap (fixed_environment.cpp). The arrays stay valid the
// whole time (the original is the process's own; ours is static), so a concurrent getenv
// never reads freed memory.
class FixedEnvironment {
 public:
  FixedEnvironment();
  ~FixedEnvironment();
  FixedEnvironment(const FixedEnvironment&) = delete;
  FixedEnvironment& operator=(const FixedEnvironment&) = delete;
};

}  // namespace squadcast
