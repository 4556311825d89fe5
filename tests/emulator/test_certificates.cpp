#include "test_certificates.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace squadcast::emulator {
namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

// EC P-256: quick to generate, accepted by every TLS stack the tests use.
PkeyPtr new_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key generation");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  check(ext != nullptr, "creating extension");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "adding extension");
}

void set_name(X509_NAME* name, const char* common_name) {
  auto add = [&](const char* field, const char* value) {
    check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(value), -1,
                                     -1, 0) == 1,
          "setting a name");
  };
  add("O", "squadcast-auth test emulator");
  add("CN", common_name);
}

// A certificate for `key`, valid [now+not_before_s, now+not_after_s], named cn.
// issuer/issuer_key == nullptr makes it self-signed.
X509Ptr new_certificate(EVP_PKEY* key, const char* cn, long not_before_s, long not_after_s,
                        X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");

  // Random positive 127-bit serial: two runs never reuse one (browsers and NSS care).
  unsigned char serial_bytes[16];
  check(RAND_bytes(serial_bytes, sizeof serial_bytes) == 1, "RAND_bytes");
  serial_bytes[0] &= 0x7f;
  std::unique_ptr<BIGNUM, Deleter<BN_free>> bn(
      BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  check(bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())), "serial");

  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before_s) != nullptr,
        "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after_s) != nullptr,
        "notAfter");
  check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  set_name(X509_get_subject_name(cert.get()), cn);
  X509* signer = issuer ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1, "issuer");

  if (issuer == nullptr) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");

  check(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0,
        "X509_sign");
  return cert;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(bio && PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return bio_contents(bio.get());
}

std::string key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  check(bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                        nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return bio_contents(bio.get());
}

constexpr long kDay = 24 * 3600;

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content,
                           unsigned mode) {
  std::string tmp = path + ".tmp-XXXXXX";
  std::vector<char> name(tmp.begin(), tmp.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) throw std::runtime_error("mkstemp " + tmp + ": " + std::strerror(errno));
  bool ok = fchmod(fd, static_cast<mode_t>(mode)) == 0;
  std::size_t done = 0;
  while (ok && done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  ok = (close(fd) == 0) && ok;
  if (!ok || rename(name.data(), path.c_str()) != 0) {
    const int saved = errno;
    unlink(name.data());
    throw std::runtime_error("writing " + path + ": " + std::strerror(saved));
  }
}

void write_test_certificates(const std::string& state_dir,
                             const CertificateOptions& options) {
  const PkeyPtr ca_key = new_key();
  // Backdated an hour so small clock differences never make the CA "not yet valid".
  const X509Ptr ca = new_certificate(ca_key.get(), "squadcast emulator test CA", -3600,
                                     365 * kDay, nullptr, nullptr);

  const PkeyPtr server_key = new_key();
  const long not_before = options.expired_server_cert ? -30 * kDay : -3600;
  const long not_after = options.expired_server_cert ? -kDay : 30 * kDay;
  const X509Ptr server = new_certificate(server_key.get(), "localhost", not_before,
                                         not_after, ca.get(), ca_key.get());

  const PkeyPtr other_key = new_key();
  const X509Ptr other = new_certificate(other_key.get(), "unrelated test CA", -3600,
                                        365 * kDay, nullptr, nullptr);

  const std::string dir = state_dir + "/";
  write_file_atomically(dir + "server.key", key_pem(server_key.get()), 0600);
  write_file_atomically(dir + "server.pem", cert_pem(server.get()), 0644);
  write_file_atomically(dir + "ca.pem", cert_pem(ca.get()), 0644);
  write_file_atomically(dir + "other-ca.pem", cert_pem(other.get()), 0644);
}

}  // namespace squadcast::emulator
