// Parsing JSON that came from outside: bounded depth, no exceptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace squadcast {

// nullopt for invalid JSON or nesting deeper than max_depth.
std::optional<nlohmann::json> parse_untrusted_json(std::string_view text, int max_depth = 32);

// Typed field access that never throws: nullopt when missing or of another type.
std::optional<std::string> string_field(const nlohmann::json& object, const char* key);
std::optional<std::int64_t> integer_field(const nlohmann::json& object, const char* key);
std::optional<bool> bool_field(const nlohmann::json& object, const char* key);

}  // namespace squadcast
