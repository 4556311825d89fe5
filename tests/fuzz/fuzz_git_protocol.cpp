// git's credential protocol as git (or anything that can write to the helper's stdin)
// sends it: read_git_request, then the get/store/erase actions against a fake account.
// Byte 0 picks the action; the rest is stdin.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fake_account.hpp"
#include "fuzz_support.hpp"
#include "protocols/git_protocol.hpp"

using namespace squadcast;
using namespace squadcast::helper;

namespace {
constexpr std::string_view actions[] = {"get", "store", "erase", "frobnicate"};
constexpr std::string_view answer_keys[] = {"capability[]", "authtype", "credential", "username", "password",
                                            "password_expiry_utc"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string input(fuzz::as_text(data + 1, size - 1));

  {
    std::istringstream in(input);
    auto request = read_git_request(in);
    if (request) {
      // Host names are compared lower case.
      for (char c : request.value().host) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
    }
  }

  test::FakeAccount account;
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = run_git_action(actions[data[0] % 4], account, in, out, err);
  FUZZ_CHECK(code == 0 || code == 1);
  // Whatever came in, the answer is only our own key=value lines: nothing from the input
  // can smuggle a line (say a second password=) into what git reads.
  std::istringstream answer(out.str());
  for (std::string line; std::getline(answer, line);) {
    auto equals = line.find('=');
    FUZZ_CHECK(equals != std::string::npos);
    bool known = false;
    for (auto key : answer_keys) known = known || line.compare(0, equals, key) == 0;
    FUZZ_CHECK(known);
  }
  // Errors are one line each.
  std::string error_text = err.str();
  FUZZ_CHECK(error_text.empty() || error_text.back() == '\n');
  return 0;
}
