#include "squadcast/result.hpp"

namespace squadcast {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::config: return "configuration error";
    case ErrorKind::invalid_input: return "invalid input";
    case ErrorKind::network: return "network error";
    case ErrorKind::timeout: return "timed out";
    case ErrorKind::tls: return "TLS error";
    case ErrorKind::too_large: return "response too large";
    case ErrorKind::revoked: return "refresh token revoked or invalid";
    case ErrorKind::refused: return "refused by Squadcast";
    case ErrorKind::rate_limited: return "rate limited";
    case ErrorKind::server_error: return "server error";
    case ErrorKind::bad_response: return "bad response";
    case ErrorKind::not_found: return "not found";
    case ErrorKind::permission: return "unsafe permissions";
    case ErrorKind::io: return "I/O error";
    case ErrorKind::forbidden: return "not allowed";
  }
  return "unknown error";
}

bool is_unreachable(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::network:
    case ErrorKind::timeout:
    case ErrorKind::tls:
    case ErrorKind::rate_limited:
    case ErrorKind::server_error:
      return true;
    default:
      return false;
  }
}

bool may_be_graced(ErrorKind kind) { return is_unreachable(kind) && kind != ErrorKind::rate_limited; }

}  // namespace squadcast
