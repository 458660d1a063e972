#pragma once
// The one JSON loader of mctl: JSON files given by the user and the answers of Marathon, the
// registry, the Docker Engine and Mesos-DNS all go through it, within fixed bounds.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace mctl::core {

// Bounds (documented in templates/SPEC.md): far above any real answer (Marathon's /v2/apps for
// thousands of apps is tens of MiB, a dozen levels deep), low enough that the parser's memory
// and every recursive walk over the result stay small.
struct JsonLimits {
  std::size_t max_bytes = 256u << 20;  // 256 MiB
  std::size_t max_depth = 128;         // nesting of arrays and objects
};

// Parses JSON from `what` (a file name, or "Marathon answer from GET http://m:8080/v2/apps").
// Not JSON, too large or too deep: Error(exit) "what:line:col: why" for a file (Exit::usage),
// "what: why (line L, column C)" for a remote answer (any other exit code).
nlohmann::json parse_json(std::string_view text, const std::string& what, Exit exit = Exit::usage,
                          const JsonLimits& limits = {});

// Like parse_json, but text that is not JSON at all gives a discarded value
// (is_discarded()), for bodies that may legitimately be HTML or empty. Limits still throw.
nlohmann::json try_parse_json(std::string_view text, const std::string& what,
                              Exit exit = Exit::remote, const JsonLimits& limits = {});

// The JSON pointer of the first string (value or key) in `value` that is not valid UTF-8, which
// nlohmann's dump() would refuse; nothing when every string is valid.
std::optional<std::string> invalid_utf8_pointer(const nlohmann::json& value);

}  // namespace mctl::core
