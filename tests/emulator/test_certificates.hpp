// The emulator's throw-away PKI, made in-process with OpenSSL at every start so no key
// material is ever committed and no `openssl` command line is needed.
#pragma once

#include <string>

namespace squadcast::emulator {

struct CertificateOptions {
  // The server certificate's validity ended yesterday: for "TLS must fail" tests.
  bool expired_server_cert = false;
};

// Writes into state_dir (which must exist):
//   ca.pem        the test CA that signed server.pem (tests pass it as the CA file)
//   server.pem    server certificate, SAN IP:127.0.0.1 and DNS:localhost
//   server.key    its private key (0600)
//   other-ca.pem  an unrelated CA, for "wrong CA must fail" tests
// Throws std::runtime_error on any OpenSSL failure.
void write_test_certificates(const std::string& state_dir, const CertificateOptions& options);

// Atomic file write (temp file in the same directory, fsync, rename) with the given mode,
// so a reader never sees half a file. Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& content, unsigned mode);

}  // namespace squadcast::emulator
