#include "core/json.hpp"

#include <fmt/format.h>

#include "core/strings.hpp"
#include "core/yaml.hpp"

namespace mctl::core {
namespace {

// "16 MiB" for whole MiB, else "N bytes".
std::string size_text(std::size_t bytes) {
  return bytes % (1u << 20) == 0 ? fmt::format("{} MiB", bytes >> 20)
                                 : fmt::format("{} bytes", bytes);
}

Error json_error(std::string_view text, const std::string& what, std::size_t offset,
                 const std::string& why, Exit exit) {
  const std::string lc = line_col(text, offset);
  if (exit == Exit::usage) return Error(fmt::format("{}:{}: {}", what, lc, why), exit);
  const auto colon = lc.find(':');
  return Error(fmt::format("{}: {} (line {}, column {})", what, why, lc.substr(0, colon),
                           lc.substr(colon + 1)),
               exit);
}

// Size and nesting, from the text alone: nothing is built before the bounds are known to hold.
void check_bounds(std::string_view text, const std::string& what, Exit exit,
                  const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    throw json_error(
        text, what, limits.max_bytes,
        fmt::format("JSON larger than {}; refusing to read it", size_text(limits.max_bytes)), exit);
  }
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth) {
        throw json_error(text, what, i,
                         fmt::format("JSON nested more than {} levels deep", limits.max_depth),
                         exit);
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error
// ..." without the prefix and the position (given separately).
std::string reason(const nlohmann::json::parse_error& e) {
  std::string msg = e.what();
  auto at = msg.find("column ");
  at = at == std::string::npos ? msg.find("] ") : msg.find(": ", at);
  return at == std::string::npos ? msg : msg.substr(at + 2);
}

}  // namespace

std::optional<std::string> invalid_utf8_pointer(const nlohmann::json& value) {
  if (value.is_string()) {
    if (find_invalid_utf8(value.get_ref<const std::string&>()) != std::string_view::npos) return "";
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (auto p = invalid_utf8_pointer(value[i])) return "/" + std::to_string(i) + *p;
    }
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (find_invalid_utf8(key) != std::string_view::npos)
        return "";  // the key itself: point at its map
      if (auto p = invalid_utf8_pointer(item)) return (nlohmann::json::json_pointer() / key).to_string() + *p;
    }
  }
  return std::nullopt;
}

nlohmann::json parse_json(std::string_view text, const std::string& what, Exit exit,
                          const JsonLimits& limits) {
  check_bounds(text, what, exit, limits);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    throw json_error(text, what, offset, "invalid JSON: " + reason(e), exit);
  }
}

nlohmann::json try_parse_json(std::string_view text, const std::string& what, Exit exit,
                              const JsonLimits& limits) {
  check_bounds(text, what, exit, limits);
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace mctl::core
