#include "json_input.hpp"

#include <cmath>

#include "squadcast/secret.hpp"

namespace squadcast {
namespace {

// nlohmann's DOM is fine with depth, but hostile input should cost nothing to reject.
bool nesting_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

std::optional<nlohmann::json> parse_untrusted_json(std::string_view text, int max_depth) {
  if (!nesting_within(text, max_depth)) return std::nullopt;
  auto parsed = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

std::optional<std::string> string_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<std::int64_t> integer_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_integer()) {
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return std::nullopt;
    }
    return it->get<std::int64_t>();
  }
  if (it->is_number_float()) {
    double value = it->get<double>();
    if (!std::isfinite(value) || value < -9.0e15 || value > 9.0e15) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  return std::nullopt;
}

std::optional<bool> bool_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

Result<nlohmann::json> answer_data(long status, std::string_view body, const AnswerRules& rules,
                                   nlohmann::json::value_t expected) {
  if (auto error = classify_answer(status, body, rules)) return *error;
  auto parsed = parse_untrusted_json(body);
  if (!parsed) return Error{ErrorKind::bad_response, "Squadcast's answer to " + rules.what + " is not valid JSON"};
  auto data = parsed->is_object() ? parsed->find("data") : parsed->end();
  if (!parsed->is_object() || data == parsed->end() || data->type() != expected) {
    const char* shape = expected == nlohmann::json::value_t::array ? "list" : "object";
    wipe_json(*parsed);
    return Error{ErrorKind::bad_response, "Squadcast's answer to " + rules.what + " has no data " + shape};
  }
  nlohmann::json value = std::move(*data);
  wipe_json(*parsed);
  return value;
}

void wipe_json(nlohmann::json& value) {
  if (value.is_string()) {
    wipe_string(value.get_ref<std::string&>());
  } else if (value.is_structured()) {
    for (auto& child : value) wipe_json(child);
  }
}

bool is_safe_word(std::string_view value) {
  if (value.empty() || value.size() > 64) return false;
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string utf8_prefix(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

}  // namespace squadcast
