#pragma once
// The JSON Schema (draft-07) of an app spec as a person writes it (apps/NAME.yaml and the
// overlays apps/NAME.ENV.yaml), for editors: Marathon's AppDefinition schema (the one render
// validates against) plus mctl's additions. `mctl schema` prints it.
#include <nlohmann/json.hpp>

namespace mctl::templates {

// Derived from the embedded AppDefinition schema:
// - every value that is not a plain string may also be a string holding a {{ placeholder }}
//   (one placeholder alone keeps the variable's type), and so may a constrained string (a
//   pattern, an enum, a format);
// - every field may be null (an overlay's "delete this key");
// - `id` is optional (it defaults to /NAME), `image:` and `environments:` are added;
// - oneOf becomes anyOf (a placeholder may fit several branches).
// Unknown fields stay errors, as in `mctl render` (a typo is caught in the editor).
const nlohmann::json& spec_schema();

}  // namespace mctl::templates
