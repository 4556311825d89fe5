// Parsing JSON that came from outside: bounded depth, no exceptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "squadcast/api_answer.hpp"
#include "squadcast/result.hpp"

namespace squadcast {

// nullopt for invalid JSON or nesting deeper than max_depth.
std::optional<nlohmann::json> parse_untrusted_json(std::string_view text, int max_depth = 32);

// Typed field access that never throws: nullopt when missing or of another type.
std::optional<std::string> string_field(const nlohmann::json& object, const char* key);
std::optional<std::int64_t> integer_field(const nlohmann::json& object, const char* key);
std::optional<bool> bool_field(const nlohmann::json& object, const char* key);

// An API answer's {"data": <value>}: the status read by classify_answer, then the value when
// it has the expected type (object or array); else a bad_response naming rules.what. The
// rest of the DOM is wiped: answers can carry token values.
Result<nlohmann::json> answer_data(long status, std::string_view body, const AnswerRules& rules,
                                   nlohmann::json::value_t expected);

// Every string in the DOM overwritten before it is freed.
void wipe_json(nlohmann::json& value);

// Ids and role or ability words: letters, digits, '-' and '_', 1 to 64 of them. They go
// into URL paths and log lines, so a hostile answer cannot steer a request or forge a line.
bool is_safe_word(std::string_view value);

// At most max bytes of s, never ending inside a UTF-8 sequence: the text may end up in
// JSON output, where a torn character makes nlohmann::json::dump() throw.
std::string utf8_prefix(std::string s, std::size_t max);

}  // namespace squadcast
