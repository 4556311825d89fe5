// Small crypto helpers shared by the emulator: base64url, HMAC-SHA256, random and
// stable identifiers. All built on OpenSSL so the emulator needs no other crypto.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace squadcast::emulator {

// RFC 4648 base64url without padding (what JWTs use).
std::string base64url_encode(std::string_view bytes);
// Accepts input with or without padding; nullopt on any character outside the alphabet.
std::optional<std::string> base64url_decode(std::string_view text);

// Raw 32-byte HMAC-SHA256 of data under key.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Lowercase hex of n_bytes cryptographically random bytes (2 * n_bytes characters).
std::string random_hex(std::size_t n_bytes);

// A 24-hex-character id (the shape of a MongoDB ObjectId) derived from a name, so that
// role and ability ids are the same on every run without being listed in the seed.
std::string stable_object_id(std::string_view name);

}  // namespace squadcast::emulator
