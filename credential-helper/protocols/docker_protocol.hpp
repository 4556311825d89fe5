// The docker credential helper protocol (docker, skopeo, podman, buildah): the server URL
// or a JSON object on stdin, JSON on stdout, errors as text on stdout with exit 1.
// https://github.com/docker/docker-credential-helpers
#pragma once

#include <istream>
#include <ostream>
#include <string_view>

#include "account.hpp"

namespace squadcast::helper {

// Part of the contract with docker: it turns this exact text into "no credentials".
inline constexpr std::string_view docker_not_found = "credentials not found in native keychain";

int run_docker_action(std::string_view action, Account& account, std::istream& in, std::ostream& out,
                      std::ostream& err);

}  // namespace squadcast::helper
