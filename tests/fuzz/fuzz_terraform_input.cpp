// terraform's credentials-helper protocol: `get|store|forget HOST`, JSON on stdin for store.
// Byte 0 picks the action; the first line of the rest is HOST, the remainder stdin.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_account.hpp"
#include "fuzz_support.hpp"
#include "protocols/terraform_protocol.hpp"

using namespace squadcast;
using namespace squadcast::helper;

namespace {
constexpr std::string_view actions[] = {"get", "store", "forget", "list"};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view action = actions[data[0] % 4];
  auto [host, rest] = fuzz::split_first_line(fuzz::as_text(data + 1, size - 1));
  std::vector<std::string> operands{std::string(host)};
  if (data[0] & 0x80) operands.clear();  // and the wrong number of operands
  std::istringstream in{std::string(rest)};
  std::ostringstream out, err;
  test::FakeAccount account;
  int code = run_terraform_action(action, operands, account, in, out, err);  // must not throw
  FUZZ_CHECK(code == 0 || code == 1);
  if (code == 0 && action == "get") {
    auto parsed = nlohmann::json::parse(out.str(), nullptr, false);
    FUZZ_CHECK(!parsed.is_discarded() && parsed.is_object());
  }
  return 0;
}
