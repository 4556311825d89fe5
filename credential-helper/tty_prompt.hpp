// Reading a token from a person: a no-echo prompt on /dev/tty, or one line of a stream.
#pragma once

#include <istream>
#include <string_view>

#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast::helper {

// One line without its newline (and a trailing '\r'); at most 8 KiB.
Result<Secret> read_secret_line(std::istream& in);

// Prompts on /dev/tty with echo off; fails when there is no terminal.
Result<Secret> prompt_secret_on_tty(std::string_view prompt);

// Asks a yes/no question on /dev/tty; true only for an answer starting with y or Y.
// Fails when there is no terminal (scripts pass --yes instead).
Result<bool> confirm_on_tty(std::string_view question);

}  // namespace squadcast::helper
