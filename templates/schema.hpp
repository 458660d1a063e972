#pragma once
// The embedded Marathon app-definition JSON Schema and validation against it.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mctl::templates {

// The schema text (templates/schema/AppDefinition.json, embedded at build time).
const std::string& app_definition_schema_text();

// A problem found in a rendered app definition, located by JSON pointer.
struct Problem {
  std::string pointer;   // JSON pointer of the offending value (or key, when at_key)
  std::string message;   // without position
  bool at_key = false;   // the problem is the key itself (unknown field)
  bool warning = false;  // Marathon accepts it (ignores it), but it is likely a mistake
  // A number where a string is expected: the caller adds "(quote it: "<text as written>")",
  // from the source text, because the number's JSON form may differ from it (1.10 is 1.1).
  bool quote_hint = false;
};

// Checks an app definition against the schema: unknown fields (every one, with a "did you
// mean" from the schema's property names), then types, enums, ranges, patterns and required
// fields via valijson, one message per offending value. Empty when valid. An unknown field
// close to a known name is an error (a typo); one that is not is a warning, because Marathon
// 1.5+ ignores unknown fields (its own system-test apps carry some).
std::vector<Problem> check_schema(const nlohmann::json& app);

// JSON Schema's name for the type of a value: object, array, string, boolean, null, integer
// or number.
std::string json_type(const nlohmann::json& v);

// "container.docker.image" for "/container/docker/image".
std::string dotted(const std::string& pointer);

}  // namespace mctl::templates
