// Runs a private squadcast-emulator process for one test and drives its control API.
//
//   squadcast::test::Emulator emu;             // HTTPS, fresh CA, seeded state
//   auto token = emu.refresh_token("tok-admin");
//   emu.fault("exchange", 1, "status", 503, "1");
//   ... point the code under test at emu.url() with CA file emu.ca_file() ...
//
// Every instance has its own process, port and state directory; the destructor stops
// the process (it also exits by itself if this process dies: its stdin is our pipe) and
// deletes the directory. Failures throw std::runtime_error. Token values are only ever
// passed over the control connection, never in argv or messages.
#pragma once

#include <map>
#include <string>
#include <vector>
#include <sys/types.h>

namespace squadcast::test {

class Emulator {
 public:
  struct Options {
    bool plain_http = false;    // serve http:// instead of https://
    bool expired_cert = false;  // the server certificate has expired
  };

  // Two constructors rather than `Options options = {}`: GCC rejects a default argument
  // of a nested class with member initialisers while the outer class is incomplete.
  Emulator();
  explicit Emulator(Options options);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Base URL for both the auth and the api host, e.g. "https://127.0.0.1:41234".
  const std::string& url() const { return url_; }
  std::string ca_file() const { return state_dir_ + "/ca.pem"; }
  std::string other_ca_file() const { return state_dir_ + "/other-ca.pem"; }
  const std::string& state_dir() const { return state_dir_; }

  // The current refresh token of a seeded (or rotated) token id, e.g. "tok-admin".
  std::string refresh_token(const std::string& token_id);
  void revoke(const std::string& token_id);
  void set_role(const std::string& email, const std::string& role);
  void set_abilities(const std::string& email, const std::vector<std::string>& abilities);
  void set_lifetime(long seconds);
  void set_rotation(bool enabled);
  // Seconds added to the Date header of every answer (0: the real time).
  void set_clock_skew(long seconds);
  // endpoint: "exchange" | "user" | "graphql" | "any"; mode: "none" | "status" | "malformed" |
  // "truncated" | "huge" | "drop" | "hang". count 0 cancels queued faults.
  void fault(const std::string& endpoint, int count, const std::string& mode,
             int status = 0, const std::string& retry_after = "", int delay_ms = 0);
  // The next `count` requests to `endpoint` get 200 with exactly `body`.
  void fault_body(const std::string& endpoint, int count, const std::string& body);
  // Per-token calls per minute: one token id, or every token when token_id is "".
  // Returns how many 429s the rate limit has answered so far.
  long set_rate_limit(const std::string& token_id, long per_minute);
  long set_rate_limiting(bool enabled);
  // group: "exchange" | "user" | "refresh_token" | "graphql" | "total"
  long counter(const std::string& group);
  // Requests per token id since the last reset: every non-control request that spent the
  // token (exchange or bearer), whatever its answer. Every token id is listed, 0 if unused.
  std::map<std::string, long> token_counters();
  // The user is deleted: 404 on /v3/users lookups, gone from lists, team members, squads
  // and on-call, every token of theirs revoked. reset() or /_control/oncall/reset undo it.
  void delete_user(const std::string& email);
  // The next `count` POST /v3/graphql answer HTTP 200 with a GraphQL-level failure. mode:
  // "errors" ({"errors":[{"message":...}],"data":null}), "malformed"
  // ({"data":{"whoIsOncall":"oops"}}) or "partial" (the errors beside an empty whoIsOncall
  // list). count 0 cancels queued graphql faults.
  void graphql_error(int count, const std::string& message = "injected GraphQL error",
                     const std::string& mode = "errors");
  void reset();
  // Any control call by path, e.g. POST /_control/oncall/handoff (tests/emulator/README.md):
  // endpoint families in their own files need no method here. Returns the answer's body.
  std::string call_control(const std::string& method, const std::string& path, const std::string& json_body = "") {
    return control(method, path, json_body);
  }
  // Stops the process now (idempotent); the state directory stays until destruction.
  void stop();

 private:
  std::string control(const std::string& method, const std::string& path,
                      const std::string& json_body = "");

  Options options_;
  std::string state_dir_;
  std::string url_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
};

}  // namespace squadcast::test
