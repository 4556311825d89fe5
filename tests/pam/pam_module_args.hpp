// What the libpamtest tests of pam_squadcast.so share: the seeded organisation, the usual
// stack, and the module arguments that point it at an emulator and a scratch cache.
#pragma once

#include <string>
#include <vector>

#include "emulator_fixture.hpp"
#include "pam_test_env.hpp"

namespace squadcast::test {

inline constexpr const char* acme = "5e8edb1f7e6f7d0001a1c0de";  // the emulator's organisation
inline const std::vector<std::string> auth_and_account = {"auth required @MODULE@ @ARGS@",
                                                          "account required @MODULE@ @ARGS@"};
inline const std::vector<std::string> account_only = {"account required @MODULE@ @ARGS@"};

// The emulator's URLs and CA, the scratch cache, debug, then `extra`; timeout=5 unless
// `extra` sets one (each option may be given once).
inline std::string base_args(const Emulator& emu, const PamTestEnv& env, const std::string& extra) {
  return "auth_url=" + emu.url() + " api_url=" + emu.url() + " ca_file=" + emu.ca_file() +
         " cache_dir=" + env.cache_dir() + " debug " + extra +
         (extra.find("timeout=") == std::string::npos ? " timeout=5" : "");
}

}  // namespace squadcast::test
