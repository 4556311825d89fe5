// The docker credential-helper protocol (docker, skopeo, podman): byte 0 picks
// get/store/erase/list; the rest is stdin (a server URL, or the JSON of `store`).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "fake_account.hpp"
#include "fuzz_support.hpp"
#include "protocols/docker_protocol.hpp"

using namespace squadcast;
using namespace squadcast::helper;

namespace {
constexpr std::string_view actions[] = {"get", "store", "erase", "list", "version", ""};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view action = actions[data[0] % 6];
  std::istringstream in(std::string(fuzz::as_text(data + 1, size - 1)));
  std::ostringstream out, err;
  test::FakeAccount account;
  int code = run_docker_action(action, account, in, out, err);  // must not throw
  FUZZ_CHECK(code == 0 || code == 1);
  std::string answer = out.str();
  if (code == 0 && (action == "get" || action == "list")) {
    // Success answers are one JSON object docker can read.
    auto parsed = nlohmann::json::parse(answer, nullptr, false);
    FUZZ_CHECK(!parsed.is_discarded() && parsed.is_object());
  }
  if (code == 1) FUZZ_CHECK(!answer.empty() && answer.back() == '\n');  // errors on stdout, as docker wants
  return 0;
}
